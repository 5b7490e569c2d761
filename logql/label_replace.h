// label_replace(v, "dst", "replacement", "src", "regex") as Loki and
// Prometheus define it: the regex is anchored at both ends and matched
// against the value of src ("" when absent); on a match dst is set to the
// expanded replacement (`$1`, `${1}`, `$name`, `${name}`, `$$`, with Go's
// regexp.Expand rules), and an empty expansion deletes dst. Series that do
// not match pass through unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "logql/step_evaluator.h"
#include "logql/syntax/ast.h"

namespace re2 {
class RE2;
}

namespace lode::logql {

// `expr` is a kLabelReplace node; `inner` evaluates expr.lhs. Fails with a
// parse error when the regex does not compile.
Status NewLabelReplaceEvaluator(const Expr& expr, StepEvaluatorPtr inner, LabelTable* table,
                                StepEvaluatorPtr* out);

// Go's Regexp.ExpandString: `groups[i]` is submatch i (empty when it did not
// participate); `re` resolves group names.
std::string ExpandReplacement(const re2::RE2& re, std::string_view tmpl,
                              const std::vector<std::string_view>& groups);

}  // namespace lode::logql
