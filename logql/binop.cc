#include "logql/binop.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace lode::logql {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool Compare(BinOpKind op, double l, double r) {
  switch (op) {
    case BinOpKind::kEq:
      return l == r;
    case BinOpKind::kNeq:
      return l != r;
    case BinOpKind::kGt:
      return l > r;
    case BinOpKind::kGte:
      return l >= r;
    case BinOpKind::kLt:
      return l < r;
    case BinOpKind::kLte:
      return l <= r;
    default:
      return false;
  }
}

double Arithmetic(BinOpKind op, double l, double r) {
  switch (op) {
    case BinOpKind::kAdd:
      return l + r;
    case BinOpKind::kSub:
      return l - r;
    case BinOpKind::kMul:
      return l * r;
    case BinOpKind::kDiv:
      return r == 0 ? kNaN : l / r;
    case BinOpKind::kMod:
      return r == 0 ? kNaN : std::fmod(l, r);
    case BinOpKind::kPow:
      return std::pow(l, r);
    default:
      return kNaN;
  }
}

class LiteralBinOpEvaluator : public StepEvaluator {
 public:
  LiteralBinOpEvaluator(const Expr& expr, double literal, bool literal_is_lhs, StepEvaluatorPtr vec)
      : op_(expr.binop),
        return_bool_(expr.modifiers.return_bool),
        literal_(literal),
        literal_is_lhs_(literal_is_lhs),
        vec_(std::move(vec)) {}

  Status Next(int64_t t_ns, StepVector* out) override {
    LODE_RETURN_IF_ERROR(vec_->Next(t_ns, &in_));
    out->clear();
    const bool cmp = IsComparisonOp(op_);
    for (const StepSample& s : in_) {
      double l = literal_is_lhs_ ? literal_ : s.v;
      double r = literal_is_lhs_ ? s.v : literal_;
      if (!cmp) {
        out->push_back({s.id, Arithmetic(op_, l, r)});
      } else if (return_bool_) {
        out->push_back({s.id, Compare(op_, l, r) ? 1.0 : 0.0});
      } else if (Compare(op_, l, r)) {
        out->push_back(s);  // the vector operand's own value
      }
    }
    return Status::OK();
  }

 private:
  const BinOpKind op_;
  const bool return_bool_;
  const double literal_;
  const bool literal_is_lhs_;
  StepEvaluatorPtr vec_;
  StepVector in_;
};

class VectorBinOpEvaluator : public StepEvaluator {
 public:
  using Card = BinOpModifiers::Card;

  VectorBinOpEvaluator(const Expr& expr, StepEvaluatorPtr lhs, StepEvaluatorPtr rhs,
                       LabelTable* table)
      : op_(expr.binop),
        mod_(expr.modifiers),
        lhs_(std::move(lhs)),
        rhs_(std::move(rhs)),
        table_(table) {}

  Status Next(int64_t t_ns, StepVector* out) override {
    LODE_RETURN_IF_ERROR(rhs_->Next(t_ns, &rvec_));
    LODE_RETURN_IF_ERROR(lhs_->Next(t_ns, &lvec_));
    out->clear();
    Signatures(lvec_, &lsigs_);
    Signatures(rvec_, &rsigs_);
    switch (op_) {
      case BinOpKind::kAnd:
        if (lvec_.empty() || rvec_.empty()) return Status::OK();
        FillSet(rsigs_);
        for (size_t i = 0; i < lvec_.size(); ++i) {
          if (set_.count(lsigs_[i])) out->push_back(lvec_[i]);
        }
        return Status::OK();
      case BinOpKind::kOr:
        if (lvec_.empty() || rvec_.empty()) {
          *out = lvec_.empty() ? rvec_ : lvec_;
          return Status::OK();
        }
        FillSet(lsigs_);
        *out = lvec_;
        for (size_t i = 0; i < rvec_.size(); ++i) {
          if (!set_.count(rsigs_[i])) out->push_back(rvec_[i]);
        }
        return Status::OK();
      case BinOpKind::kUnless:
        if (lvec_.empty() || rvec_.empty()) {
          *out = lvec_;
          return Status::OK();
        }
        FillSet(rsigs_);
        for (size_t i = 0; i < lvec_.size(); ++i) {
          if (!set_.count(lsigs_[i])) out->push_back(lvec_[i]);
        }
        return Status::OK();
      default:
        return Binop(out);
    }
  }

 private:
  void FillSet(const std::vector<uint32_t>& sigs) {
    set_.clear();
    set_.insert(sigs.begin(), sigs.end());
  }

  bool Matching(const std::string& name) const {
    return std::find(mod_.matching_labels.begin(), mod_.matching_labels.end(), name) !=
           mod_.matching_labels.end();
  }

  // Matching signature: the labels kept by on(...) or left by ignoring(...).
  void Signatures(const StepVector& v, std::vector<uint32_t>* sigs) {
    sigs->resize(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      uint32_t sig = sig_memo_.Get(v[i].id);
      if (sig == LabelTable::kNone) {
        if (!mod_.on && mod_.matching_labels.empty()) {
          sig = v[i].id;
        } else {
          Labels kept;
          for (const Label& l : table_->Get(v[i].id)) {
            if (Matching(l.name) == mod_.on) kept.push_back(l);
          }
          sig = table_->Intern(std::move(kept));
        }
        sig_memo_.Put(v[i].id, sig);
      }
      (*sigs)[i] = sig;
    }
  }

