// Classification of field values as Loki's detected-fields and
// detected-labels endpoints do it, with the acceptance rules of the Go
// functions Loki calls (strconv.ParseInt/ParseFloat/ParseBool,
// time.ParseDuration, humanize.ParseBytes — base/go_parse.h — and uuid.Parse). Pure functions,
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lode::server {

// Loki's determineType: "int", "float", "boolean", "duration", "bytes" or
// "string", tried in that order.
const char* DetectFieldType(std::string_view v);

bool IsGoInt(std::string_view v);       // strconv.ParseInt(v, 10, 64)
bool IsGoFloat(std::string_view v);     // strconv.ParseFloat(v, 64)
bool IsGoBool(std::string_view v);      // strconv.ParseBool
bool IsGoDuration(std::string_view v);  // time.ParseDuration
bool IsUuid(std::string_view v);        // github.com/google/uuid.Parse

}  // namespace lode::server
