// Range aggregations: `rate(... [5m])`, `count_over_time`, `bytes_rate`,
// `*_over_time`, `rate_counter`, `absent_over_time`, with Loki's semantics.
//
// The node fetches its samples once, for the whole query span, then slides a
// window over each series: at step t the window is (t - offset - range,
// t - offset], a window without samples yields no element, and the element is
// stamped t. Sums and counts are kept running as the window slides (re-summed
// from scratch after a window's worth of removals, so rounding does not
// drift); min/max use monotonic queues; quantile an order-statistics tree;
// stdvar/stddev and rate_counter rescan the window (as Loki does).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "logql/evaluator.h"
#include "logql/step_evaluator.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

// Creates the evaluator of the kRangeAgg node `expr`. Asks `source` once for
// the samples in (start - range - offset, end - offset] and merges series
// with identical labels (the range aggregation's by/without is already
// applied by the source). Next() fails with Loki's pipeline error when a
// series carrying a non-empty `__error__` label (and no
// `__preserve_error__="true"`) has samples in the window.
Status NewRangeAggEvaluator(const Expr& expr, const EvalParams& params, const SampleSource& source,
                            LabelTable* table, StepEvaluatorPtr* out);

// Folds the samples of the additive range functions (count_over_time, rate
// without unwrap, bytes_over_time, bytes_rate, absent_over_time) before
// they are stored: samples between two consecutive window edges of the
// query — (t - offset - range) and (t - offset) for every step t — fall in
// exactly the same windows, so the sum of their values, stamped with the
// latest of them, gives every window the same value (the evaluator sums
// values for these functions; the values are integers, so sums are exact).
// A series then holds at most two samples per step instead of one per line.
class WindowFold {
 public:
  // Disabled (Enabled() false) when `range` is not additive.
  WindowFold(const Expr& range, const EvalParams& params);
  bool Enabled() const { return enabled_; }
  // The first window edge at or after ts (INT64_MAX past the last one): a
  // sample at ts folds into one at an earlier-or-equal a when a <= ts <=
  // IntervalEnd(a).
  int64_t IntervalEnd(int64_t ts) const {
    return std::min(EdgeAtOrAfter(ts, right0_), EdgeAtOrAfter(ts, left0_));
  }
  // Whether two samples (a <= b) lie between the same two window edges.
  bool SameInterval(int64_t a, int64_t b) const { return b <= IntervalEnd(a); }

 private:
  // The first of base + k * step (k in [0, steps]) at or after ts.
  int64_t EdgeAtOrAfter(int64_t ts, int64_t base) const {
    if (ts <= base) return base;
    const uint64_t d = static_cast<uint64_t>(ts) - static_cast<uint64_t>(base);
    const uint64_t k = d / step_ + (d % step_ != 0);
    if (k > steps_) return INT64_MAX;
    return static_cast<int64_t>(static_cast<uint64_t>(base) + k * step_);
  }
  bool enabled_ = false;
  int64_t right0_ = 0, left0_ = 0;  // the first step's window edges
  uint64_t step_ = 1, steps_ = 0;
};

// The series absent_over_time emits: the selector's `=` matchers, minus any
// name that also appears in another matcher.
Labels AbsentLabels(const LogSelectorExpr& selector);

// Loki's "pipeline error: '<type>' for series: '<labels>'. ..." text.
std::string PipelineErrorMessage(const Labels& series);

// Window functions, exposed for tests. Sample ranges are non-empty and sorted.

// Prometheus quantile with linear interpolation; q < 0 gives -Inf, q > 1
// +Inf. NaN sorts lowest. Reorders *values.
double QuantileOverTime(double q, std::vector<double>* values);

// Population variance (Welford, as Loki computes it).
double StdvarOverTime(const Sample* begin, const Sample* end);

// Prometheus-style extrapolated per-second counter rate over the window
// (window_start, window_end]; 0 with fewer than two samples.
double RateCounter(const Sample* begin, const Sample* end, int64_t window_start_ns,
                   int64_t window_end_ns, int64_t range_ns);

// Go's time.Duration.Seconds().
double RangeSeconds(int64_t ns);

}  // namespace lode::logql
