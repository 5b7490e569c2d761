// Decoder of OTLP/JSON ExportLogsServiceRequest bodies (the protobuf JSON
// mapping as OTLP specifies it): lowerCamelCase field names (the original
// snake_case names are accepted too), 64-bit integers as strings or numbers,
// trace and span ids as hex strings, bytes as base64, enums as numbers (or
// their names). Unknown fields are ignored; values of the wrong JSON type,
// bad hex or base64, and nesting deeper than kOtlpMaxValueDepth are errors.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ingest/otlp_logs.h"

namespace lode::ingest {

// Decodes `body` into *out (cleared first). Strings are views into a parsed
// document that *backing keeps alive, or into out->owned. On bad input
// returns false with *error describing it.
bool DecodeOtlpLogsJson(std::string_view body, OtlpLogs* out, std::shared_ptr<void>* backing,
                        std::string* error);

}  // namespace lode::ingest
