// Building blocks shared by the metric evaluator's nodes (logql/evaluator.h):
// label-set interning and the step-by-step evaluation interface.
//
// Evaluation is step-major, as in Loki: the root is asked for the vector at
// t = start, start+step, ... and every node asks its children for the same
// step. A vector element names its series by a dense id from a LabelTable, so
// nodes group and match series by integer id and memoize per-id work
// (grouping labels, matching signatures, label_replace results) instead of
// hashing label sets at every step.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/labels.h"
#include "base/status.h"

namespace lode::logql {

// Interns label sets for the duration of one evaluation: equal sets get the
// same id. References returned by Get stay valid while the table lives. Not
// thread-safe.
class LabelTable {
 public:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  // `ls` must be sorted by name with unique names.
  uint32_t Intern(const Labels& ls);
  uint32_t Intern(Labels&& ls);
  const Labels& Get(uint32_t id) const { return sets_[id]; }
  size_t size() const { return sets_.size(); }

 private:
  uint32_t Find(const Labels& ls, uint64_t hash) const;

  std::deque<Labels> sets_;
  std::unordered_multimap<uint64_t, uint32_t> by_hash_;
};

// A label-id -> label-id cache (e.g. input series -> its group's labels).
class IdMemo {
 public:
  uint32_t Get(uint32_t id) const { return id < ids_.size() ? ids_[id] : LabelTable::kNone; }
  void Put(uint32_t id, uint32_t value) {
    if (id >= ids_.size()) ids_.resize(id + 1, LabelTable::kNone);
    ids_[id] = value;
  }

 private:
  std::vector<uint32_t> ids_;
};

// One element of an instant vector.
struct StepSample {
  uint32_t id;  // LabelTable id of the series' labels
  double v;
};
using StepVector = std::vector<StepSample>;

// A node of the evaluation tree.
class StepEvaluator {
 public:
  virtual ~StepEvaluator() = default;
  // Computes the vector at step time t_ns (in strictly increasing order over
  // calls) into *out, which the callee clears first. The order of *out is
  // significant only for sort/sort_desc results. An error ends the query.
  virtual Status Next(int64_t t_ns, StepVector* out) = 0;
};

using StepEvaluatorPtr = std::unique_ptr<StepEvaluator>;

}  // namespace lode::logql
