// Binary operators: literal folding, vector/scalar and vector/vector
// arithmetic and comparisons, set operators, on/ignoring, group_left/right
// and their errors (cases mirror Loki's binary_operations.logqltest).
#include <cmath>
#include <limits>

#include "logql/binop.h"
#include "tests/logql/evaluator_test_util.h"

namespace lode::logql {
namespace {

using namespace evaltest;  // NOLINT
using Card = BinOpModifiers::Card;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double Scalar(const Expr& e) {
  FakeSource src;
  EvalResult r = MustEval(e, Instant(60), &src);
  EXPECT_EQ(r.type, EvalResult::Type::kScalar);
  if (r.series.empty() || r.series[0].points.empty()) return -12345;
  return r.series[0].points[0].v;
}

TEST(EvaluatorBinOpTest, FoldsLiterals) {
  EXPECT_EQ(Scalar(*Lit(2)), 2);
  EXPECT_EQ(Scalar(*Bin(BinOpKind::kPow, Lit(2), Lit(3))), 8);
  EXPECT_EQ(Scalar(*Bin(BinOpKind::kPow, Lit(2), Bin(BinOpKind::kPow, Lit(3), Lit(2)))), 512);
  EXPECT_EQ(Scalar(*Bin(BinOpKind::kDiv, Lit(10), Bin(BinOpKind::kDiv, Lit(5), Lit(2)))), 4);
  EXPECT_EQ(Scalar(*Bin(BinOpKind::kMod, Lit(10), Lit(3))), 1);
  EXPECT_TRUE(std::isnan(Scalar(*Bin(BinOpKind::kDiv, Lit(-10), Lit(0)))));
  EXPECT_TRUE(std::isnan(Scalar(*Bin(BinOpKind::kMod, Lit(10), Lit(0)))));
  EXPECT_EQ(Scalar(*Bin(BinOpKind::kEq, Lit(7), Lit(7))), 1);
  EXPECT_EQ(Scalar(*Bin(BinOpKind::kGt, Lit(2), Lit(7))), 0);
  EXPECT_EQ(Scalar(*Bin(BinOpKind::kEq, Lit(2), Lit(1), Bool())), 0);
  EXPECT_EQ(ScalarBinOp(BinOpKind::kPow, -2, 2), 4);
}

TEST(EvaluatorBinOpTest, LiteralRangeQueryIsOneSeriesPerStep) {
  FakeSource src;
  EvalResult r = MustEval(*Bin(BinOpKind::kPow, Lit(2), Lit(3)), RangeQ(0, 900, 300), &src);
  EXPECT_EQ(r.type, EvalResult::Type::kMatrix);
  EXPECT_EQ(Rows(r, 0, 900, 300), std::vector<std::string>{"{} 8 8 8 8"});
  EXPECT_EQ(src.calls, 0);
}

TEST(EvaluatorBinOpTest, LiteralLegOfSetOperatorFails) {
  FakeSource src;
  EvalResult r;
  Status st = Evaluate(*Bin(BinOpKind::kAnd, Lit(1), Lit(2)), Instant(60), src.AsSource(), &r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "parse error : unexpected literal for left leg of logical/set binary operation (and): "
            "1.000000");
  st = Evaluate(*Bin(BinOpKind::kOr, Vec(1), Lit(2)), Instant(60), src.AsSource(), &r);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("right leg"), std::string::npos);
}

void LoadFooBar(FakeSource* src) {
  src->AddRepeat(L({{"app", "foo"}}), 0, 10, 19);  // count [1m] = 6
  src->AddRepeat(L({{"app", "bar"}}), 0, 20, 10);  // count [1m] = 3
}

ExprPtr Count(const char* app = nullptr) {
  return Range(RangeOp::kCountOverTime, Sec(60),
               app ? RangeOpts().matchers({Eq("app", app)}) : RangeOpts());
}

// count_over_time for one app: a per-node source restricted to that app.
struct AppSource : FakeSource {
  void Serve(const Expr* node, const char* app, double every) {
    SampleSeries s{L({{"app", app}}), {}};
    for (double t = 0; t <= 180; t += every) s.samples.push_back({Sec(t), 1});
    per_node[node].push_back(std::move(s));
  }
};

double Value(const EvalResult& r, const Labels& ls) { return At(r, ls, 60).value_or(-12345); }

TEST(EvaluatorBinOpTest, VectorScalarArithmetic) {
  FakeSource src;
  LoadFooBar(&src);
  const Labels foo = L({{"app", "foo"}}), bar = L({{"app", "bar"}});
  EXPECT_EQ(Value(MustEval(*Bin(BinOpKind::kAdd, Count(), Lit(1)), Instant(60), &src), foo), 7);
  EXPECT_EQ(Value(MustEval(*Bin(BinOpKind::kDiv, Lit(30), Count()), Instant(60), &src), foo), 5);
  EXPECT_EQ(Value(MustEval(*Bin(BinOpKind::kMod, Lit(16), Count()), Instant(60), &src), foo), 4);
  EXPECT_EQ(Value(MustEval(*Bin(BinOpKind::kPow, Lit(2), Count()), Instant(60), &src), bar), 8);
  EXPECT_EQ(Value(MustEval(*Bin(BinOpKind::kPow, Count(), Lit(2)), Instant(60), &src), bar), 9);
  EXPECT_TRUE(
      std::isnan(Value(MustEval(*Bin(BinOpKind::kDiv, Count(), Lit(0)), Instant(60), &src), foo)));
  // rate - 1 / 2: the literal subtree folds to 0.5.
  auto e =
      Bin(BinOpKind::kSub, Range(RangeOp::kRate, Sec(60)), Bin(BinOpKind::kDiv, Lit(1), Lit(2)));
  EXPECT_DOUBLE_EQ(Value(MustEval(*e, Instant(60), &src), bar), -0.45);
  EXPECT_EQ(Rows(MustEval(*Bin(BinOpKind::kMul, Lit(2), Count()), RangeQ(60, 120, 30), &src), 60,
                 120, 30),
            (std::vector<std::string>{"{app=\"bar\"} 6 6 6", "{app=\"foo\"} 12 12 12"}));
}

TEST(EvaluatorBinOpTest, VectorScalarComparisonsFilterOrGiveBool) {
  FakeSource src;
  LoadFooBar(&src);
  const Labels foo = L({{"app", "foo"}}), bar = L({{"app", "bar"}});
  EvalResult r = MustEval(*Bin(BinOpKind::kGt, Count(), Lit(4)), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(Value(r, foo), 6);
  r = MustEval(*Bin(BinOpKind::kGt, Lit(4), Count()), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(Value(r, bar), 3);  // the vector's value, not the literal
  r = MustEval(*Bin(BinOpKind::kLte, Lit(6), Count()), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(Value(r, foo), 6);
  r = MustEval(*Bin(BinOpKind::kEq, Count(), Lit(6), Bool()), Instant(60), &src);
  EXPECT_EQ(Value(r, foo), 1);
  EXPECT_EQ(Value(r, bar), 0);
  r = MustEval(*Bin(BinOpKind::kEq, Lit(6), Count(), Bool()), Instant(60), &src);
  EXPECT_EQ(Value(r, bar), 0);
}

TEST(EvaluatorBinOpTest, NaNComparisonsAndPowEdgeCases) {
  FakeSource src;
  src.Add(L({{"k", "nan"}}), {{30, kNaN}});
  src.Add(L({{"k", "zero"}}), {{30, 0}});
  src.Add(L({{"k", "neg"}}), {{30, -1}});
  src.Add(L({{"k", "pinf"}}), {{30, kInf}});
  auto mx = [] { return Range(RangeOp::kMaxOverTime, Sec(60), RangeOpts().unwrap(true)); };
  EvalResult r = MustEval(*Bin(BinOpKind::kGt, mx(), Lit(1)), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].metric, L({{"k", "pinf"}}));
  r = MustEval(*Bin(BinOpKind::kNeq, mx(), Lit(1)), Instant(60), &src);
  EXPECT_TRUE(std::isnan(Value(r, L({{"k", "nan"}}))));
  r = MustEval(*Bin(BinOpKind::kGt, mx(), Lit(1), Bool()), Instant(60), &src);
  EXPECT_EQ(Value(r, L({{"k", "nan"}})), 0);
  r = MustEval(*Bin(BinOpKind::kPow, mx(), Lit(0)), Instant(60), &src);
  for (const Series& s : r.series) EXPECT_EQ(s.points[0].v, 1) << LabelsToString(s.metric);
  r = MustEval(*Bin(BinOpKind::kPow, mx(), Lit(-2)), Instant(60), &src);
  EXPECT_EQ(Value(r, L({{"k", "zero"}})), kInf);
  r = MustEval(*Bin(BinOpKind::kPow, mx(), Lit(0.5)), Instant(60), &src);
  EXPECT_TRUE(std::isnan(Value(r, L({{"k", "neg"}}))));
  r = MustEval(*Bin(BinOpKind::kAdd, Bin(BinOpKind::kDiv, Vec(1), Vec(0)), Lit(1)), Instant(60),
               &src);
  EXPECT_TRUE(std::isnan(Value(r, Labels{})));
}

TEST(EvaluatorBinOpTest, VectorVectorMatchesIdenticalLabels) {
  AppSource src;
  auto both = Count();
  auto bar = Count();
  src.Serve(both.get(), "foo", 10);
  src.Serve(both.get(), "bar", 20);
  src.Serve(bar.get(), "bar", 20);
  auto e = Bin(BinOpKind::kMul, std::move(both), std::move(bar));
  EvalResult r = MustEval(*e, Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(Value(r, L({{"app", "bar"}})), 9);
}

TEST(EvaluatorBinOpTest, SetOperators) {
  AppSource src;
  auto l1 = Count(), r1 = Count(), l2 = Count(), r2 = Count(), l3 = Count(), r3 = Count();
  for (Expr* e : {l1.get(), l2.get(), l3.get()}) {
    src.Serve(e, "foo", 10);
    src.Serve(e, "bar", 20);
  }
  for (Expr* e : {r1.get(), r2.get(), r3.get()}) src.Serve(e, "bar", 20);
  EvalResult r = MustEval(*Bin(BinOpKind::kAnd, std::move(l1), std::move(r1)), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].metric, L({{"app", "bar"}}));
  r = MustEval(*Bin(BinOpKind::kUnless, std::move(l2), std::move(r2)), Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].metric, L({{"app", "foo"}}));
  r = MustEval(*Bin(BinOpKind::kOr, std::move(l3), std::move(r3)), Instant(60), &src);
  EXPECT_EQ(r.series.size(), 2u);
}

TEST(EvaluatorBinOpTest, OrVectorFillsGaps) {
  FakeSource src;
  src.AddRepeat(L({{"app", "foo"}}), 0, 10, 7);  // 0s..60s
  auto e = Bin(BinOpKind::kOr, VecAgg(VectorOp::kSum, Range(RangeOp::kRate, Sec(60))), Vec(0));
  EXPECT_EQ(Rows(MustEval(*e, RangeQ(60, 180, 30), &src), 60, 180, 30),
            std::vector<std::string>{"{} 0.1 0.05 0 0 0"});
  auto keep = Bin(BinOpKind::kOr, Range(RangeOp::kRate, Sec(60)), Vec(0));
  EXPECT_EQ(Rows(MustEval(*keep, RangeQ(60, 180, 30), &src), 60, 180, 30),
            (std::vector<std::string>{"{app=\"foo\"} 0.1 0.05 _ _ _", "{} 0 0 0 0 0"}));
}

// Two streams {app="foo", machine=fuzz|buzz} with counts 6 and 4.
void LoadMachines(FakeSource* src) {
  src->AddRepeat(L({{"app", "foo"}, {"machine", "fuzz"}}), 0, 10, 19);
  src->AddRepeat(L({{"app", "foo"}, {"machine", "buzz"}}), 0, 15, 13);
}

ExprPtr SumBy(std::vector<std::string> by) {
  return VecAgg(VectorOp::kSum, Count(), By(std::move(by)));
}

TEST(EvaluatorBinOpTest, OnAndIgnoring) {
  FakeSource src;
  src.AddRepeat(L({{"app", "foo"}, {"machine", "fuzz"}}), 0, 10, 19);
  EvalResult r =
      MustEval(*Bin(BinOpKind::kAdd, SumBy({"app", "machine"}), SumBy({"app"}), Matching(true, {})),
               Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(Value(r, Labels{}), 12);
  r = MustEval(
      *Bin(BinOpKind::kAdd, SumBy({"app", "machine"}), SumBy({"app"}), Matching(true, {"app"})),
      Instant(60), &src);
  EXPECT_EQ(Value(r, L({{"app", "foo"}})), 12);
  r = MustEval(*Bin(BinOpKind::kGt, SumBy({"app", "machine"}), SumBy({"app"}),
                    Matching(false, {"machine"}, true)),
               Instant(60), &src);
  EXPECT_EQ(Value(r, L({{"app", "foo"}})), 0);
}

Status EvalStatus(const Expr& e, FakeSource* src) {
  EvalResult r;
  return Evaluate(e, Instant(60), src->AsSource(), &r);
}

TEST(EvaluatorBinOpTest, ManyToOneNeedsGroupLeft) {
  FakeSource src;
  LoadMachines(&src);
  Status st = EvalStatus(*Bin(BinOpKind::kGt, SumBy({"app", "machine"}), SumBy({"app"}),
                              Matching(false, {"machine"}, true)),
                         &src);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "multiple matches for labels: many-to-one matching must be explicit "
            "(group_left/group_right)");
  st = EvalStatus(*Bin(BinOpKind::kGte, SumBy({"app"}), SumBy({"app", "machine"}),
                       Matching(false, {"machine"}, true)),
                  &src);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("found duplicate series on the right hand-side", 0), 0u);

  EvalResult r = MustEval(*Bin(BinOpKind::kLt, SumBy({"app", "machine"}), SumBy({"app"}),
                               Matching(true, {}, false, Card::kManyToOne)),
                          Instant(60), &src);
  EXPECT_EQ(Value(r, L({{"app", "foo"}, {"machine", "fuzz"}})), 6);
  EXPECT_EQ(Value(r, L({{"app", "foo"}, {"machine", "buzz"}})), 4);
  r = MustEval(*Bin(BinOpKind::kDiv, SumBy({"app", "machine"}), SumBy({"app"}),
                    Matching(true, {"app"}, false, Card::kManyToOne)),
               Instant(60), &src);
  EXPECT_DOUBLE_EQ(Value(r, L({{"app", "foo"}, {"machine", "fuzz"}})), 0.6);
}

TEST(EvaluatorBinOpTest, GroupRightKeepsOneSideValueAndManySideLabels) {
  FakeSource src;
  LoadMachines(&src);
  EvalResult r = MustEval(*Bin(BinOpKind::kGt, SumBy({"app"}), SumBy({"app", "machine"}),
                               Matching(true, {}, false, Card::kOneToMany)),
                          Instant(60), &src);
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(Value(r, L({{"app", "foo"}, {"machine", "fuzz"}})), 10);
  EXPECT_EQ(Value(r, L({{"app", "foo"}, {"machine", "buzz"}})), 10);
  r = MustEval(*Bin(BinOpKind::kGte, SumBy({"app"}), SumBy({"app", "machine"}),
                    Matching(false, {"machine"}, true, Card::kOneToMany)),
               Instant(60), &src);
  EXPECT_EQ(Value(r, L({{"app", "foo"}, {"machine", "buzz"}})), 1);
}

TEST(EvaluatorBinOpTest, IncludeLabelsCopyOrDelete) {
  FakeSource src;
  src.AddRepeat(L({{"app", "foo"}, {"machine", "fuzz"}, {"pool", "foo"}}), 0, 10, 19);
  src.AddRepeat(L({{"app", "foo"}, {"machine", "buzz"}, {"pool", "foo"}}), 0, 15, 13);
  EvalResult r = MustEval(*Bin(BinOpKind::kGt, SumBy({"app", "machine"}), SumBy({"app", "pool"}),
                               Matching(true, {"app"}, true, Card::kManyToOne, {"pool"})),
                          Instant(60), &src);
  EXPECT_EQ(Value(r, L({{"app", "foo"}, {"machine", "fuzz"}, {"pool", "foo"}})), 0);
  r = MustEval(*Bin(BinOpKind::kGt, SumBy({"app", "machine", "pool"}), SumBy({"app"}),
                    Matching(true, {"app"}, true, Card::kManyToOne, {"pool"})),
               Instant(60), &src);
  EXPECT_EQ(Value(r, L({{"app", "foo"}, {"machine", "buzz"}})), 0);
}

TEST(EvaluatorBinOpTest, GroupingCollisionsAndDuplicatesFail) {
  FakeSource src;
  src.AddRepeat(L({{"app", "foo"}, {"pool", "a"}}), 0, 10, 19);
  src.AddRepeat(L({{"app", "foo"}, {"pool", "b"}}), 0, 10, 19);
  src.AddRepeat(L({{"app", "foo"}, {"pool", "z"}, {"side", "one"}}), 0, 10, 19);
  auto many = Count(), one = Count();
  src.per_node[many.get()] = {src.all[0], src.all[1]};
  src.per_node[one.get()] = {src.all[2]};
  auto collide = Bin(BinOpKind::kGt, VecAgg(VectorOp::kSum, std::move(many), By({"app", "pool"})),
                     VecAgg(VectorOp::kSum, std::move(one), By({"app", "pool"})),
                     Matching(true, {"app"}, true, Card::kManyToOne, {"pool"}));
  Status st = EvalStatus(*collide, &src);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "multiple matches for labels: grouping labels must ensure unique matches");

