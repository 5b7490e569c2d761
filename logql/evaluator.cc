#include "logql/evaluator.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "logql/binop.h"
#include "logql/label_replace.h"
#include "logql/range_agg.h"
#include "logql/step_evaluator.h"
#include "logql/vector_agg.h"

namespace lode::logql {

namespace {

const char* SetOpName(BinOpKind op) {
  switch (op) {
    case BinOpKind::kAnd:
      return "and";
    case BinOpKind::kOr:
      return "or";
    default:
      return "unless";
  }
}

// Folds a literal-only subtree (numbers and binary operations on them) to its
// value, as Loki's parser reduces `1 + 1` to `2`. Returns false when `e` is
// not literal-only; sets *st for a literal leg of a set operator.
bool FoldLiteral(const Expr& e, double* value, Status* st) {
  if (e.kind == Expr::Kind::kLiteral) {
    *value = e.number;
    return true;
  }
  if (e.kind != Expr::Kind::kBinOp || !e.lhs || !e.rhs) return false;
  double l = 0, r = 0;
  bool lok = FoldLiteral(*e.lhs, &l, st);
  bool rok = FoldLiteral(*e.rhs, &r, st);
  if (!st->ok()) return false;
  if (IsSetOp(e.binop) && (lok || rok)) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%f", lok ? l : r);
    *st = Status::InvalidArgument(
        std::string("parse error : unexpected literal for ") + (lok ? "left" : "right") +
        " leg of logical/set binary operation (" + SetOpName(e.binop) + "): " + buf);
    return false;
  }
  if (!lok || !rok) return false;
  *value = ScalarBinOp(e.binop, l, r);
  return true;
}

// vector(x): the series {} with value x at every step.
class VectorLiteralEvaluator : public StepEvaluator {
 public:
  VectorLiteralEvaluator(uint32_t id, double v) : id_(id), v_(v) {}
  Status Next(int64_t, StepVector* out) override {
    out->assign(1, StepSample{id_, v_});
    return Status::OK();
  }

