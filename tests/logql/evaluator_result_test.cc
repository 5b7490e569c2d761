// Evaluate(): result types, series order, vector(), and the query limits.
#include "tests/logql/evaluator_test_util.h"

namespace lode::logql {
namespace {

using namespace evaltest;  // NOLINT

TEST(EvaluatorResultTest, InstantVectorSortedByLabels) {
  FakeSource src;
  for (const char* app : {"c", "a", "b"}) src.AddRepeat(L({{"app", app}}), 10, 10, 3);
  auto e = VecAgg(VectorOp::kTopk, Range(RangeOp::kCountOverTime, Sec(60)), std::nullopt, 3);
  EvalResult r = MustEval(*e, Instant(60), &src);
  EXPECT_EQ(r.type, EvalResult::Type::kVector);
  EXPECT_FALSE(r.ordered);  // Loki re-sorts unless the query has sort/sort_desc
  ASSERT_EQ(r.series.size(), 3u);
  EXPECT_EQ(r.series[0].metric, L({{"app", "a"}}));
  EXPECT_EQ(r.series[2].metric, L({{"app", "c"}}));
  EXPECT_EQ(r.series[0].points[0].t_ns, Sec(60));
}

TEST(EvaluatorResultTest, MatrixSortedByLabelsWithStepTimestamps) {
  FakeSource src;
  src.AddRepeat(L({{"app", "b"}}), 10, 10, 30);
  src.AddRepeat(L({{"app", "a"}, {"x", "1"}}), 10, 10, 30);
  src.AddRepeat(L({{"app", "a"}}), 10, 10, 30);
  EvalResult r = MustEval(*Range(RangeOp::kCountOverTime, Sec(60)), RangeQ(60, 120, 30), &src);
  EXPECT_EQ(r.type, EvalResult::Type::kMatrix);
  ASSERT_EQ(r.series.size(), 3u);
  EXPECT_EQ(r.series[0].metric, L({{"app", "a"}}));
  EXPECT_EQ(r.series[1].metric, L({{"app", "a"}, {"x", "1"}}));
  EXPECT_EQ(r.series[2].metric, L({{"app", "b"}}));
  ASSERT_EQ(r.series[0].points.size(), 3u);
  EXPECT_EQ(r.series[0].points[2].t_ns, Sec(120));
}

TEST(EvaluatorResultTest, VectorFunction) {
  FakeSource src;
  EvalResult r = MustEval(*Vec(3.14), Instant(60), &src);
  EXPECT_EQ(r.type, EvalResult::Type::kVector);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_TRUE(r.series[0].metric.empty());
  EXPECT_EQ(r.series[0].points[0].v, 3.14);
  r = MustEval(*Bin(BinOpKind::kAdd, Vec(1), Vec(1)), RangeQ(60, 180, 30), &src);
  EXPECT_EQ(r.type, EvalResult::Type::kMatrix);
  EXPECT_EQ(Rows(r, 60, 180, 30), std::vector<std::string>{"{} 2 2 2 2 2"});
}

TEST(EvaluatorResultTest, MaxSeriesLimit) {
  FakeSource src;
  for (const char* app : {"a", "b", "c"}) src.AddRepeat(L({{"app", app}}), 10, 10, 3);
  auto e = Range(RangeOp::kCountOverTime, Sec(60));
  EvalParams p = Instant(60);
  p.max_series = 2;
  EvalResult r;
  Status st = Evaluate(*e, p, src.AsSource(), &r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kLimitExceeded);
  EXPECT_EQ(st.message().rfind("maximum number of series (2) reached for a single query", 0), 0u);
  p.max_series = 3;
  EXPECT_TRUE(Evaluate(*e, p, src.AsSource(), &r).ok());

  // Range queries count distinct series over all steps.
  FakeSource staggered;
  staggered.Add(L({{"app", "a"}}), {{10, 1}});
  staggered.Add(L({{"app", "b"}}), {{100, 1}});
  EvalParams rp = RangeQ(30, 120, 30);
  rp.max_series = 1;
  st = Evaluate(*Range(RangeOp::kCountOverTime, Sec(30)), rp, staggered.AsSource(), &r);
  EXPECT_EQ(st.code(), Status::Code::kLimitExceeded);
}

TEST(EvaluatorResultTest, ResolutionAndStepChecks) {
  FakeSource src;
  auto e = Range(RangeOp::kCountOverTime, Sec(60));
  EvalResult r;
  EvalParams p = RangeQ(0, 11001, 1);
  Status st = Evaluate(*e, p, src.AsSource(), &r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
            "resolution (?step=XX)");
  EXPECT_TRUE(Evaluate(*e, RangeQ(0, 11000, 1), src.AsSource(), &r).ok());
  p = RangeQ(0, 10, 0);
  EXPECT_FALSE(Evaluate(*e, p, src.AsSource(), &r).ok());
}

TEST(EvaluatorResultTest, LastStepMayFallShortOfEnd) {
  FakeSource src;
  src.AddRepeat(L({{"app", "a"}}), 1, 1, 200);
  EvalResult r = MustEval(*Range(RangeOp::kCountOverTime, Sec(10)), RangeQ(10, 45, 20), &src);
  ASSERT_EQ(r.series.size(), 1u);
  ASSERT_EQ(r.series[0].points.size(), 2u);  // 10s, 30s
  EXPECT_EQ(r.series[0].points[1].t_ns, Sec(30));
}

TEST(EvaluatorResultTest, EmptyInput) {
  FakeSource src;
  EvalResult r =
      MustEval(*VecAgg(VectorOp::kSum, Range(RangeOp::kRate, Sec(60))), Instant(60), &src);
  EXPECT_EQ(r.type, EvalResult::Type::kVector);
  EXPECT_TRUE(r.series.empty());
  r = MustEval(*Bin(BinOpKind::kDiv, Range(RangeOp::kCountOverTime, Sec(60)),
                    Range(RangeOp::kCountOverTime, Sec(60))),
               RangeQ(0, 600, 60), &src);
  EXPECT_EQ(r.type, EvalResult::Type::kMatrix);
  EXPECT_TRUE(r.series.empty());
  auto absent = Range(RangeOp::kAbsentOverTime, Sec(60), RangeOpts().matchers({Eq("app", "x")}));
  EXPECT_EQ(Rows(MustEval(*absent, RangeQ(0, 120, 60), &src), 0, 120, 60),
            std::vector<std::string>{"{app=\"x\"} 1 1 1"});
}

TEST(EvaluatorResultTest, ApproxTopkIsInstantOnly) {
  FakeSource src;
  src.AddRepeat(L({{"app", "a"}}), 10, 10, 3);
  src.AddRepeat(L({{"app", "b"}}), 10, 10, 5);
  auto e = VecAgg(VectorOp::kTopk, Range(RangeOp::kCountOverTime, Sec(60)), std::nullopt, 1);
  e->approx_topk = true;
  EvalResult r = MustEval(*e, Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].metric, L({{"app", "b"}}));
  Status st = Evaluate(*e, RangeQ(0, 60, 10), src.AsSource(), &r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "count min sketches are only supported on instant queries");
}

TEST(EvaluatorResultTest, LogSelectorIsNotAMetric) {
  FakeSource src;
  Expr e;
  e.kind = Expr::Kind::kLogSelector;
  EvalResult r;
  EXPECT_FALSE(Evaluate(e, Instant(60), src.AsSource(), &r).ok());
}

}  // namespace
}  // namespace lode::logql
