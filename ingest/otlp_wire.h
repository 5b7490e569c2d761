// Zero-copy decoder of the OTLP ExportLogsServiceRequest wire format
// (ingest/otlp_logs.proto; opentelemetry-proto collector/logs/v1): no message
// objects are built, strings and bytes are views into `data`.
//
// Semantics follow the Go pdata decoder Loki uses: unknown fields are
// skipped (groups included); a known field with an unexpected wire type,
// truncated data, an over-long varint, field number 0, wire types 6/7 and
// AnyValue nesting deeper than kOtlpMaxValueDepth are errors. Repeated
// occurrences of a singular message field merge (attribute lists
// concatenate); of a scalar, the last wins.
#pragma once

#include <string>
#include <string_view>

#include "ingest/otlp_logs.h"

namespace lode::ingest {

// Decodes `data` into *out (cleared first). The views point into `data`,
// which the caller keeps alive. On malformed input returns false and sets
// *error to a short description (e.g. "truncated LogRecord").
bool DecodeOtlpLogsWire(std::string_view data, OtlpLogs* out, std::string* error);

}  // namespace lode::ingest
