#include "bench/lode_bench/measure.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <thread>

namespace lode::bench {

int64_t UnixNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string FormatRfc3339(int64_t unix_ns) {
  time_t seconds = static_cast<time_t>(unix_ns / 1'000'000'000);
  struct tm tm_utc;
  gmtime_r(&seconds, &tm_utc);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
  return buf;
}

double Percentile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples.size())));
  rank = std::clamp<size_t>(rank, 1, samples.size()) - 1;
  std::nth_element(samples.begin(), samples.begin() + static_cast<ptrdiff_t>(rank), samples.end());
  return samples[rank];
}

nlohmann::json LatencySummary(const std::vector<double>& seconds) {
  double sum = 0, max = 0;
  for (double s : seconds) {
    sum += s;
    max = std::max(max, s);
  }
  return {{"count", seconds.size()},
          {"p50_ms", Percentile(seconds, 0.50) * 1e3},
          {"p90_ms", Percentile(seconds, 0.90) * 1e3},
          {"p99_ms", Percentile(seconds, 0.99) * 1e3},
          {"max_ms", max * 1e3},
          {"mean_ms", seconds.empty() ? 0.0 : sum / static_cast<double>(seconds.size()) * 1e3}};
}

nlohmann::json MachineInfo() {
  nlohmann::json info;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  info["hostname"] = host;
  info["nproc"] = std::thread::hardware_concurrency();
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  while (meminfo >> key >> kib) {
    if (key == "MemTotal:") {
      info["mem_total_bytes"] = kib * 1024;
      break;
    }
    meminfo.ignore(1 << 10, '\n');
  }
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.starts_with("model name")) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) info["cpu_model"] = line.substr(colon + 2);
      break;
    }
  }
  struct utsname uts;
  if (uname(&uts) == 0) info["kernel"] = std::string(uts.sysname) + " " + uts.release;
  return info;
}

std::string FormatBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  snprintf(buf, sizeof(buf), unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return buf;
}

}  // namespace lode::bench
