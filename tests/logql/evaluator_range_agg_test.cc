// Range aggregations: windows, offsets, every range function and its NaN/Inf
// rules (cases mirror Loki's range_aggregations.logqltest).
#include <cmath>
#include <limits>
#include <random>

#include "logql/range_agg.h"
#include "tests/logql/evaluator_test_util.h"

namespace lode::logql {
namespace {

using namespace evaltest;  // NOLINT

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(EvaluatorRangeAggTest, WindowIsHalfOpen) {
  FakeSource src;
  src.AddRepeat(L({{"app", "foo"}}), 0, 10, 13);
  auto e = Range(RangeOp::kRate, Sec(30));
  EvalResult r = MustEval(*e, Instant(60), &src);
  ASSERT_EQ(r.type, EvalResult::Type::kVector);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_DOUBLE_EQ(r.series[0].points[0].v, 0.1);  // (30s,60s] holds 40, 50, 60
  r = MustEval(*e, RangeQ(60, 120, 15), &src);
  EXPECT_EQ(Rows(r, 60, 120, 15), std::vector<std::string>{"{app=\"foo\"} 0.1 0.1 0.1 0.1 0.1"});
}

TEST(EvaluatorRangeAggTest, CountOverTimeOverlappingGapsAndOffset) {
  FakeSource src;
  src.AddRepeat(L({{"app", "a"}}), 0, 10, 61);  // 0s..600s
  auto e = Range(RangeOp::kCountOverTime, Sec(60));
  EXPECT_EQ(Rows(MustEval(*e, RangeQ(60, 120, 30), &src), 60, 120, 30),
            std::vector<std::string>{"{app=\"a\"} 6 6 6"});
  EXPECT_EQ(Rows(MustEval(*e, RangeQ(60, 180, 90), &src), 60, 180, 90),
            std::vector<std::string>{"{app=\"a\"} 6 6"});
  EXPECT_EQ(Rows(MustEval(*e, RangeQ(600, 720, 60), &src), 600, 720, 60),
            std::vector<std::string>{"{app=\"a\"} 6 _ _"});
  EXPECT_TRUE(MustEval(*e, Instant(720), &src).series.empty());

  auto off = Range(RangeOp::kCountOverTime, Sec(60), RangeOpts().offset_ns(Sec(90)));
  EXPECT_EQ(Rows(MustEval(*off, RangeQ(60, 150, 30), &src), 60, 150, 30),
            std::vector<std::string>{"{app=\"a\"} _ 1 4 6"});
  auto single = Range(RangeOp::kCountOverTime, Sec(10));
  EXPECT_EQ(Rows(MustEval(*single, RangeQ(40, 60, 10), &src), 40, 60, 10),
            std::vector<std::string>{"{app=\"a\"} 1 1 1"});
}

TEST(EvaluatorRangeAggTest, AsksSourceOnceForTheWholeSpan) {
  FakeSource src;
  src.AddRepeat(L({{"app", "a"}}), 0, 10, 10);
  auto e = Range(RangeOp::kCountOverTime, Sec(60), RangeOpts().offset_ns(Sec(5)));
  MustEval(*e, RangeQ(100, 200, 10), &src);
  EXPECT_EQ(src.calls, 1);
  EXPECT_EQ(src.last_from, Sec(100 - 60 - 5));
  EXPECT_EQ(src.last_to, Sec(200 - 5));
}

TEST(EvaluatorRangeAggTest, BytesRateAndBytesOverTime) {
  FakeSource src;
  src.AddRepeat(L({{"app", "a"}}), 0, 10, 13, 4);
  src.AddRepeat(L({{"app", "b"}}), 0, 10, 13, 5);
  auto rate = Range(RangeOp::kBytesRate, Sec(30));
  EXPECT_EQ(Rows(MustEval(*rate, RangeQ(60, 120, 15), &src), 60, 120, 15),
            (std::vector<std::string>{"{app=\"a\"} 0.4 0.4 0.4 0.4 0.4",
                                      "{app=\"b\"} 0.5 0.5 0.5 0.5 0.5"}));
  auto apart = Range(RangeOp::kBytesRate, Sec(20));
  EXPECT_EQ(Rows(MustEval(*apart, RangeQ(60, 150, 30), &src), 60, 150, 30),
            (std::vector<std::string>{"{app=\"a\"} 0.4 0.4 0.4 _", "{app=\"b\"} 0.5 0.5 0.5 _"}));
  auto off = Range(RangeOp::kBytesRate, Sec(20), RangeOpts().offset_ns(Sec(90)));
  EXPECT_EQ(Rows(MustEval(*off, RangeQ(60, 150, 30), &src), 60, 150, 30),
            (std::vector<std::string>{"{app=\"a\"} _ 0.2 0.4 0.4", "{app=\"b\"} _ 0.25 0.5 0.5"}));
  auto total = Range(RangeOp::kBytesOverTime, Sec(30));
  EXPECT_EQ(At(MustEval(*total, Instant(60), &src), L({{"app", "a"}}), 60), 12);
}

TEST(EvaluatorRangeAggTest, RateOfUnwrappedValuesSums) {
  FakeSource src;
  src.AddRepeat(L({{"app", "foo"}}), 0, 10, 13, 2);
  auto e = Range(RangeOp::kRate, Sec(30), RangeOpts().unwrap(true));
  EXPECT_DOUBLE_EQ(*At(MustEval(*e, Instant(60), &src), L({{"app", "foo"}}), 60), 0.2);
}

TEST(EvaluatorRangeAggTest, SubSecondRange) {
  FakeSource src;
  src.AddRepeat(L({{"app", "b"}}), 0.1, 0.2, 6);  // 100ms..1100ms
  auto e = Range(RangeOp::kRate, Sec(0.5));
  EXPECT_DOUBLE_EQ(*At(MustEval(*e, Instant(0.5), &src), L({{"app", "b"}}), 0.5), 6);
  auto off = Range(RangeOp::kRate, Sec(0.5), RangeOpts().offset_ns(Sec(0.5)));
  EXPECT_EQ(Rows(MustEval(*off, RangeQ(1.0, 1.6, 0.3), &src), 1.0, 1.6, 0.3),
            std::vector<std::string>{"{app=\"b\"} 6 4 6"});
}

TEST(EvaluatorRangeAggTest, FirstAndLastKeepNaN) {
  FakeSource src;
  src.Add(L({{"app", "a"}}), {{10, 10}, {20, 20}, {30, 30}, {90, 40}, {100, kNaN}});
  auto first = Range(RangeOp::kFirstOverTime, Sec(20), RangeOpts().unwrap(true));
  auto last = Range(RangeOp::kLastOverTime, Sec(20), RangeOpts().unwrap(true));
  EXPECT_EQ(Rows(MustEval(*first, RangeQ(20, 40, 10), &src), 20, 40, 10),
            std::vector<std::string>{"{app=\"a\"} 10 20 30"});
  EXPECT_EQ(Rows(MustEval(*last, RangeQ(20, 40, 10), &src), 20, 40, 10),
            std::vector<std::string>{"{app=\"a\"} 20 30 30"});
  EXPECT_EQ(Rows(MustEval(*first, RangeQ(30, 90, 30), &src), 30, 90, 30),
            std::vector<std::string>{"{app=\"a\"} 20 _ 40"});
  auto last30 = Range(RangeOp::kLastOverTime, Sec(30), RangeOpts().unwrap(true));
  EXPECT_TRUE(std::isnan(*At(MustEval(*last30, Instant(110), &src), L({{"app", "a"}}), 110)));
}

TEST(EvaluatorRangeAggTest, QuantileInterpolatesAndClamps) {
  FakeSource src;
  src.Add(L({{"app", "a"}}), {{10, 1}, {20, 2}, {30, 3}, {40, 4}, {50, 5}, {110, 6}});
  const Labels a = L({{"app", "a"}});
  auto q = [&](double param, double range, double at) {
    auto e = Range(RangeOp::kQuantileOverTime, Sec(range), RangeOpts().unwrap(true).param(param));
    return *At(MustEval(*e, Instant(at), &src), a, at);
  };
  EXPECT_DOUBLE_EQ(q(0, 60, 60), 1);
  EXPECT_DOUBLE_EQ(q(0.25, 60, 60), 2);
  EXPECT_DOUBLE_EQ(q(0.4, 60, 60), 2.6);
  EXPECT_DOUBLE_EQ(q(1, 60, 60), 5);
  EXPECT_DOUBLE_EQ(q(0.5, 15, 50), 4.5);
  EXPECT_DOUBLE_EQ(q(0.5, 5, 10), 1);  // single sample
  EXPECT_EQ(q(1.5, 60, 60), kInf);
  auto e = Range(RangeOp::kQuantileOverTime, Sec(15),
                 RangeOpts().offset_ns(Sec(20)).unwrap(true).param(0.5));
  EXPECT_EQ(Rows(MustEval(*e, RangeQ(50, 110, 30), &src), 50, 110, 30),
            std::vector<std::string>{"{app=\"a\"} 2.5 5 _"});
}

TEST(EvaluatorRangeAggTest, QuantileFunctionEdgeCases) {
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(QuantileOverTime(0.5, &none)));
  std::vector<double> v{3, 1, 2};
  EXPECT_EQ(QuantileOverTime(-0.1, &v), -kInf);
  std::vector<double> with_nan{kNaN, 5, 1};  // NaN sorts lowest
  EXPECT_DOUBLE_EQ(QuantileOverTime(1, &with_nan), 5);
  std::vector<double> with_nan2{kNaN, 5, 1};
  EXPECT_TRUE(std::isnan(QuantileOverTime(0, &with_nan2)));
}

TEST(EvaluatorRangeAggTest, MinMaxSkipNaNUnlessAllNaN) {
  FakeSource src;
  src.Add(L({{"c", "neg"}}), {{20, -5}, {30, -1}, {40, -10}});
  src.Add(L({{"c", "lead"}}), {{20, kNaN}, {30, 7}, {40, 13}});
  src.Add(L({{"c", "allnan"}}), {{20, kNaN}, {40, kNaN}});
  auto min = Range(RangeOp::kMinOverTime, Sec(60), RangeOpts().unwrap(true));
  auto max = Range(RangeOp::kMaxOverTime, Sec(60), RangeOpts().unwrap(true));
  EvalResult rmin = MustEval(*min, Instant(60), &src);
  EvalResult rmax = MustEval(*max, Instant(60), &src);
  EXPECT_EQ(*At(rmin, L({{"c", "neg"}}), 60), -10);
  EXPECT_EQ(*At(rmax, L({{"c", "neg"}}), 60), -1);
  EXPECT_EQ(*At(rmin, L({{"c", "lead"}}), 60), 7);
  EXPECT_EQ(*At(rmax, L({{"c", "lead"}}), 60), 13);
  EXPECT_TRUE(std::isnan(*At(rmin, L({{"c", "allnan"}}), 60)));
  auto off = Range(RangeOp::kMaxOverTime, Sec(20), RangeOpts().offset_ns(Sec(30)).unwrap(true));
  EXPECT_EQ(Rows(MustEval(*off, RangeQ(40, 100, 20), &src), 40, 100, 20),
            (std::vector<std::string>{"{c=\"allnan\"} _ nan nan _", "{c=\"lead\"} _ 7 13 _",
                                      "{c=\"neg\"} _ -1 -10 _"}));
}

TEST(EvaluatorRangeAggTest, SumAndAvgNonFiniteRules) {
  FakeSource src;
  src.Add(L({{"c", "mixed"}}), {{20, -3}, {30, 5}, {40, 10}});
  src.Add(L({{"c", "nan"}}), {{20, 7}, {40, kNaN}});
  src.Add(L({{"c", "inf"}}), {{20, kInf}, {40, -kInf}});
  src.Add(L({{"c", "posinf"}}), {{20, kInf}, {40, 5}});
  auto sum = Range(RangeOp::kSumOverTime, Sec(60), RangeOpts().unwrap(true));
  EvalResult r = MustEval(*sum, Instant(60), &src);
  EXPECT_EQ(*At(r, L({{"c", "mixed"}}), 60), 12);
  EXPECT_TRUE(std::isnan(*At(r, L({{"c", "nan"}}), 60)));
  EXPECT_TRUE(std::isnan(*At(r, L({{"c", "inf"}}), 60)));
  auto off = Range(RangeOp::kSumOverTime, Sec(20), RangeOpts().offset_ns(Sec(30)).unwrap(true));
  EXPECT_EQ(Rows(MustEval(*off, RangeQ(40, 100, 20), &src), 40, 100, 20),
            (std::vector<std::string>{"{c=\"inf\"} _ inf -inf _", "{c=\"mixed\"} _ 2 10 _",
                                      "{c=\"nan\"} _ 7 nan _", "{c=\"posinf\"} _ inf 5 _"}));
  auto avg = Range(RangeOp::kAvgOverTime, Sec(60), RangeOpts().unwrap(true));
  r = MustEval(*avg, Instant(60), &src);
  EXPECT_DOUBLE_EQ(*At(r, L({{"c", "mixed"}}), 60), 4);
  EXPECT_EQ(*At(r, L({{"c", "posinf"}}), 60), kInf);
  EXPECT_TRUE(std::isnan(*At(r, L({{"c", "inf"}}), 60)));
}

TEST(EvaluatorRangeAggTest, StdvarAndStddev) {
  FakeSource src;
  src.Add(L({{"c", "single"}}), {{30, 5}});
  src.Add(L({{"c", "constant"}}), {{20, 4}, {30, 4}, {40, 4}});
  src.Add(L({{"c", "vary"}}), {{20, 2}, {40, 6}});
  src.Add(L({{"c", "late"}}), {{80, 10}, {90, 30}});
  auto var = Range(RangeOp::kStdvarOverTime, Sec(60), RangeOpts().unwrap(true));
  auto dev = Range(RangeOp::kStddevOverTime, Sec(60), RangeOpts().unwrap(true));
  EXPECT_EQ(Rows(MustEval(*var, RangeQ(60, 130, 70), &src), 60, 130, 70),
            (std::vector<std::string>{"{c=\"constant\"} 0 _", "{c=\"late\"} _ 100",
                                      "{c=\"single\"} 0 _", "{c=\"vary\"} 4 _"}));
  EXPECT_EQ(*At(MustEval(*dev, Instant(60), &src), L({{"c", "vary"}}), 60), 2);
}

TEST(EvaluatorRangeAggTest, RateCounterExtrapolation) {
  FakeSource src;
  src.Add(L({{"app", "a"}}), {{90, 100},
                              {120, 130},
                              {150, 160},
                              {180, 250},
                              {210, 280},
                              {240, 340},
                              {330, 400},
                              {360, 430},
                              {390, 460},
                              {420, 550},
                              {450, 580},
                              {480, 640}});
  auto e = Range(RangeOp::kRateCounter, Sec(60), RangeOpts().unwrap(true));
  EXPECT_EQ(Rows(MustEval(*e, RangeQ(60, 540, 60), &src), 60, 540, 60),
            std::vector<std::string>{"{app=\"a\"} _ 1 3 2 _ 1 3 2 _"});
  auto wide = Range(RangeOp::kRateCounter, Sec(180), RangeOpts().unwrap(true));
  EXPECT_EQ(Rows(MustEval(*wide, RangeQ(240, 360, 60), &src), 240, 360, 60),
            std::vector<std::string>{"{app=\"a\"} 1.6 1.5 1"});
  auto one = Range(RangeOp::kRateCounter, Sec(10), RangeOpts().unwrap(true));
  EXPECT_EQ(*At(MustEval(*one, Instant(90), &src), L({{"app", "a"}}), 90), 0);
  EXPECT_TRUE(MustEval(*one, Instant(300), &src).series.empty());
}

TEST(EvaluatorRangeAggTest, RateCounterResetsZeroPointAndCaps) {
  auto rc = [](std::vector<std::pair<double, double>> pts, double range, double at) {
    std::vector<Sample> s;
    for (auto [t, v] : pts) {
      if (t > at - range && t <= at) s.push_back({Sec(t), v});
    }
    return RateCounter(s.data(), s.data() + s.size(), Sec(at - range), Sec(at), Sec(range));
  };
  std::vector<std::pair<double, double>> reset{{30, 30}, {60, 60}, {90, 90}, {120, 30}, {150, 60}};
  EXPECT_DOUBLE_EQ(rc(reset, 120, 150), 1);
  EXPECT_DOUBLE_EQ(rc(reset, 60, 120), 1);
  std::vector<std::pair<double, double>> zero{{75, 30}, {105, 90}, {135, 150}};
  EXPECT_DOUBLE_EQ(rc(zero, 60, 105), 1.5);
  EXPECT_DOUBLE_EQ(rc(zero, 60, 135), 2);
  std::vector<std::pair<double, double>> far{{150, 600}, {180, 660}};
  EXPECT_DOUBLE_EQ(rc(far, 90, 180), 1);
  EXPECT_DOUBLE_EQ(rc(far, 90, 210), 2);
  EXPECT_DOUBLE_EQ(rc(far, 150, 240), 0.8);
  std::vector<std::pair<double, double>> order{{180, 40}, {210, 100}};
  EXPECT_DOUBLE_EQ(rc(order, 90, 210), 1);  // threshold cap before the zero point
}

TEST(EvaluatorRangeAggTest, AbsentOverTimeUsesEqualityMatchers) {
  FakeSource src;
  src.Add(L({{"job", "x"}, {"env", "prod"}}), {{60, 1}});
  auto e = Range(RangeOp::kAbsentOverTime, Sec(60),
                 RangeOpts().matchers({Eq("job", "x"), Re("env", ".+")}));
  EvalResult r = MustEval(*e, Instant(120), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].metric, L({{"job", "x"}}));
  EXPECT_EQ(r.series[0].points[0].v, 1);
  EXPECT_TRUE(MustEval(*e, RangeQ(60, 110, 50), &src).series.empty());
  auto off = Range(RangeOp::kAbsentOverTime, Sec(60),
                   RangeOpts().offset_ns(Sec(60)).matchers({Eq("job", "x"), Re("env", ".+")}));
  EXPECT_EQ(Rows(MustEval(*off, RangeQ(120, 240, 60), &src), 120, 240, 60),
            std::vector<std::string>{"{job=\"x\"} _ 1 1"});
}

