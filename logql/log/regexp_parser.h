// `| regexp "..."` and `| pattern "..."` stages (pkg/logql/log/parser.go
// RegexpParser and PatternParser).
//
// regexp: the named groups of the first (leftmost) match become labels; a
// group that does not take part in the match gives an empty value; a line
// that does not match is kept unchanged. The expression needs at least one
// named group, with valid and unique label names.
//
// pattern: the named captures of the pattern become labels, in order; a
// short line fills only the leading captures.
//
// Names clashing with stream labels or structured metadata get the
// `_extracted` suffix; a name already extracted on this line keeps its value.
#pragma once

#include <string_view>

#include "base/status.h"
#include "logql/log/log_stage.h"

namespace lode::logql {

// Errors: "error parsing regexp: ...", "at least one named capture must be
// supplied", "invalid extracted label name 'x'", "duplicate extracted label
// name 'x'".
Status NewRegexpStage(std::string_view re, LogStagePtr* out);

// Errors as Pattern::ParseParser.
Status NewPatternStage(std::string_view pattern, LogStagePtr* out);

}  // namespace lode::logql