  auto dup = Bin(BinOpKind::kGt, SumBy({"app", "pool"}), SumBy({"app", "pool"}),
                 Matching(true, {"app"}, true, Card::kOneToMany));
  st = EvalStatus(*dup, &src);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("found duplicate series on the left hand-side", 0), 0u);
}

TEST(EvaluatorBinOpTest, SetOperatorsTolerateManyToMany) {
  FakeSource src;
  LoadMachines(&src);
  src.AddRepeat(L({{"app", "bar"}, {"machine", "solo"}}), 0, 20, 10);
  auto foo = VecAgg(VectorOp::kSum, Count(), By({"app"}));
  auto foo_node = foo->lhs.get();
  src.per_node[foo_node] = {src.all[0], src.all[1]};
  auto e = Bin(BinOpKind::kUnless, SumBy({"app", "machine"}), std::move(foo),
               Matching(false, {"machine"}));
  EvalResult r = MustEval(*e, Instant(60), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(Value(r, L({{"app", "bar"}, {"machine", "solo"}})), 3);

  auto req = Count(), err = Count();
  FakeSource s2;
  s2.AddFor(req.get(), L({{"app", "requests"}, {"pod", "a"}}), {{50, 1}});
  s2.AddFor(req.get(), L({{"app", "requests"}, {"pod", "b"}}), {{50, 1}});
  s2.AddFor(err.get(), L({{"app", "errors"}, {"pod", "a"}}), {{50, 1}});
  s2.AddFor(err.get(), L({{"app", "errors"}, {"pod", "c"}}), {{50, 1}});
  auto orr = Bin(BinOpKind::kOr, std::move(req), std::move(err), Matching(true, {"pod"}));
  r = MustEval(*orr, Instant(60), &s2);
  EXPECT_EQ(r.series.size(), 3u);
  EXPECT_TRUE(At(r, L({{"app", "errors"}, {"pod", "c"}}), 60).has_value());
}

}  // namespace
}  // namespace lode::logql
