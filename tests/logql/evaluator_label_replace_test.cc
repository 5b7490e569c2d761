// label_replace: anchored regex, Go template expansion, deletion on empty
// results (cases mirror Loki's functions.logqltest).
#include <re2/re2.h>

#include "logql/label_replace.h"
#include "tests/logql/evaluator_test_util.h"

namespace lode::logql {
namespace {

using namespace evaltest;  // NOLINT

void Load(FakeSource* src) {
  src->AddRepeat(L({{"app", "foo"}, {"tier", "1"}}), 10, 10, 6);
  src->AddRepeat(L({{"app", "foobar"}, {"tier", "2"}}), 10, 10, 6);
}

std::vector<Labels> Replace(const char* dst, const char* repl, const char* src_label,
                            const char* regex) {
  FakeSource src;
  Load(&src);
  auto e = LabelReplace(Range(RangeOp::kCountOverTime, Sec(60)), dst, repl, src_label, regex);
  EvalResult r = MustEval(*e, Instant(60), &src);
  std::vector<Labels> out;
  for (const Series& s : r.series) out.push_back(s.metric);
  return out;
}

TEST(EvaluatorLabelReplaceTest, CopiesCaptureWhenTheWholeValueMatches) {
  EXPECT_EQ(Replace("new", "$1", "app", "(fo)o"),
            (std::vector<Labels>{L({{"app", "foo"}, {"new", "fo"}, {"tier", "1"}}),
                                 L({{"app", "foobar"}, {"tier", "2"}})}));
}

TEST(EvaluatorLabelReplaceTest, OverwritesAndDeletes) {
  EXPECT_EQ(Replace("tier", "gold", "app", "foo"),
            (std::vector<Labels>{L({{"app", "foo"}, {"tier", "gold"}}),
                                 L({{"app", "foobar"}, {"tier", "2"}})}));
  EXPECT_EQ(Replace("tier", "", "app", "foo"),
            (std::vector<Labels>{L({{"app", "foo"}}), L({{"app", "foobar"}, {"tier", "2"}})}));
  EXPECT_EQ(Replace("app", "$1", "app", "foo(.*)"),
            (std::vector<Labels>{L({{"app", "bar"}, {"tier", "2"}}), L({{"tier", "1"}})}));
  EXPECT_EQ(Replace("app", "$1", "app", "f(.*)"),
            (std::vector<Labels>{L({{"app", "oo"}, {"tier", "1"}}),
                                 L({{"app", "oobar"}, {"tier", "2"}})}));
}

TEST(EvaluatorLabelReplaceTest, AbsentSourceReadsAsEmpty) {
  EXPECT_EQ(Replace("region", "eu", "missing", ".*"),
            (std::vector<Labels>{L({{"app", "foo"}, {"region", "eu"}, {"tier", "1"}}),
                                 L({{"app", "foobar"}, {"region", "eu"}, {"tier", "2"}})}));
}

TEST(EvaluatorLabelReplaceTest, InvalidRegexFails) {
  FakeSource src;
  auto e = LabelReplace(Range(RangeOp::kCountOverTime, Sec(60)), "new", "$1", "app", "(");
  EvalResult r;
  Status st = Evaluate(*e, Instant(60), src.AsSource(), &r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("parse error : invalid regex in label_replace", 0), 0u);
}

TEST(EvaluatorLabelReplaceTest, ExpandsLikeGo) {
  re2::RE2 re("(?P<first>a)(b)?");
  std::vector<std::string_view> groups{"a", "a", ""};
  EXPECT_EQ(ExpandReplacement(re, "$1-${1}x-$1x-$$-$first-${first}", groups), "a-ax--$-a-a");
  EXPECT_EQ(ExpandReplacement(re, "cost: $ 5", groups), "cost: $ 5");
  EXPECT_EQ(ExpandReplacement(re, "${1", groups), "${1");
  EXPECT_EQ(ExpandReplacement(re, "$2|$9|$01|$nope", groups), "|||");
}

TEST(EvaluatorLabelReplaceTest, CollidingSeriesShareOneMatrixSeries) {
  FakeSource src;
  src.AddRepeat(L({{"app", "a"}, {"pod", "1"}}), 10, 10, 6);
  src.AddRepeat(L({{"app", "a"}, {"pod", "2"}}), 10, 10, 6);
  auto e = LabelReplace(Range(RangeOp::kCountOverTime, Sec(60)), "pod", "", "app", "a");
  EvalResult r = MustEval(*e, Instant(60), &src);
  ASSERT_EQ(r.series.size(), 2u);  // Loki keeps both samples of the instant vector
  EXPECT_EQ(r.series[0].metric, L({{"app", "a"}}));
  r = MustEval(*e, RangeQ(60, 60, 10), &src);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].points.size(), 2u);
}

}  // namespace
}  // namespace lode::logql
