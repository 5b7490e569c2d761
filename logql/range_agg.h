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
