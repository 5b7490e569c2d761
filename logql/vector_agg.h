// Vector aggregations over an instant vector, per step, as Loki's
// VectorAggEvaluator computes them: sum avg min max count stddev stdvar topk
// bottomk sort sort_desc with `by (...)` / `without (...)` grouping (no
// grouping means one group with no labels).
//
// - sum, stdvar/stddev (Welford) propagate NaN; avg is an incremental mean
//   where +Inf absorbs finite values and +Inf with -Inf gives NaN.
// - min/max skip NaN unless every value of the group is NaN.
// - topk/bottomk keep the k largest/smallest per group (NaN never beats a
//   number), return the selected input series with their own labels, largest
//   (smallest) first; k < 1 gives an empty vector.
// - sort/sort_desc order each group by value, NaN last in both directions.
// Groups are emitted in order of first appearance in the input.
#pragma once

#include "logql/step_evaluator.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

// `expr` is a kVectorAgg node; `inner` evaluates expr.lhs.
StepEvaluatorPtr NewVectorAggEvaluator(const Expr& expr, StepEvaluatorPtr inner, LabelTable* table);

}  // namespace lode::logql
