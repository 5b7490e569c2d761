#include "logql/vector_agg.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lode::logql {

namespace {

// Loki's vectorByValueHeap order: NaN below every number.
bool ValueLess(double a, double b) { return (std::isnan(a) && !std::isnan(b)) || a < b; }
// Loki's vectorByReverseValueHeap order: NaN "below" in the reversed sense.
bool ReverseLess(double a, double b) { return (std::isnan(a) && !std::isnan(b)) || a > b; }

class VectorAggEvaluator : public StepEvaluator {
 public:
  VectorAggEvaluator(const Expr& expr, StepEvaluatorPtr inner, LabelTable* table)
      : op_(expr.vector_op), inner_(std::move(inner)), table_(table) {
    if (expr.grouping.has_value()) {
      without_ = expr.grouping->without;
      names_ = expr.grouping->labels;
    }
    if (op_ == VectorOp::kTopk || op_ == VectorOp::kBottomk) {
      double p = expr.param.value_or(0);
      k_ = p >= 1e9 ? 1000000000 : static_cast<int64_t>(p);
    }
  }

  Status Next(int64_t t_ns, StepVector* out) override {
    LODE_RETURN_IF_ERROR(inner_->Next(t_ns, &in_));
    out->clear();
    if ((op_ == VectorOp::kTopk || op_ == VectorOp::kBottomk) && k_ < 1) return Status::OK();
    index_.clear();
    used_ = 0;
    for (const StepSample& s : in_) {
      uint32_t key = GroupOf(s.id);
      auto [it, inserted] = index_.try_emplace(key, static_cast<uint32_t>(used_));
      if (inserted) {
        if (used_ == groups_.size()) groups_.emplace_back();
        Init(&groups_[used_++], key, s);
      } else {
        Aggregate(&groups_[it->second], s);
      }
    }
    for (size_t i = 0; i < used_; ++i) Emit(&groups_[i], out);
    return Status::OK();
  }

 private:
  struct Group {
    uint32_t labels = 0;
    double value = 0;
    double mean = 0;
    int64_t count = 0;
    std::vector<StepSample> heap;
  };

  uint32_t GroupOf(uint32_t id) {
    uint32_t key = memo_.Get(id);
    if (key != LabelTable::kNone) return key;
    const Labels& in = table_->Get(id);
    Labels grouped;
    for (const Label& l : in) {
      bool listed = std::find(names_.begin(), names_.end(), l.name) != names_.end();
      if (without_ ? (!listed && l.name != "__name__") : listed) grouped.push_back(l);
    }
    key = table_->Intern(std::move(grouped));
    memo_.Put(id, key);
    return key;
  }

  // std heap comparators: front is the element to evict next.
  static bool TopkHeapCmp(const StepSample& a, const StepSample& b) { return ValueLess(b.v, a.v); }
  static bool BottomkHeapCmp(const StepSample& a, const StepSample& b) {
    return ReverseLess(b.v, a.v);
  }

  void Init(Group* g, uint32_t key, const StepSample& s) {
    g->labels = key;
    g->value = s.v;
    g->mean = s.v;
    g->count = 1;
    g->heap.clear();
    switch (op_) {
      case VectorOp::kStddev:
      case VectorOp::kStdvar:
        g->value = 0;
        break;
      case VectorOp::kTopk:
      case VectorOp::kBottomk:
      case VectorOp::kSort:
      case VectorOp::kSortDesc:
        g->heap.push_back(s);
        break;
      default:
        break;
    }
  }

