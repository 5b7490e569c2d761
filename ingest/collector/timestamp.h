// Timestamps of collected lines (log_sources `timestamp:`).
//
// `auto` looks, in this order, for
//   - a JSON object line's "ts", "time", "timestamp" or "@timestamp" key,
//   - an RFC 3339 prefix (`2026-12-04T15:04:05.123Z`, offsets allowed),
//   - Python logging's asctime prefix `2026-12-04 15:04:05,123` (local time
//     of the lode process, as Python writes it),
//   - a logfmt `ts=`, `time=` or `timestamp=` pair;
// a field value is RFC 3339, the Python layout, or a Unix time in seconds
// (fractions allowed), milliseconds, microseconds or nanoseconds, told apart
// by its number of integer digits (10, 13, 16, 19). When nothing parses the
// caller uses the read time.
#pragma once

#include <cstdint>
#include <string_view>

#include "ingest/collector/log_sources.h"

namespace lode::collector {

// The entry's timestamp by `opts` (false: none found, use the read time).
bool ExtractTimestamp(const TimestampOptions& opts, std::string_view line, int64_t* ns);

// Single formats, exported for tests. Each parses a prefix of s (RFC 3339 and
// Python) or all of s (the Unix forms).
bool ParseRfc3339(std::string_view s, int64_t* ns);
bool ParsePythonTime(std::string_view s, int64_t* ns);
bool ParseUnixTime(std::string_view s, std::string_view format, int64_t* ns);

}  // namespace lode::collector
