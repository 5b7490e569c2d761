// Measurement helpers shared by the phases: clocks, latency summaries and a
// description of the machine a result was measured on. All functions are
// thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lode::bench {

// Unix time in nanoseconds (system clock).
int64_t UnixNowNs();
// Monotonic seconds since an arbitrary origin.
double MonotonicSeconds();
// RFC 3339 UTC, second resolution: 2024-05-01T12:34:56Z.
std::string FormatRfc3339(int64_t unix_ns);

// Nearest-rank percentile (q in [0, 1]) of unsorted samples; 0 if empty.
double Percentile(std::vector<double> samples, double q);

// {"count", "p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms"} from seconds.
nlohmann::json LatencySummary(const std::vector<double>& seconds);

// {"hostname", "nproc", "mem_total_bytes", "cpu_model", "kernel"}.
nlohmann::json MachineInfo();

// Human-readable byte count: "1.5 GiB".
std::string FormatBytes(double bytes);

}  // namespace lode::bench
