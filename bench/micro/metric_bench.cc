// Metric evaluation (logql::Evaluate) with a synthetic SampleSource: 100,000
// samples over 10 series, evaluated at 1,000 steps of 1 minute with 5 minute
// windows. Measures the window computations and aggregations, not storage.
#include <benchmark/benchmark.h>

#include "logql/evaluator.h"
#include "logql/syntax/parser.h"

namespace lode::micro {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kStep = 60 * kSec;
constexpr int kSteps = 1000;
constexpr int kSeries = 10;
constexpr int kSamples = 100'000;
constexpr int64_t kStart = 1'700'000'000LL * kSec;
constexpr int64_t kEnd = kStart + (kSteps - 1) * kStep;

// Samples in (from, to], spread evenly over the series and the span.
std::vector<logql::SampleSeries> MakeSeries(int64_t from, int64_t to) {
  std::vector<logql::SampleSeries> out(kSeries);
  const char* levels[] = {"debug", "info", "warn", "error"};
  for (int s = 0; s < kSeries; ++s) {
    out[s].labels = {
        {"app", "api"}, {"instance", "api-" + std::to_string(s)}, {"level", levels[s % 4]}};
    out[s].samples.reserve(kSamples / kSeries);
  }
  const int64_t spacing = (to - from) / kSamples;
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < kSamples; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double v = static_cast<double>(x % 10000) / 10.0;  // e.g. latency_ms
    out[i % kSeries].samples.push_back({from + 1 + i * spacing, v});
  }
  return out;
}

void RunMetric(benchmark::State& state, const char* query) {
  logql::ExprPtr expr;
  Status s = logql::ParseExpr(query, &expr);
  if (!s.ok()) {
    state.SkipWithError(s.message().c_str());
    return;
  }
  logql::EvalParams p;
  p.start_ns = kStart;
  p.end_ns = kEnd;
  p.step_ns = kStep;
  p.max_points_per_series = 11000;
  std::vector<logql::SampleSeries> cached;
  int64_t cached_from = 0, cached_to = 0;
  logql::SampleSource source = [&](const logql::Expr&, int64_t from, int64_t to,
                                   std::vector<logql::SampleSeries>* out) {
    if (cached.empty() || from != cached_from || to != cached_to) {
      cached = MakeSeries(from, to);
      cached_from = from;
      cached_to = to;
    }
    *out = cached;
    return Status::OK();
  };
  size_t points = 0;
  for (auto _ : state) {
    logql::EvalResult r;
    s = logql::Evaluate(*expr, p, source, &r);
    if (!s.ok()) {
      state.SkipWithError(s.message().c_str());
      return;
    }
    points = 0;
    for (const auto& se : r.series) points += se.points.size();
    benchmark::DoNotOptimize(r.series.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSamples));
  state.counters["points"] = static_cast<double>(points);
}

#define METRIC_BENCH(name, query) \
  BENCHMARK_CAPTURE(RunMetric, name, query)->Unit(benchmark::kMillisecond)

METRIC_BENCH(count_over_time, R"q(count_over_time({app="api"}[5m]))q");
METRIC_BENCH(sum_count_by_level, R"q(sum by (level) (count_over_time({app="api"}[5m])))q");
METRIC_BENCH(rate, R"q(rate({app="api"}[5m]))q");
METRIC_BENCH(bytes_rate, R"q(bytes_rate({app="api"}[5m]))q");
METRIC_BENCH(sum_over_time, R"q(sum_over_time({app="api"} | unwrap latency_ms [5m]))q");
METRIC_BENCH(avg_over_time, R"q(avg_over_time({app="api"} | unwrap latency_ms [5m]))q");
METRIC_BENCH(quantile_over_time,
             R"q(quantile_over_time(0.99, {app="api"} | unwrap latency_ms [5m]) by (app))q");
METRIC_BENCH(topk_sum_rate, R"q(topk(5, sum by (instance) (rate({app="api"}[5m]))))q");
METRIC_BENCH(binop_ratio,
             R"q(sum(rate({app="api"}[5m])) / sum(count_over_time({app="api"}[5m])))q");

}  // namespace
}  // namespace lode::micro
