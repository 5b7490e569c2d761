// LogQL parser: text -> AST (logql/ast.h).
//
// Errors carry Loki's text so they can be returned verbatim as HTTP 400
// bodies, e.g. `parse error at line 1, col 11: syntax error: unexpected $end,
// expecting } or ,` and semantic errors such as `parse error : grouping not
// allowed for sum_over_time aggregation` or the empty-compatible selector
// message. Thread-safe (no shared state).
#pragma once

#include <string_view>

#include "base/status.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

// Parses a full LogQL query (log or metric). Validates it as Loki does
// (unwrap required/forbidden per range op, grouping rules, at least one
// non-empty-compatible matcher, regexes compile, ...).
Status ParseExpr(std::string_view query, ExprPtr* out);

// Parses only a stream selector `{a="b", c=~"d"}` (for /series match[] and
// label value queries).
Status ParseMatchers(std::string_view selector, std::vector<MatcherPtr>* out);

// Parses a Go duration as Loki accepts it (`1h30m`, `5m`, `1d`, `1w`, `1y`,
// `500ms`, `1.5h`) into nanoseconds.
Status ParseDuration(std::string_view s, int64_t* ns);

// Parses a byte size (`10KB`, `1.5MiB`, `42B`, `100`) into bytes (humanize rules).
Status ParseBytes(std::string_view s, double* bytes);

}  // namespace lode::logql
