// Line filters: `|= "lit"`, `!= "lit"`, `|~ "re"`, `!~ "re"`, `|> "pat"`,
// `!> "pat"`, `|= ip("...")`, `!= ip("...")`, with `or` alternatives
// (pkg/logql/log/filter.go, ip.go).
//
// A positive filter keeps a line that matches any alternative; a negative
// one drops a line that matches any alternative. Literals use a memmem
// search. Regexes run on RE2 (compatible with Go's regexp); like Loki, a
// regex that is only literals (`foo`, `.*foo.*`, `a|b`, `(?i)foo`) becomes a
// substring search (case-insensitive for `(?i)`), and any other regex is
// guarded by a required literal found by a conservative scan of the source,
// so most non-matching lines never reach RE2. Nothing here allocates per
// line.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "logql/log/log_stage.h"
#include "logql/syntax/ast.h"

namespace re2 {
class RE2;
}

namespace lode::logql {

// Compiles a Go-syntax regular expression with RE2. On failure the message
// reads like Go's: "error parsing regexp: missing closing ): `(`".
Status CompileGoRegex(std::string_view pattern, std::unique_ptr<re2::RE2>* out);

// How a line-filter regex is evaluated.
struct RegexPlan {
  enum class Kind {
    kTrue,      // matches every line (``, `.*`)
    kExists,    // matches a non-empty line (`.+`)
    kLiterals,  // contains any of `literals`
    kRegex,     // run RE2, after checking that `required` occurs (if set)
  };
  Kind kind = Kind::kRegex;
  std::vector<std::string> literals;  // kLiterals
  bool case_insensitive = false;      // kLiterals: ASCII case-folding search
  std::string required;               // kRegex: a byte string every match contains
};
RegexPlan AnalyzeRegex(std::string_view re);

// ASCII case-insensitive substring search; `lower_needle` is lower case.
bool ContainsFold(std::string_view hay, std::string_view lower_needle);

// One line-filter stage. Errors: invalid regex / pattern / ip pattern, and
// `ip: invalid operation` for ip() with |~ !~ |> !>.
Status NewLineFilterStage(const LineFilterStage& f, LogStagePtr* out);

}  // namespace lode::logql