 private:
  uint32_t id_;
  double v_;
};

struct BuildContext {
  const EvalParams& params;
  const SampleSource& source;
  LabelTable* table;
};

Status Build(const Expr& e, const BuildContext& ctx, StepEvaluatorPtr* out);

Status BuildChild(const ExprPtr& child, const BuildContext& ctx, StepEvaluatorPtr* out) {
  if (!child) return Status::Internal("metric expression node without operand");
  Status st;
  double v = 0;
  if (FoldLiteral(*child, &v, &st)) {
    // Loki's DefaultEvaluator has no step evaluator for a bare literal.
    return Status::InvalidArgument(
        "unexpected expr type (*syntax.LiteralExpr) for Evaluator type "
        "(*logql.DefaultEvaluator) ");
  }
  LODE_RETURN_IF_ERROR(st);
  return Build(*child, ctx, out);
}

Status BuildBinOp(const Expr& e, const BuildContext& ctx, StepEvaluatorPtr* out) {
  if (!e.lhs || !e.rhs) return Status::Internal("binary operation without operands");
  Status st;
  double lv = 0, rv = 0;
  bool llit = FoldLiteral(*e.lhs, &lv, &st);
  LODE_RETURN_IF_ERROR(st);
  bool rlit = FoldLiteral(*e.rhs, &rv, &st);
  LODE_RETURN_IF_ERROR(st);
  if (IsSetOp(e.binop) && (llit || rlit)) {
    FoldLiteral(e, &lv, &st);
    return st;
  }
  StepEvaluatorPtr lhs, rhs;
  if (llit) {
    LODE_RETURN_IF_ERROR(Build(*e.rhs, ctx, &rhs));
    *out = NewLiteralBinOpEvaluator(e, lv, /*literal_is_lhs=*/true, std::move(rhs));
    return Status::OK();
  }
  if (rlit) {
    LODE_RETURN_IF_ERROR(Build(*e.lhs, ctx, &lhs));
    *out = NewLiteralBinOpEvaluator(e, rv, /*literal_is_lhs=*/false, std::move(lhs));
    return Status::OK();
  }
  LODE_RETURN_IF_ERROR(Build(*e.lhs, ctx, &lhs));
  LODE_RETURN_IF_ERROR(Build(*e.rhs, ctx, &rhs));
  *out = NewVectorBinOpEvaluator(e, std::move(lhs), std::move(rhs), ctx.table);
  return Status::OK();
}

Status Build(const Expr& e, const BuildContext& ctx, StepEvaluatorPtr* out) {
  switch (e.kind) {
    case Expr::Kind::kRangeAgg:
      return NewRangeAggEvaluator(e, ctx.params, ctx.source, ctx.table, out);
    case Expr::Kind::kVectorAgg: {
      StepEvaluatorPtr inner;
      LODE_RETURN_IF_ERROR(BuildChild(e.lhs, ctx, &inner));
      *out = NewVectorAggEvaluator(e, std::move(inner), ctx.table);
      return Status::OK();
    }
    case Expr::Kind::kBinOp:
      return BuildBinOp(e, ctx, out);
    case Expr::Kind::kVector:
      *out = std::make_unique<VectorLiteralEvaluator>(ctx.table->Intern(Labels{}), e.number);
      return Status::OK();
    case Expr::Kind::kLabelReplace: {
      StepEvaluatorPtr inner;
      LODE_RETURN_IF_ERROR(BuildChild(e.lhs, ctx, &inner));
      return NewLabelReplaceEvaluator(e, std::move(inner), ctx.table, out);
    }
    case Expr::Kind::kLiteral:
      return Status::Internal("unexpected literal in a vector expression");
    case Expr::Kind::kLogSelector:
      break;
  }
  return Status::InvalidArgument("unexpected type (log selector): cannot evaluate as a metric");
}

// Loki keeps an instant vector in evaluation order only when the query sorts.
bool Sortable(const Expr& e) {
  if (e.kind == Expr::Kind::kVectorAgg &&
      (e.vector_op == VectorOp::kSort || e.vector_op == VectorOp::kSortDesc)) {
    return true;
  }
  return (e.lhs && Sortable(*e.lhs)) || (e.rhs && Sortable(*e.rhs));
}

bool HasApproxTopk(const Expr& e) {
  if (e.kind == Expr::Kind::kVectorAgg && e.approx_topk) return true;
  return (e.lhs && HasApproxTopk(*e.lhs)) || (e.rhs && HasApproxTopk(*e.rhs));
}

std::string WithThousands(size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

Status SeriesLimitError(size_t limit) {
  return Status::LimitExceeded(
      "maximum number of series (" + std::to_string(limit) +
      ") reached for a single query; consider reducing query cardinality by adding more specific "
      "stream selectors, reducing the time range, or aggregating results with functions like "
      "sum(), count() or topk()");
}

bool LabelsLess(const Series& a, const Series& b) { return a.metric < b.metric; }

}  // namespace

Status Evaluate(const Expr& expr, const EvalParams& params, const SampleSource& source,
                EvalResult* out) {
  *out = EvalResult();
  if (!params.instant) {
    if (params.step_ns <= 0) {
      return Status::InvalidArgument(
          "zero or negative query resolution step widths are not accepted. Try a positive "
          "integer");
    }
    if (params.end_ns < params.start_ns) {
      return Status::InvalidArgument("end timestamp must not be before start time");
    }
    // approx_topk is evaluated exactly, as topk; like Loki, only instantly.
    if (HasApproxTopk(expr)) {
      return Status::InvalidArgument("count min sketches are only supported on instant queries");
    }
    if (static_cast<uint64_t>((params.end_ns - params.start_ns) / params.step_ns) >
        params.max_points_per_series) {
      return Status::InvalidArgument("exceeded maximum resolution of " +
                                     WithThousands(params.max_points_per_series) +
                                     " points per timeseries. Try decreasing the query resolution "
                                     "(?step=XX)");
    }
  }
  const int64_t start = params.start_ns;
  const int64_t end = params.instant ? params.start_ns : params.end_ns;
  const int64_t step = params.instant ? 1 : params.step_ns;

  Status st;
  double literal = 0;
  if (FoldLiteral(expr, &literal, &st)) {
    Series s;
    if (params.instant) {
      out->type = EvalResult::Type::kScalar;
      s.points.push_back({start, literal});
    } else {
      out->type = EvalResult::Type::kMatrix;
      for (int64_t t = start;; t += step) {
        s.points.push_back({t, literal});
        if (end - t < step) break;
      }
    }
    out->series.push_back(std::move(s));
    return Status::OK();
  }
  LODE_RETURN_IF_ERROR(st);

  LabelTable table;
  StepEvaluatorPtr root;
  LODE_RETURN_IF_ERROR(Build(expr, BuildContext{params, source, &table}, &root));
  StepVector vec;

  if (params.instant) {
    LODE_RETURN_IF_ERROR(root->Next(start, &vec));
    if (vec.size() > params.max_series) return SeriesLimitError(params.max_series);
    out->type = EvalResult::Type::kVector;
    out->series.reserve(vec.size());
    for (const StepSample& s : vec) out->series.push_back(Series{table.Get(s.id), {{start, s.v}}});
    if (Sortable(expr)) {
      out->ordered = true;
    } else {
      std::stable_sort(out->series.begin(), out->series.end(), LabelsLess);
    }
    return Status::OK();
  }

  out->type = EvalResult::Type::kMatrix;
  std::unordered_map<uint32_t, size_t> index;  // label id -> out->series index
  for (int64_t t = start;; t += step) {
    if (params.ctx && params.ctx->Done()) return params.ctx->Err();
    LODE_RETURN_IF_ERROR(root->Next(t, &vec));
    for (const StepSample& s : vec) {
      auto [it, inserted] = index.try_emplace(s.id, out->series.size());
      if (inserted) {
        if (out->series.size() >= params.max_series) return SeriesLimitError(params.max_series);
        out->series.push_back(Series{table.Get(s.id), {}});
      }
      out->series[it->second].points.push_back({t, s.v});
    }
    if (end - t < step) break;  // t + step would pass end (or overflow)
  }
  std::sort(out->series.begin(), out->series.end(), LabelsLess);
  return Status::OK();
}

}  // namespace lode::logql
