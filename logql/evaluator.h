// Metric evaluation: range aggregations over sample series, vector
// aggregations, binary operators, label_replace, literals and vector().
//
// The evaluator is independent of storage: for every range aggregation node
// it asks a SampleSource for the raw samples in the needed time span, then
// evaluates at t = start, start+step, ..., <= end with Loki's semantics
// (window (t - range - offset, t - offset], no extrapolation, NaN rules,
// max series limit).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/labels.h"
#include "base/status.h"
#include "logql/query_context.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

struct Sample {
  int64_t ts;  // ns
  double value;
};

// The samples of one series (labels after the extractor), sorted by ts.
struct SampleSeries {
  Labels labels;
  std::vector<Sample> samples;
};

// Fills `out` with every sample of range aggregation node `range_agg`
// (kind == kRangeAgg) whose timestamp is in (from_ns, to_ns]. Series may be
// returned in any order; samples of a series sorted by timestamp. For
// count_over_time and rate without unwrap a sample's value is the number of
// lines it stands for (1, more when folded: WindowFold in range_agg.h).
using SampleSource = std::function<Status(const Expr& range_agg, int64_t from_ns, int64_t to_ns,
                                          std::vector<SampleSeries>* out)>;

struct Point {
  int64_t t_ns;
  double v;
};

struct Series {
  Labels metric;
  std::vector<Point> points;
};

struct EvalParams {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t step_ns = 0;   // > 0 for range queries; ignored for instant queries
  bool instant = false;  // evaluate only at start_ns (== end_ns)
  size_t max_series = 500;
  size_t max_points_per_series = 11000;
  QueryContext* ctx = nullptr;  // checked at every step when set
};

struct EvalResult {
  enum class Type { kMatrix, kVector, kScalar };
  Type type = Type::kMatrix;
  // kMatrix: one Series per label set with its points.
  // kVector: one Series per label set, each with exactly one point.
  // kScalar: matrix[0].points[0] (instant) holds the value.
  std::vector<Series> series;
  // After sort/sort_desc/topk/bottomk in an instant query, the order of
  // `series` is significant (Loki returns it in that order).
  bool ordered = false;
};

// Evaluates a metric expression (not a log selector).
Status Evaluate(const Expr& expr, const EvalParams& params, const SampleSource& source,
                EvalResult* out);

}  // namespace lode::logql
