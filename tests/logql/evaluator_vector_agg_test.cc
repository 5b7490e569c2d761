// Vector aggregations: grouping, NaN/Inf rules, topk/bottomk selection and
// sort order (cases mirror Loki's vector_aggregations.logqltest).
#include <cmath>
#include <limits>

#include "logql/vector_agg.h"
#include "tests/logql/evaluator_test_util.h"

namespace lode::logql {
namespace {

using namespace evaltest;  // NOLINT

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Four series whose count_over_time([1m]) at 60s is 6, 12, 12 and 30.
void LoadCounts(FakeSource* src) {
  src->AddRepeat(L({{"app", "foo"}, {"pod", "a"}, {"zone", "eu"}}), 10, 10, 6);
  src->AddRepeat(L({{"app", "foo"}, {"pod", "b"}, {"zone", "eu"}}), 5, 5, 12);
  src->AddRepeat(L({{"app", "bar"}, {"pod", "a"}, {"zone", "us"}}), 5, 5, 12);
  src->AddRepeat(L({{"app", "bar"}, {"pod", "b"}, {"zone", "us"}}), 2, 2, 30);
}

ExprPtr Counts() { return Range(RangeOp::kCountOverTime, Sec(60)); }

double One(const EvalResult& r, const Labels& ls) {
  std::optional<double> v = At(r, ls, 60);
  EXPECT_TRUE(v.has_value()) << LabelsToString(ls);
  return v.value_or(-12345);
}

TEST(EvaluatorVectorAggTest, AggregatesWithoutGroupingIntoOneSeries) {
  FakeSource src;
  LoadCounts(&src);
  const Labels none;
  EXPECT_EQ(One(MustEval(*VecAgg(VectorOp::kSum, Counts()), Instant(60), &src), none), 60);
  EXPECT_EQ(One(MustEval(*VecAgg(VectorOp::kAvg, Counts()), Instant(60), &src), none), 15);
  EXPECT_EQ(One(MustEval(*VecAgg(VectorOp::kMin, Counts()), Instant(60), &src), none), 6);
  EXPECT_EQ(One(MustEval(*VecAgg(VectorOp::kMax, Counts()), Instant(60), &src), none), 30);
  EXPECT_EQ(One(MustEval(*VecAgg(VectorOp::kCount, Counts()), Instant(60), &src), none), 4);
  EXPECT_EQ(One(MustEval(*VecAgg(VectorOp::kStddev, Counts()), Instant(60), &src), none), 9);
  EXPECT_EQ(One(MustEval(*VecAgg(VectorOp::kStdvar, Counts()), Instant(60), &src), none), 81);
  EXPECT_EQ(Rows(MustEval(*VecAgg(VectorOp::kSum, Counts()), RangeQ(20, 60, 20), &src), 20, 60, 20),
            std::vector<std::string>{"{} 20 40 60"});
}

TEST(EvaluatorVectorAggTest, ByAndWithout) {
  FakeSource src;
  LoadCounts(&src);
  EvalResult r = MustEval(*VecAgg(VectorOp::kAvg, Counts(), By({"app"})), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(One(r, L({{"app", "foo"}})), 9);
  EXPECT_EQ(One(r, L({{"app", "bar"}})), 21);
  r = MustEval(*VecAgg(VectorOp::kStdvar, Counts(), Without({"pod"})), Instant(60), &src);
  EXPECT_EQ(One(r, L({{"app", "foo"}, {"zone", "eu"}})), 9);
  EXPECT_EQ(One(r, L({{"app", "bar"}, {"zone", "us"}})), 81);
  r = MustEval(*VecAgg(VectorOp::kSum, Counts(), Without({"zone", "pod"})), Instant(60), &src);
  EXPECT_EQ(One(r, L({{"app", "foo"}})), 18);
  r = MustEval(*VecAgg(VectorOp::kMax, Counts(), Without({})), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 4u);
  EXPECT_EQ(One(r, L({{"app", "bar"}, {"pod", "b"}, {"zone", "us"}})), 30);
  r = MustEval(*VecAgg(VectorOp::kCount, Counts(), By({})), Instant(60), &src);
  EXPECT_EQ(One(r, Labels{}), 4);
  // A grouping label the series lack is simply absent from the group.
  r = MustEval(*VecAgg(VectorOp::kSum, Counts(), By({"app", "missing"})), Instant(60), &src);
  EXPECT_EQ(One(r, L({{"app", "bar"}})), 42);
}

TEST(EvaluatorVectorAggTest, CountFollowsSeriesEnteringTheWindow) {
  FakeSource src;
  src.AddRepeat(L({{"app", "foo"}, {"pod", "a"}}), 10, 10, 18);
  src.AddRepeat(L({{"app", "foo"}, {"pod", "b"}}), 30, 10, 16);
  src.AddRepeat(L({{"app", "bar"}, {"pod", "a"}}), 50, 10, 14);
  auto e = VecAgg(VectorOp::kCount, Counts(), By({"app"}));
  EXPECT_EQ(Rows(MustEval(*e, RangeQ(20, 60, 20), &src), 20, 60, 20),
            (std::vector<std::string>{"{app=\"bar\"} _ _ 1", "{app=\"foo\"} 1 2 2"}));
}

// One single-sample series per special value; max_over_time passes it through.
void LoadSpecial(FakeSource* src) {
  src->Add(L({{"k", "fin"}}), {{30, 2}});
  src->Add(L({{"k", "nan"}}), {{30, kNaN}});
  src->Add(L({{"k", "pinf"}}), {{30, kInf}});
  src->Add(L({{"k", "ninf"}}), {{30, -kInf}});
}

double Special(VectorOp op, std::vector<const char*> keys, std::optional<double> k = std::nullopt,
               Labels* picked = nullptr) {
  FakeSource all;
  LoadSpecial(&all);
  FakeSource src;
  for (const SampleSeries& s : all.all) {
    for (const char* key : keys) {
      if (s.labels[0].value == key) src.all.push_back(s);
    }
  }
  auto e =
      VecAgg(op, Range(RangeOp::kMaxOverTime, Sec(60), RangeOpts().unwrap(true)), std::nullopt, k);
  EvalResult r = MustEval(*e, Instant(60), &src);
  EXPECT_EQ(r.series.size(), 1u);
  if (r.series.empty()) return -12345;
  if (picked) *picked = r.series[0].metric;
  return r.series[0].points[0].v;
}

TEST(EvaluatorVectorAggTest, SpecialValues) {
  EXPECT_TRUE(std::isnan(Special(VectorOp::kSum, {"fin", "nan"})));
  EXPECT_EQ(Special(VectorOp::kSum, {"fin", "pinf"}), kInf);
  EXPECT_TRUE(std::isnan(Special(VectorOp::kSum, {"pinf", "ninf"})));
  EXPECT_TRUE(std::isnan(Special(VectorOp::kAvg, {"fin", "nan"})));
  EXPECT_EQ(Special(VectorOp::kAvg, {"fin", "pinf"}), kInf);
  EXPECT_EQ(Special(VectorOp::kAvg, {"pinf", "fin"}), kInf);
  EXPECT_TRUE(std::isnan(Special(VectorOp::kAvg, {"pinf", "ninf"})));
  EXPECT_TRUE(std::isnan(Special(VectorOp::kAvg, {"pinf", "nan"})));
  EXPECT_EQ(Special(VectorOp::kMin, {"fin", "nan"}), 2);
  EXPECT_EQ(Special(VectorOp::kMin, {"pinf", "ninf"}), -kInf);
  EXPECT_EQ(Special(VectorOp::kMin, {"pinf", "nan"}), kInf);
  EXPECT_EQ(Special(VectorOp::kMax, {"fin", "nan"}), 2);
  EXPECT_EQ(Special(VectorOp::kMax, {"ninf", "nan"}), -kInf);
  EXPECT_EQ(Special(VectorOp::kCount, {"fin", "nan", "pinf"}), 3);
  EXPECT_TRUE(std::isnan(Special(VectorOp::kStddev, {"fin", "pinf"})));
  EXPECT_TRUE(std::isnan(Special(VectorOp::kStdvar, {"fin", "nan"})));
}

TEST(EvaluatorVectorAggTest, TopkAndBottomkSkipNaN) {
  Labels picked;
  EXPECT_EQ(Special(VectorOp::kTopk, {"fin", "nan"}, 1, &picked), 2);
  EXPECT_EQ(picked, L({{"k", "fin"}}));
  EXPECT_EQ(Special(VectorOp::kTopk, {"nan", "fin"}, 1, &picked), 2);
  EXPECT_EQ(Special(VectorOp::kTopk, {"pinf", "ninf"}, 1), kInf);
  EXPECT_EQ(Special(VectorOp::kTopk, {"ninf", "nan"}, 1), -kInf);
  EXPECT_EQ(Special(VectorOp::kBottomk, {"fin", "pinf"}, 1), 2);
  EXPECT_EQ(Special(VectorOp::kBottomk, {"pinf", "nan"}, 1), kInf);
  EXPECT_EQ(Special(VectorOp::kBottomk, {"pinf", "ninf"}, 1, &picked), -kInf);
  EXPECT_EQ(picked, L({{"k", "ninf"}}));
}

TEST(EvaluatorVectorAggTest, TopkSelectsPerGroupKeepingInputLabels) {
  FakeSource src;
  src.AddRepeat(L({{"app", "foo"}, {"pod", "a"}}), 10, 10, 6);
  src.AddRepeat(L({{"app", "foo"}, {"pod", "b"}}), 5, 5, 12);
  src.AddRepeat(L({{"app", "bar"}, {"pod", "a"}}), 4, 4, 15);
  src.AddRepeat(L({{"app", "bar"}, {"pod", "b"}}), 2, 2, 30);
  auto top2 = VecAgg(VectorOp::kTopk, Counts(), std::nullopt, 2);
  EXPECT_EQ(Rows(MustEval(*top2, RangeQ(20, 60, 20), &src), 20, 60, 20),
            (std::vector<std::string>{"{app=\"bar\", pod=\"a\"} 5 10 15",
                                      "{app=\"bar\", pod=\"b\"} 10 20 30"}));
  EvalResult r = MustEval(*VecAgg(VectorOp::kTopk, Counts(), By({"app"}), 1), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(One(r, L({{"app", "foo"}, {"pod", "b"}})), 12);
  EXPECT_EQ(One(r, L({{"app", "bar"}, {"pod", "b"}})), 30);
  r = MustEval(*VecAgg(VectorOp::kBottomk, Counts(), Without({"app"}), 1), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(One(r, L({{"app", "foo"}, {"pod", "a"}})), 6);
  EXPECT_EQ(One(r, L({{"app", "foo"}, {"pod", "b"}})), 12);
  r = MustEval(*VecAgg(VectorOp::kTopk, Counts(), Without({}), 1), Instant(60), &src);
  EXPECT_EQ(r.series.size(), 4u);
  r = MustEval(*VecAgg(VectorOp::kTopk, Counts(), std::nullopt, 10), Instant(60), &src);
  EXPECT_EQ(r.series.size(), 4u);
  r = MustEval(*VecAgg(VectorOp::kTopk, Counts(), std::nullopt, 0), Instant(60), &src);
  EXPECT_TRUE(r.series.empty());
}

TEST(EvaluatorVectorAggTest, TopkTiesAreDeterministic) {
  FakeSource src;
  for (const char* pod : {"d", "b", "c", "a"}) src.AddRepeat(L({{"pod", pod}}), 10, 10, 3);
  auto e = VecAgg(VectorOp::kTopk, Counts(), std::nullopt, 2);
  EvalResult first = MustEval(*e, Instant(60), &src);
  ASSERT_EQ(first.series.size(), 2u);
  for (int i = 0; i < 5; ++i) {
    EvalResult again = MustEval(*e, Instant(60), &src);
    ASSERT_EQ(again.series.size(), 2u);
    EXPECT_EQ(again.series[0].metric, first.series[0].metric);
    EXPECT_EQ(again.series[1].metric, first.series[1].metric);
  }
}

TEST(EvaluatorVectorAggTest, SortOrdersByValueNaNLast) {
  FakeSource src;
  LoadSpecial(&src);
  auto inner = [] { return Range(RangeOp::kMaxOverTime, Sec(60), RangeOpts().unwrap(true)); };
  EvalResult asc = MustEval(*VecAgg(VectorOp::kSort, inner()), Instant(60), &src);
  EXPECT_TRUE(asc.ordered);
  ASSERT_EQ(asc.series.size(), 4u);
  EXPECT_EQ(asc.series[0].metric, L({{"k", "ninf"}}));
  EXPECT_EQ(asc.series[1].metric, L({{"k", "fin"}}));
  EXPECT_EQ(asc.series[2].metric, L({{"k", "pinf"}}));
  EXPECT_EQ(asc.series[3].metric, L({{"k", "nan"}}));
  EvalResult desc = MustEval(*VecAgg(VectorOp::kSortDesc, inner()), Instant(60), &src);
  ASSERT_EQ(desc.series.size(), 4u);
  EXPECT_EQ(desc.series[0].metric, L({{"k", "pinf"}}));
  EXPECT_EQ(desc.series[1].metric, L({{"k", "fin"}}));
  EXPECT_EQ(desc.series[2].metric, L({{"k", "ninf"}}));
  EXPECT_EQ(desc.series[3].metric, L({{"k", "nan"}}));
}

TEST(EvaluatorVectorAggTest, SortOrderSurvivesArithmetic) {
  FakeSource src;
  src.AddRepeat(L({{"pod", "a"}}), 10, 10, 5);
  src.AddRepeat(L({{"pod", "b"}}), 10, 10, 2);
  src.AddRepeat(L({{"pod", "c"}}), 10, 10, 4);
  auto e = Bin(BinOpKind::kAdd, VecAgg(VectorOp::kSortDesc, Counts()), Lit(1));
  EvalResult r = MustEval(*e, Instant(60), &src);
  ASSERT_TRUE(r.ordered);
  ASSERT_EQ(r.series.size(), 3u);
  EXPECT_EQ(r.series[0].metric, L({{"pod", "a"}}));
  EXPECT_EQ(r.series[0].points[0].v, 6);
  EXPECT_EQ(r.series[2].metric, L({{"pod", "b"}}));
}

}  // namespace
}  // namespace lode::logql
