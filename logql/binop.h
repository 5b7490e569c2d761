// Binary operators on instant vectors and scalars, per step, with Loki's
// semantics (BinOpStepEvaluator, LiteralStepEvaluator, syntax.MergeBinOp):
//
// - Arithmetic `+ - * / % ^`: `/` and `%` by zero give NaN (not ±Inf).
// - Comparisons `== != > >= < <=` keep the vector operand's sample where the
//   comparison holds (vector/vector: the left one), or give 1/0 with `bool`.
//   NaN compares false except with `!=`.
// - Vector/vector: series match on their labels, `on (...)` or
//   `ignoring (...)`; one-to-one results keep the left labels minus the
//   matching reduction, group_left/group_right keep the "many" side's labels
//   and copy the `include` labels from the "one" side. Duplicate matches fail
//   with Prometheus' messages.
// - `and`/`or`/`unless` filter or merge by the same matching signature,
//   tolerate many-to-many, and keep the left order (then unmatched right).
#pragma once

#include "logql/step_evaluator.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

bool IsComparisonOp(BinOpKind op);
bool IsSetOp(BinOpKind op);  // and, or, unless

// Scalar result of `l op r` as Loki folds literals: comparisons give 1 or 0.
// Set operators are not valid here (returns NaN).
double ScalarBinOp(BinOpKind op, double l, double r);

// `literal op vector` (literal_is_lhs) or `vector op literal`; `expr` is the
// kBinOp node (for the operator and `bool`).
StepEvaluatorPtr NewLiteralBinOpEvaluator(const Expr& expr, double literal, bool literal_is_lhs,
                                          StepEvaluatorPtr vec);

// `vector op vector`. Each step evaluates the right side first, then the left.
StepEvaluatorPtr NewVectorBinOpEvaluator(const Expr& expr, StepEvaluatorPtr lhs,
                                         StepEvaluatorPtr rhs, LabelTable* table);

}  // namespace lode::logql