TEST(EvaluatorRangeAggTest, AbsentLabelsDropRepeatedNames) {
  LogSelectorExpr sel;
  sel.matchers = {Eq("a", "1"), Eq("b", "2"), Eq("a", "3"), Re("c", "x"), Eq("d", "")};
  EXPECT_EQ(AbsentLabels(sel), L({{"b", "2"}}));
}

TEST(EvaluatorRangeAggTest, ErrorLabelFailsOnlyWhereSamplesAre) {
  FakeSource src;
  src.Add(L({{"app", "a"}, {"__error__", "SampleExtractionErr"}}), {{100, 1}});
  src.Add(L({{"app", "a"}}), {{10, 1}});
  auto e = Range(RangeOp::kSumOverTime, Sec(30), RangeOpts().unwrap(true));
  EvalResult r;
  Status st = Evaluate(*e, Instant(30), src.AsSource(), &r);
  EXPECT_TRUE(st.ok()) << st.message();
  st = Evaluate(*e, RangeQ(30, 120, 30), src.AsSource(), &r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("pipeline error: 'SampleExtractionErr' for series: "
                               "'{__error__=\"SampleExtractionErr\", app=\"a\"}'.\n",
                               0),
            0u)
      << st.message();

  FakeSource kept;
  kept.Add(L({{"__error__", "E"}, {"__preserve_error__", "true"}}), {{20, 1}});
  EXPECT_EQ(MustEval(*e, Instant(30), &kept).series.size(), 1u);
}

