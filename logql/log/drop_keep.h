// `| drop a, b="x"` and `| keep a, b=~"y"` (pkg/logql/log/drop_labels.go,
// keep_labels.go).
//
// drop deletes each named label, or the label when its matcher matches its
// value; `__error__` / `__error_details__` clear the error. keep deletes
// every label that is neither named nor matched by a matcher on its name;
// the error labels are never removed by keep.
#pragma once

#include "logql/log/log_stage.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

LogStagePtr NewDropKeepStage(const DropKeepStage& s);

}  // namespace lode::logql
