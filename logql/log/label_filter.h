// Label filter stages: `| a > 1 and (b = "x" or c =~ "y")`
// (pkg/logql/log/label_filter.go, ip.go).
//
// String matchers compare the label value (an absent label reads as "");
// they are the only filters that read `__error__`. Numeric, duration and
// bytes filters need the label: an absent one drops the line; a value that
// does not convert keeps the line and sets __error__=LabelFilterErr with
// the conversion error in __error_details__ (unless an error is already
// set). An ip() filter keeps every line that already carries an error.
// `or` skips its right side when the left one matches; `and` runs both.
#pragma once

#include "base/status.h"
#include "logql/log/log_stage.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

// Errors: an invalid ip() pattern (`ip: invalid pattern: "x"`).
Status NewLabelFilterStage(const LabelFilterExpr& e, LogStagePtr* out);

}  // namespace lode::logql
