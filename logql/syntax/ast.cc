#include "logql/syntax/ast.h"

namespace lode::logql {

const char* RangeOpName(RangeOp op) {
  switch (op) {
    case RangeOp::kRate:
      return "rate";
    case RangeOp::kRateCounter:
      return "rate_counter";
    case RangeOp::kCountOverTime:
      return "count_over_time";
    case RangeOp::kBytesRate:
      return "bytes_rate";
    case RangeOp::kBytesOverTime:
      return "bytes_over_time";
    case RangeOp::kAbsentOverTime:
      return "absent_over_time";
    case RangeOp::kSumOverTime:
      return "sum_over_time";
    case RangeOp::kAvgOverTime:
      return "avg_over_time";
    case RangeOp::kMinOverTime:
      return "min_over_time";
    case RangeOp::kMaxOverTime:
      return "max_over_time";
    case RangeOp::kStdvarOverTime:
      return "stdvar_over_time";
    case RangeOp::kStddevOverTime:
      return "stddev_over_time";
    case RangeOp::kQuantileOverTime:
      return "quantile_over_time";
    case RangeOp::kFirstOverTime:
      return "first_over_time";
    case RangeOp::kLastOverTime:
      return "last_over_time";
  }
  return "";
}

const char* VectorOpName(VectorOp op) {
  switch (op) {
    case VectorOp::kSum:
      return "sum";
    case VectorOp::kAvg:
      return "avg";
    case VectorOp::kMin:
      return "min";
    case VectorOp::kMax:
      return "max";
    case VectorOp::kCount:
      return "count";
    case VectorOp::kStddev:
      return "stddev";
    case VectorOp::kStdvar:
      return "stdvar";
    case VectorOp::kTopk:
      return "topk";
    case VectorOp::kBottomk:
      return "bottomk";
    case VectorOp::kSort:
      return "sort";
    case VectorOp::kSortDesc:
      return "sort_desc";
  }
  return "";
}

const char* BinOpName(BinOpKind op) {
  switch (op) {
    case BinOpKind::kAdd:
      return "+";
    case BinOpKind::kSub:
      return "-";
    case BinOpKind::kMul:
      return "*";
    case BinOpKind::kDiv:
      return "/";
    case BinOpKind::kMod:
      return "%";
    case BinOpKind::kPow:
      return "^";
    case BinOpKind::kEq:
      return "==";
    case BinOpKind::kNeq:
      return "!=";
    case BinOpKind::kGt:
      return ">";
    case BinOpKind::kGte:
      return ">=";
    case BinOpKind::kLt:
      return "<";
    case BinOpKind::kLte:
      return "<=";
    case BinOpKind::kAnd:
      return "and";
    case BinOpKind::kOr:
      return "or";
    case BinOpKind::kUnless:
      return "unless";
  }
  return "";
}

bool LogSelectorExpr::HasParser() const {
  for (const Stage& s : stages) {
    if (s.kind == Stage::Kind::kParser) return true;
  }
  return false;
}

}  // namespace lode::logql
