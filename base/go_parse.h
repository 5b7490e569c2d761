// Go-compatible parsing, the one place lode implements what Loki's Go code
// calls: strconv.ParseFloat/ParseInt/ParseUint (with Go's underscore rules),
// time.ParseDuration, Prometheus' model.ParseDuration, and go-humanize's
// ParseBytes and Bytes. On failure the functions return false and, where
// they take `err`, set it to Go's error text (e.g. `time: missing unit in
// duration "90"`), which Loki reports in `__error_details__` and parse
// errors. The success paths do not allocate. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lode {

// strconv.ParseFloat(s, 64): decimal, hexadecimal (with a p exponent),
// underscores between digits, Inf/Infinity/NaN. Out-of-range values fail
// with "value out of range" (and *out holds +-Inf, as in Go).
bool GoParseFloat(std::string_view s, double* out, std::string* err);

// strconv.ParseUint(s, base, 64) for base 0 (prefixes 0b, 0o, 0x, 0, and
// underscores between digits) or 2..36. False on syntax and range errors;
// *range_err (optional) tells which.
bool GoParseUint(std::string_view s, int base, uint64_t* out, bool* range_err = nullptr);

// strconv.ParseInt(s, base, 64); *range_err tells a range error from a
// syntax error.
bool GoParseInt(std::string_view s, int base, int64_t* out, bool* range_err);

// Go's strconv underscoreOK: `_` only between digits (a base prefix counts
// as a digit).
bool GoUnderscoreOK(std::string_view s);

// time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units ns, us,
// µs, μs, ms, s, m, h, or "0". *ns receives the duration in nanoseconds.
bool GoParseDuration(std::string_view s, int64_t* ns, std::string* err);

// Prometheus model.ParseDuration: "0" or units y, w, d, h, m, s, ms in
// that order, integers only ("1h30m", "5d"). Errors as Prometheus words them.
bool PromParseDuration(std::string_view s, int64_t* ns, std::string* err);

// time.Duration.Seconds(): the float seconds of a nanosecond duration.
double DurationSeconds(int64_t ns);

// humanize.ParseBytes: a number (digits, '.', ',') and an optional unit
// (B, KB, KiB, K, Ki, ... EB, EiB; case-insensitive). Fractions truncate.
bool HumanizeParseBytes(std::string_view s, uint64_t* out, std::string* err);

// humanize.Bytes (SI units): 82854982 -> "83 MB".
std::string HumanizeBytes(uint64_t n);

}  // namespace lode