TEST(EvaluatorRangeAggTest, MergesSeriesWithIdenticalLabels) {
  FakeSource src;
  // by (app) applied at the source: two pods arrive with the same labels.
  src.Add(L({{"app", "a"}}), {{20, 2}, {30, 4}});
  src.Add(L({{"app", "a"}}), {{40, 10}, {50, 20}});
  auto q = Range(RangeOp::kQuantileOverTime, Sec(60), RangeOpts().unwrap(true).param(0.5));
  EvalResult r = MustEval(*q, Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].points[0].v, 7);
  auto first = Range(RangeOp::kFirstOverTime, Sec(25), RangeOpts().unwrap(true));
  EXPECT_EQ(*At(MustEval(*first, Instant(50), &src), L({{"app", "a"}}), 50), 4);
}

// Naive per-window reference of every range function.
double Reference(RangeOp op, const std::vector<Sample>& w, int64_t ws, int64_t we, int64_t range) {
  double n = static_cast<double>(w.size()), sum = 0;
  for (const Sample& s : w) sum += s.value;
  double secs = RangeSeconds(range);
  switch (op) {
    case RangeOp::kCountOverTime:
      return n;
    case RangeOp::kRate:
      return sum / secs;
    case RangeOp::kSumOverTime:
      return sum;
    case RangeOp::kAvgOverTime:
      return sum / n;
    case RangeOp::kMaxOverTime: {
      double m = w[0].value;
      for (const Sample& s : w) m = (s.value > m || std::isnan(m)) ? s.value : m;
      return m;
    }
    case RangeOp::kMinOverTime: {
      double m = w[0].value;
      for (const Sample& s : w) m = (s.value < m || std::isnan(m)) ? s.value : m;
      return m;
    }
    case RangeOp::kStddevOverTime:
      return std::sqrt(StdvarOverTime(w.data(), w.data() + w.size()));
    case RangeOp::kQuantileOverTime: {
      std::vector<double> v;
      for (const Sample& s : w) v.push_back(s.value);
      return QuantileOverTime(0.9, &v);
    }
    case RangeOp::kFirstOverTime:
      return w.front().value;
    case RangeOp::kLastOverTime:
      return w.back().value;
    case RangeOp::kRateCounter:
      return RateCounter(w.data(), w.data() + w.size(), ws, we, range);
    default:
      return kNaN;
  }
}

