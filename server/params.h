// Parsing of Loki HTTP API parameters: timestamps (ns, float seconds,
// RFC3339), steps, directions, limits; each error message is Loki's.
#pragma once

#include <cstdint>
#include <string>

#include "storage/reader.h"
#include "base/status.h"

namespace lode::server {

// The server's clock: the system clock plus an offset (testing.now_offset;
// tests move time forward without sleeping). Thread-safe.
int64_t NowNs();
void SetClockOffsetNs(int64_t offset_ns);

// Loki's parseTimestamp: "" -> def; contains '.' or 'e' -> float seconds;
// integer with <= 10 digits -> seconds, else ns; otherwise RFC3339(Nano).
Status ParseTimestamp(const std::string& v, int64_t def, int64_t* out);

// A step: Go duration ("5m") or float seconds ("300", "0.5").
Status ParseStep(const std::string& v, int64_t* out_ns);

Status ParseDirection(const std::string& v, Direction* out);

// Renders a float as Prometheus/Loki do in JSON values (strconv 'f', -1;
// NaN, +Inf, -Inf).
std::string FormatValue(double v);
// Sample timestamp in float seconds as Loki writes it (e.g. 1700000000.123).
std::string FormatSeconds(int64_t ns);

}  // namespace lode::server