  void Aggregate(Group* g, const StepSample& s) {
    const double v = s.v;
    switch (op_) {
      case VectorOp::kSum:
        g->value += v;
        break;
      case VectorOp::kAvg:
        g->count++;
        if (std::isinf(g->mean)) {
          // An infinite mean stays as is for a same-signed infinity or a
          // number (subtracting it would give NaN).
          if (std::isinf(v) && (g->mean > 0) == (v > 0)) break;
          if (!std::isinf(v) && !std::isnan(v)) break;
        }
        g->mean += (v - g->mean) / static_cast<double>(g->count);
        break;
      case VectorOp::kMax:
        if (g->value < v || std::isnan(g->value)) g->value = v;
        break;
      case VectorOp::kMin:
        if (g->value > v || std::isnan(g->value)) g->value = v;
        break;
      case VectorOp::kCount:
        g->count++;
        break;
      case VectorOp::kStddev:
      case VectorOp::kStdvar: {
        g->count++;
        double delta = v - g->mean;
        g->mean += delta / static_cast<double>(g->count);
        g->value += delta * (v - g->mean);
        break;
      }
      case VectorOp::kTopk:
        if (static_cast<int64_t>(g->heap.size()) < k_ || g->heap[0].v < v ||
            std::isnan(g->heap[0].v)) {
          if (static_cast<int64_t>(g->heap.size()) == k_) {
            std::pop_heap(g->heap.begin(), g->heap.end(), TopkHeapCmp);
            g->heap.pop_back();
          }
          g->heap.push_back(s);
          std::push_heap(g->heap.begin(), g->heap.end(), TopkHeapCmp);
        }
        break;
      case VectorOp::kBottomk:
        if (static_cast<int64_t>(g->heap.size()) < k_ || g->heap[0].v > v ||
            std::isnan(g->heap[0].v)) {
          if (static_cast<int64_t>(g->heap.size()) == k_) {
            std::pop_heap(g->heap.begin(), g->heap.end(), BottomkHeapCmp);
            g->heap.pop_back();
          }
          g->heap.push_back(s);
          std::push_heap(g->heap.begin(), g->heap.end(), BottomkHeapCmp);
        }
        break;
      case VectorOp::kSort:
      case VectorOp::kSortDesc:
        g->heap.push_back(s);
        break;
    }
  }

  // Orders selected series: descending (topk, sort_desc) or ascending
  // (bottomk, sort) by value, NaN last, ties by labels.
  void Order(std::vector<StepSample>* v, bool descending) {
    std::sort(v->begin(), v->end(), [&](const StepSample& a, const StepSample& b) {
      bool an = std::isnan(a.v), bn = std::isnan(b.v);
      if (an != bn) return bn;
      if (!an && a.v != b.v) return descending ? a.v > b.v : a.v < b.v;
      return table_->Get(a.id) < table_->Get(b.id);
    });
  }

  void Emit(Group* g, StepVector* out) {
    double v = g->value;
    switch (op_) {
      case VectorOp::kAvg:
        v = g->mean;
        break;
      case VectorOp::kCount:
        v = static_cast<double>(g->count);
        break;
      case VectorOp::kStddev:
        v = std::sqrt(g->value / static_cast<double>(g->count));
        break;
      case VectorOp::kStdvar:
        v = g->value / static_cast<double>(g->count);
        break;
      case VectorOp::kTopk:
      case VectorOp::kSortDesc:
      case VectorOp::kBottomk:
      case VectorOp::kSort:
        Order(&g->heap, op_ == VectorOp::kTopk || op_ == VectorOp::kSortDesc);
        out->insert(out->end(), g->heap.begin(), g->heap.end());
        return;
      default:
        break;
    }
    out->push_back({g->labels, v});
  }

  const VectorOp op_;
  StepEvaluatorPtr inner_;
  LabelTable* table_;
  bool without_ = false;
  std::vector<std::string> names_;
  int64_t k_ = 0;
  IdMemo memo_;  // input series id -> group labels id
  StepVector in_;
  std::vector<Group> groups_;  // reused across steps; the first used_ are live
  size_t used_ = 0;
  std::unordered_map<uint32_t, uint32_t> index_;  // group labels id -> groups_ index
};

}  // namespace

StepEvaluatorPtr NewVectorAggEvaluator(const Expr& expr, StepEvaluatorPtr inner,
                                       LabelTable* table) {
  return std::make_unique<VectorAggEvaluator>(expr, std::move(inner), table);
}

}  // namespace lode::logql