TEST(EvaluatorRangeAggTest, SlidingWindowMatchesNaiveEvaluation) {
  std::mt19937 rng(7);
  const RangeOp ops[] = {RangeOp::kCountOverTime,  RangeOp::kRate,
                         RangeOp::kSumOverTime,    RangeOp::kAvgOverTime,
                         RangeOp::kMaxOverTime,    RangeOp::kMinOverTime,
                         RangeOp::kStddevOverTime, RangeOp::kQuantileOverTime,
                         RangeOp::kFirstOverTime,  RangeOp::kLastOverTime,
                         RangeOp::kRateCounter};
  for (int round = 0; round < 40; ++round) {
    FakeSource src;
    std::vector<std::vector<Sample>> series(3);
    for (size_t k = 0; k < series.size(); ++k) {
      int64_t t = Sec(1);
      int n = static_cast<int>(rng() % 200);
      for (int i = 0; i < n; ++i) {
        t += static_cast<int64_t>(rng() % 20000) * 1000000;  // 0..20s, duplicates allowed
        double v = static_cast<double>(rng() % 1000) / 7.0;
        if (rng() % 50 == 0) v = kNaN;
        series[k].push_back({t, v});
      }
      src.all.push_back(SampleSeries{L({{"k", k == 0 ? "0" : k == 1 ? "1" : "2"}}), series[k]});
    }
    const RangeOp op = ops[round % (sizeof(ops) / sizeof(ops[0]))];
    if (op == RangeOp::kCountOverTime) {  // one line each, as the extractor gives
      for (auto& s : src.all)
        for (auto& x : s.samples) x.value = 1;
      for (auto& s : series)
        for (auto& x : s) x.value = 1;
    }
    const bool no_nan = op == RangeOp::kRateCounter;
    if (no_nan) {
      for (auto& s : src.all) {
        for (auto& x : s.samples) x.value = std::isnan(x.value) ? 1 : x.value;
      }
      for (auto& s : series) {
        for (auto& x : s) x.value = std::isnan(x.value) ? 1 : x.value;
      }
    }
    const int64_t range = Sec(1 + rng() % 120), step = Sec(1 + rng() % 60),
                  offset = Sec(rng() % 3 == 0 ? 7 : 0);
    auto e = Range(op, range,
                   RangeOpts().offset_ns(offset).unwrap(op != RangeOp::kCountOverTime).param(0.9));
    EvalParams p;
    p.start_ns = Sec(30);
    p.end_ns = Sec(1500);
    p.step_ns = step;
    EvalResult r = MustEval(*e, p, &src);
    for (size_t k = 0; k < series.size(); ++k) {
      const Labels ls = src.all[k].labels;
      for (int64_t t = p.start_ns; t <= p.end_ns; t += step) {
        const int64_t we = t - offset, ws = we - range;
        std::vector<Sample> w;
        for (const Sample& s : series[k]) {
          if (s.ts > ws && s.ts <= we) w.push_back(s);
        }
        std::optional<double> got;
        for (const Series& s : r.series) {
          if (s.metric != ls) continue;
          for (const Point& pt : s.points) {
            if (pt.t_ns == t) got = pt.v;
          }
        }
        ASSERT_EQ(got.has_value(), !w.empty()) << "op " << static_cast<int>(op) << " t " << t;
        if (w.empty()) continue;
        double want = Reference(op, w, ws, we, range);
        if (std::isnan(want)) {
          EXPECT_TRUE(std::isnan(*got)) << static_cast<int>(op);
        } else {
          EXPECT_NEAR(*got, want, 1e-9 * std::max(1.0, std::fabs(want))) << static_cast<int>(op);
        }
      }
    }
  }
}

}  // namespace
}  // namespace lode::logql
