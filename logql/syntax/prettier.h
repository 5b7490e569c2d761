// LogQL query text as Loki writes it back: the canonical one-line form of an
// expression (Loki's `Expr.String()`) and the formatter behind
// /loki/api/v1/format_query (Loki's `syntax.Prettify`, itself modelled on
// PromQL's prettier).
//
// Prettify splits an expression over several lines only when its one-line
// form is longer than `max_chars_per_line` (Loki's MaxCharsPerLine, 100):
// pipelines put one stage per line, aggregations put their arguments on
// indented lines, binary operators put the operator on its own line between
// the indented operands. Indentation is two spaces per nesting level.
//
// Faithful to Loki, quirks included (`vector(5.000000)`, `offset 1h0m0s` in
// the one-line form but `offset 1h` in the split form, `( a , b )` for label
// filters joined by `and`, literal-only binary operations folded to their
// value). Two known differences, both documented in README.md:
//  - a line filter with `or` alternatives that has to be split keeps its
//    alternatives (Loki drops everything after the first, changing the
//    query's meaning);
//  - a regex label filter is always printed as `name=~"re"`; Loki prints the
//    regexes it cannot simplify to a literal as `name=~`re``.
//
// Pure functions of the AST; thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "logql/syntax/ast.h"

namespace lode::logql {

// Loki's MaxCharsPerLine.
inline constexpr size_t kMaxCharsPerLine = 100;

// The one-line canonical form of `e`, as Loki's Expr.String().
std::string ExprString(const Expr& e);

// `e` formatted as Loki's syntax.Prettify (with MaxCharsPerLine set to
// `max_chars_per_line`; Loki's own tests use 20).
std::string Prettify(const Expr& e, size_t max_chars_per_line = kMaxCharsPerLine);

// Go number and duration formatting used by the above (exposed for tests).
std::string GoFormatFloatV(double v);        // fmt.Sprint(float64)
std::string GoFormatFloatF(double v);        // strconv.FormatFloat(v, 'f', -1, 64)
std::string GoDurationString(int64_t ns);    // time.Duration.String()
std::string PromDurationString(int64_t ns);  // prometheus model.Duration.String()
std::string HumanizeBytes(double bytes);     // humanize.Bytes(uint64), spaces removed

}  // namespace lode::logql
