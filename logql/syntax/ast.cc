#include "logql/syntax/ast.h"

#include <algorithm>
#include <cctype>

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

namespace {

bool FilterReferences(const LabelFilterExpr* f, std::string_view name) {
  if (!f) return false;
  if (f->kind == LabelFilterExpr::Kind::kAnd || f->kind == LabelFilterExpr::Kind::kOr) {
    return FilterReferences(f->left.get(), name) || FilterReferences(f->right.get(), name);
  }
  if (f->kind == LabelFilterExpr::Kind::kString) return f->matcher && f->matcher->name() == name;
  return f->name == name;
}

// A template reads a label as `.name` (or `$.name`) followed by a non-name byte.
bool TemplateReferences(std::string_view tmpl, std::string_view name) {
  for (size_t at = tmpl.find(name); at != std::string_view::npos; at = tmpl.find(name, at + 1)) {
    const size_t end = at + name.size();
    const bool dot_before = at > 0 && tmpl[at - 1] == '.';
    const bool name_ends =
        end == tmpl.size() ||
        !(std::isalnum(static_cast<unsigned char>(tmpl[end])) || tmpl[end] == '_');
    if (dot_before && name_ends) return true;
  }
  return false;
}

bool SelectorReferences(const LogSelectorExpr& sel, std::string_view name) {
  for (const auto& m : sel.matchers) {
    if (m->name() == name) return true;
  }
  for (const Stage& st : sel.stages) {
    switch (st.kind) {
      case Stage::Kind::kLabelFilter:
        if (FilterReferences(st.label_filter.expr.get(), name)) return true;
        break;
      case Stage::Kind::kLineFormat:
        if (TemplateReferences(st.line_format.tmpl, name)) return true;
        break;
      case Stage::Kind::kLabelFormat:
        for (const auto& item : st.label_format.items) {
          if (item.is_template ? TemplateReferences(item.src, name) : item.src == name) return true;
        }
        break;
      case Stage::Kind::kDropKeep:
        for (const auto& item : st.drop_keep.items) {
          if (item.name == name) return true;
        }
        break;
      default:
        break;
    }
  }
  return false;
}

bool Contains(const std::vector<std::string>& v, std::string_view name) {
  return std::find(v.begin(), v.end(), name) != v.end();
}

}  // namespace

bool Expr::ReferencesLabel(std::string_view name) const {
  if (grouping && Contains(grouping->labels, name)) return true;
  switch (kind) {
    case Kind::kLogSelector:
      return SelectorReferences(log, name);
    case Kind::kRangeAgg:
      if (SelectorReferences(log_range.selector, name)) return true;
      if (log_range.unwrap) {
        if (log_range.unwrap->label == name) return true;
        for (const auto& f : log_range.unwrap->post_filters) {
          if (FilterReferences(f.expr.get(), name)) return true;
        }
      }
      return false;
    case Kind::kBinOp:
      if (Contains(modifiers.matching_labels, name) || Contains(modifiers.include_labels, name))
        return true;
      break;
    case Kind::kLabelReplace:
      if (src == name || dst == name) return true;
      break;
    default:
      break;
  }
  return (lhs && lhs->ReferencesLabel(name)) || (rhs && rhs->ReferencesLabel(name));
}

bool LogSelectorExpr::HasParser() const {
  for (const Stage& s : stages) {
    if (s.kind == Stage::Kind::kParser) return true;
  }
  return false;
}

}  // namespace lode::logql
