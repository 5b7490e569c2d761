// LabelsBuilder categories and result interning.
#include <gtest/gtest.h>

#include "logql/log/labels_builder.h"
#include "tests/logql/pipeline_test_util.h"

namespace lode::logql {
namespace {

using pipeline_test::L;
using pipeline_test::MakePipeline;
using pipeline_test::S;

TEST(PipelineLabelsTest, CategoriesAndPrecedence) {
  LabelsBuilder b(L(R"({app="a", x="s"})"));
  b.Reset();
  b.AddMetadata("x", "m");  // clashes with a stream label
  b.AddMetadata("md", "m");
  b.Set(LabelCategory::kParsed, "md", "p");  // parsed wins over metadata
  b.Set(LabelCategory::kStream, "md", "s");  // ignored: metadata or parsed holds it
  std::string_view v;
  LabelCategory cat;
  ASSERT_TRUE(b.Get("md", &v, &cat));
  EXPECT_EQ(v, "p");
  EXPECT_EQ(cat, LabelCategory::kParsed);
  const ResultLabels& r = b.Result();
  EXPECT_EQ(S(r.all), R"({app="a", md="p", x="s", x_extracted="m"})");
  EXPECT_EQ(S(r.stream), R"({app="a", x="s"})");
  EXPECT_EQ(S(r.structured_metadata), R"({x_extracted="m"})");
  EXPECT_EQ(S(r.parsed), R"({md="p"})");
  EXPECT_EQ(r.hash, HashLabels(r.all));
}

TEST(PipelineLabelsTest, DeleteAndErrors) {
  LabelsBuilder b(L(R"({app="a", x="s"})"));
  b.Reset();
  b.Del("x");
  std::string_view v;
  EXPECT_FALSE(b.Get("x", &v));
  EXPECT_TRUE(b.BaseHas("x"));  // the base itself never changes
  b.SetErr("E");
  b.SetErrDetails("d");
  EXPECT_EQ(S(b.Result().all), R"({__error__="E", __error_details__="d", app="a"})");
  EXPECT_EQ(S(b.Result().parsed), R"({__error__="E", __error_details__="d"})");
  // A label set again after its deletion comes back.
  b.Set(LabelCategory::kParsed, "x", "p");
  EXPECT_EQ(S(b.Result().all), R"({__error__="E", __error_details__="d", app="a", x="p"})");
  b.Reset();
  EXPECT_EQ(S(b.Result().all), R"({app="a", x="s"})");
}

TEST(PipelineLabelsTest, ResultsAreInterned) {
  auto p = MakePipeline(R"({app="a"} | logfmt)");
  auto sp = p->ForStream(L(R"({app="a"})"));
  ASSERT_TRUE(sp->Process(1, "k=1", nullptr, 0));
  const ResultLabels* first = &sp->labels();
  ASSERT_TRUE(sp->Process(2, "k=2", nullptr, 0));
  const ResultLabels* second = &sp->labels();
  EXPECT_NE(first, second);
  ASSERT_TRUE(sp->Process(3, "k=1", nullptr, 0));
  EXPECT_EQ(&sp->labels(), first);
  EXPECT_EQ(S(first->all), R"({app="a", k="1"})");  // still valid
  ASSERT_TRUE(sp->Process(4, "other", nullptr, 0));
  EXPECT_EQ(S(sp->labels().all), R"({app="a"})");
  // The unchanged label set is shared with a pipeline result that deletes nothing.
  auto p2 = MakePipeline(R"({app="a"} | drop nope)");
  auto sp2 = p2->ForStream(L(R"({app="a"})"));
  ASSERT_TRUE(sp2->Process(1, "x", nullptr, 0));
  const ResultLabels* a = &sp2->labels();
  ASSERT_TRUE(sp2->Process(2, "y", nullptr, 0));
  EXPECT_EQ(&sp2->labels(), a);
}

TEST(PipelineLabelsTest, MetadataOnlyPipeline) {
  auto p = MakePipeline(R"({app="a"})");
  ASSERT_TRUE(p->IsNoop());
  auto sp = p->ForStream(L(R"({app="a"})"));
  std::vector<LabelView> md = {{"trace", "t1"}, {"app", "m"}};
  ASSERT_TRUE(sp->Process(1, "line", md.data(), md.size()));
  EXPECT_EQ(sp->line(), "line");
  EXPECT_EQ(S(sp->labels().all), R"({app="a", app_extracted="m", trace="t1"})");
  EXPECT_EQ(S(sp->labels().structured_metadata), R"({app_extracted="m", trace="t1"})");
  ASSERT_TRUE(sp->Process(2, "line", nullptr, 0));
  EXPECT_EQ(S(sp->labels().all), R"({app="a"})");
}

TEST(PipelineLabelsTest, StreamLabelsAreSorted) {
  auto p = MakePipeline(R"({app="a"} | logfmt)");
  Labels unsorted = {{"zone", "z"}, {"app", "a"}};
  auto sp = p->ForStream(unsorted);
  ASSERT_TRUE(sp->Process(1, "b=1", nullptr, 0));
  EXPECT_EQ(S(sp->labels().all), R"({app="a", b="1", zone="z"})");
  EXPECT_EQ(S(sp->labels().stream), R"({app="a", zone="z"})");
}

}  // namespace
}  // namespace lode::logql
