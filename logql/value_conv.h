// Go-compatible conversions of label values, as Loki's label filters and
// unwrap use them: strconv.ParseFloat, time.ParseDuration and
// go-humanize's ParseBytes. On failure the functions return false and set
// *err to Go's error text (e.g. `time: missing unit in duration "90"`),
// which Loki reports in `__error_details__`. The success paths do not
// allocate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lode::logql {

// strconv.ParseFloat(s, 64): decimal, hexadecimal (with a p exponent),
// underscores between digits, Inf/Infinity/NaN. Out-of-range values fail
// with "value out of range" (and *out holds +-Inf, as in Go).
bool GoParseFloat(std::string_view s, double* out, std::string* err);

// time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units ns, us,
// µs, μs, ms, s, m, h, or "0". *ns receives the duration in nanoseconds.
bool GoParseDuration(std::string_view s, int64_t* ns, std::string* err);

// time.Duration.Seconds(): the float seconds of a nanosecond duration.
double DurationSeconds(int64_t ns);

// humanize.ParseBytes: a number (digits, '.', ',') and an optional unit
// (B, KB, KiB, K, Ki, ... EB, EiB; case-insensitive). Fractions truncate.
bool HumanizeParseBytes(std::string_view s, uint64_t* out, std::string* err);

}  // namespace lode::logql