  // Labels of a result: `many` is the left side, or the right one with
  // group_right; `one` the other.
  uint32_t ResultMetric(uint32_t many, uint32_t one) {
    const bool per_pair = !mod_.include_labels.empty();
    const uint64_t key = per_pair ? (static_cast<uint64_t>(many) << 32) | one : many;
    auto it = metric_memo_.find(key);
    if (it != metric_memo_.end()) return it->second;
    Labels ls;
    for (const Label& l : table_->Get(many)) {
      if (mod_.card == Card::kOneToOne && Matching(l.name) != mod_.on) {
        continue;
      }
      ls.push_back(l);
    }
    for (const std::string& name : mod_.include_labels) {
      const std::string* v = FindLabel(table_->Get(one), name);
      ls.erase(std::remove_if(ls.begin(), ls.end(), [&](const Label& l) { return l.name == name; }),
               ls.end());
      if (v != nullptr && !v->empty()) ls.push_back(Label{name, *v});
    }
    SortLabels(&ls);
    uint32_t id = table_->Intern(std::move(ls));
    metric_memo_.emplace(key, id);
    return id;
  }

  Status Binop(StepVector* out) {
    const bool swap = mod_.card == Card::kOneToMany;
    const StepVector& many = swap ? rvec_ : lvec_;
    const StepVector& one = swap ? lvec_ : rvec_;
    const std::vector<uint32_t>& many_sigs = swap ? rsigs_ : lsigs_;
    const std::vector<uint32_t>& one_sigs = swap ? lsigs_ : rsigs_;

    one_by_sig_.clear();
    for (size_t i = 0; i < one.size(); ++i) {
      if (!one_by_sig_.emplace(one_sigs[i], static_cast<uint32_t>(i)).second) {
        return Status::InvalidArgument(std::string("found duplicate series on the ") +
                                       (swap ? "left" : "right") +
                                       " hand-side;many-to-many matching not allowed: matching "
                                       "labels must be unique on one side");
      }
    }
    set_.clear();
    matched_.clear();
    const bool cmp = IsComparisonOp(op_);
    for (size_t i = 0; i < many.size(); ++i) {
      auto it = one_by_sig_.find(many_sigs[i]);
      if (it == one_by_sig_.end()) continue;
      const StepSample& ms = many[i];
      const StepSample& os = one[it->second];
      uint32_t metric = ResultMetric(ms.id, os.id);
      if (mod_.card == Card::kOneToOne) {
        if (!set_.insert(many_sigs[i]).second) {
          return Status::InvalidArgument(
              "multiple matches for labels: many-to-one matching must be explicit "
              "(group_left/group_right)");
        }
      } else {
        uint64_t key = (static_cast<uint64_t>(many_sigs[i]) << 32) | metric;
        if (!matched_.insert(key).second) {
          return Status::InvalidArgument(
              "multiple matches for labels: grouping labels must ensure unique matches");
        }
      }
      const double l = swap ? os.v : ms.v;
      const double r = swap ? ms.v : os.v;
      if (!cmp) {
        out->push_back({metric, Arithmetic(op_, l, r)});
      } else if (mod_.return_bool) {
        out->push_back({metric, Compare(op_, l, r) ? 1.0 : 0.0});
      } else if (Compare(op_, l, r)) {
        out->push_back({metric, l});
      }
    }
    return Status::OK();
  }

  const BinOpKind op_;
  const BinOpModifiers mod_;
  StepEvaluatorPtr lhs_, rhs_;
  LabelTable* table_;
  StepVector lvec_, rvec_;
  std::vector<uint32_t> lsigs_, rsigs_;
  IdMemo sig_memo_;
  std::unordered_map<uint64_t, uint32_t> metric_memo_;
  std::unordered_map<uint32_t, uint32_t> one_by_sig_;
  std::unordered_set<uint32_t> set_;
  std::unordered_set<uint64_t> matched_;
};

}  // namespace

bool IsComparisonOp(BinOpKind op) {
  switch (op) {
    case BinOpKind::kEq:
    case BinOpKind::kNeq:
    case BinOpKind::kGt:
    case BinOpKind::kGte:
    case BinOpKind::kLt:
    case BinOpKind::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOp(BinOpKind op) {
  return op == BinOpKind::kAnd || op == BinOpKind::kOr || op == BinOpKind::kUnless;
}

double ScalarBinOp(BinOpKind op, double l, double r) {
  if (IsComparisonOp(op)) return Compare(op, l, r) ? 1.0 : 0.0;
  return Arithmetic(op, l, r);
}

StepEvaluatorPtr NewLiteralBinOpEvaluator(const Expr& expr, double literal, bool literal_is_lhs,
                                          StepEvaluatorPtr vec) {
  return std::make_unique<LiteralBinOpEvaluator>(expr, literal, literal_is_lhs, std::move(vec));
}

StepEvaluatorPtr NewVectorBinOpEvaluator(const Expr& expr, StepEvaluatorPtr lhs,
                                         StepEvaluatorPtr rhs, LabelTable* table) {
  return std::make_unique<VectorBinOpEvaluator>(expr, std::move(lhs), std::move(rhs), table);
}

}  // namespace lode::logql
