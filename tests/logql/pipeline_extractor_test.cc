// Sample extraction for range aggregations.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/logql/pipeline_test_util.h"

namespace lode::logql {
namespace {

using pipeline_test::Extract;
using pipeline_test::MakeExtractor;
using pipeline_test::Sample;

constexpr const char* kStream = R"({app="a", env="prod"})";

TEST(PipelineExtractorTest, CountAndBytes) {
  auto s = Extract(R"(count_over_time({app="a"} |= "x" [1m]))", kStream, "xyz");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.value, 1);
  EXPECT_EQ(s.labels, R"({app="a", env="prod"})");
  EXPECT_FALSE(Extract(R"(rate({app="a"} |= "q" [1m]))", kStream, "xyz").ok);
  s = Extract(R"(bytes_over_time({app="a"} [1m]))", kStream, "xyz");
  EXPECT_EQ(s.value, 3);
  // bytes see the formatted line.
  s = Extract(R"(bytes_rate({app="a"} | line_format "{{.env}}!" [1m]))", kStream, "xyz");
  EXPECT_EQ(s.value, 5);
}

TEST(PipelineExtractorTest, LineFormatIsSkippedWhenUnread) {
  // count_over_time never reads the line: the (failing) template is not run.
  auto s = Extract(R"(count_over_time({app="a"} | line_format "{{.app.x}}" [1m]))", kStream, "l");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.labels, R"({app="a", env="prod"})");
  // A later line filter reads it, so it stays.
  EXPECT_FALSE(
      Extract(R"(count_over_time({app="a"} | line_format "{{.env}}" |= "dev" [1m]))", kStream, "l")
          .ok);
}

TEST(PipelineExtractorTest, Grouping) {
  auto s = Extract(R"(sum by (env) (count_over_time({app="a"} | logfmt [1m])))", kStream, "k=v");
  EXPECT_EQ(s.labels, R"({app="a", env="prod", k="v"})");  // the outer sum groups, not us
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap v [1m]) by (k))", kStream, "k=x v=1");
  EXPECT_EQ(s.labels, R"({k="x"})");
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap v [1m]) without (k, app))", kStream,
              "k=x v=1");
  EXPECT_EQ(s.labels, R"({env="prod"})");
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap v [1m]) by (env))", kStream, "v=1");
  EXPECT_EQ(s.labels, R"({env="prod"})");
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap v [1m]) by ())", kStream, "v=1");
  EXPECT_EQ(s.labels, "{}");
  s = Extract(R"(absent_over_time({app="a"} [1m]))", kStream, "k=v");
  EXPECT_EQ(s.labels, "{}");
  // An error is reported on the full label set, ignoring the grouping.
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap v [1m]) by (env))", kStream, "v=x");
  EXPECT_EQ(
      s.labels,
      R"({__error__="SampleExtractionErr", __error_details__="strconv.ParseFloat: parsing \"x\": invalid syntax", app="a", env="prod", v="x"})");
}

TEST(PipelineExtractorTest, UnwrapFloat) {
  auto s = Extract(R"(sum_over_time({app="a"} | logfmt | unwrap v [1m]))", kStream, "v=2.5 w=1");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.value, 2.5);
  EXPECT_EQ(s.labels, R"({app="a", env="prod", w="1"})");  // the unwrapped label is removed
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap v [1m]) by (w))", kStream, "v=2.5 w=1");
  EXPECT_EQ(s.labels, R"({w="1"})");
  // A missing or empty label gives no sample.
  EXPECT_FALSE(Extract(R"(sum_over_time({app="a"} | logfmt | unwrap v [1m]))", kStream, "w=1").ok);
  EXPECT_FALSE(
      Extract(R"(sum_over_time({app="a"} | logfmt --keep-empty | unwrap v [1m]))", kStream, "v=")
          .ok);
  // A conversion error keeps every label and reports it.
  s = Extract(R"(sum_over_time({app="a"} | logfmt | unwrap v [1m]))", kStream, "v=abc");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(
      s.labels,
      R"({__error__="SampleExtractionErr", __error_details__="strconv.ParseFloat: parsing \"abc\": invalid syntax", app="a", env="prod", v="abc"})");
  EXPECT_FALSE(Extract(R"(sum_over_time({app="a"} | logfmt | unwrap v | __error__="" [1m]))",
                       kStream, "v=abc")
                   .ok);
}

TEST(PipelineExtractorTest, UnwrapConversions) {
  auto s =
      Extract(R"(max_over_time({app="a"} | logfmt | unwrap duration(d) [1m]))", kStream, "d=1h30m");
  EXPECT_EQ(s.value, 5400);
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap duration_seconds(d) [1m]))", kStream,
              "d=500ms");
  EXPECT_EQ(s.value, 0.5);
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap duration(d) [1m]))", kStream, "d=-5s");
  EXPECT_EQ(s.value, -5);
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap duration(d) [1m]))", kStream, "d=1d");
  EXPECT_EQ(
      s.labels,
      R"({__error__="SampleExtractionErr", __error_details__="time: unknown unit \"d\" in duration \"1d\"", app="a", d="1d", env="prod"})");
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap bytes(b) [1m]))", kStream, "b=1.5KiB");
  EXPECT_EQ(s.value, 1536);
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap bytes(b) [1m]))", kStream, "b=2,048");
  EXPECT_EQ(s.value, 2048);
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap bytes(b) [1m]))", kStream, "b=1.5B");
  EXPECT_EQ(s.value, 1);
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap bytes(bytes) [1m]))", kStream,
              "bytes=25MB");
  EXPECT_EQ(s.value, 25e6);
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap bytes(b) [1m]))", kStream, "b=1XB");
  EXPECT_EQ(
      s.labels,
      R"({__error__="SampleExtractionErr", __error_details__="unhandled size name: xb", app="a", b="1XB", env="prod"})");
}

TEST(PipelineExtractorTest, UnwrapPostFilters) {
  const char* q = R"(sum_over_time({app="a"} | logfmt | unwrap v | lvl="error" [1m]))";
  auto s = Extract(q, kStream, "v=2 lvl=error");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.labels, R"({app="a", env="prod", lvl="error"})");
  EXPECT_FALSE(Extract(q, kStream, "v=9 lvl=info").ok);
}

TEST(PipelineExtractorTest, Metadata) {
  auto s = Extract(R"(count_over_time({app="a"} [1m]))", kStream, "x", {{"lvl", "error"}});
  EXPECT_EQ(s.labels, R"({app="a", env="prod", lvl="error"})");
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap v [1m]) by (lvl))", kStream, "v=1",
              {{"lvl", "error"}});
  EXPECT_EQ(s.labels, R"({lvl="error"})");
}

// Extracts with the grouping of the outer `sum` pushed down.
Sample ExtractPushed(std::string_view query, std::string_view line) {
  Sample out;
  ExprPtr e;
  EXPECT_TRUE(ParseExpr(query, &e).ok()) << query;
  if (!e || e->kind != Expr::Kind::kVectorAgg || !e->lhs) return out;
  std::unique_ptr<SampleExtractor> x;
  Status st = SampleExtractor::Create(*e->lhs, e->grouping ? &*e->grouping : nullptr, &x);
  EXPECT_TRUE(st.ok()) << st.message();
  if (!x) return out;
  auto sx = x->ForStream(pipeline_test::L(kStream));
  out.ok = sx->Process(1, line, nullptr, 0, &out.value);
  if (out.ok) out.labels = pipeline_test::S(sx->labels().all);
  return out;
}

TEST(PipelineExtractorTest, OuterSumGroupingPushdown) {
  auto s = ExtractPushed(R"(sum by (k) (count_over_time({app="a"} | logfmt [1m])))", "k=v t=1");
  EXPECT_EQ(s.labels, R"({k="v"})");
  s = ExtractPushed(R"(sum without (t) (rate({app="a"} | logfmt [1m])))", "k=v t=1");
  EXPECT_EQ(s.labels, R"({app="a", env="prod", k="v"})");
  s = ExtractPushed(R"(sum(bytes_over_time({app="a"} [1m])))", "abc");
  EXPECT_EQ(s.labels, "{}");
  EXPECT_EQ(s.value, 3);
  // Not pushed: other range operations, or a grouping of their own.
  s = ExtractPushed(R"(sum by (k) (max_over_time({app="a"} | logfmt | unwrap t [1m])))", "k=v t=1");
  EXPECT_EQ(s.labels, R"({app="a", env="prod", k="v"})");
  s = ExtractPushed(R"(sum by (k) (max_over_time({app="a"} | logfmt | unwrap t [1m]) by (env)))",
                    "k=v t=1");
  EXPECT_EQ(s.labels, R"({env="prod"})");
  // The unwrapped label stays out of a pushed-down `without`.
  s = ExtractPushed(R"(sum without (k) (sum_over_time({app="a"} | logfmt | unwrap t [1m])))",
                    "k=v t=2");
  EXPECT_EQ(s.labels, R"({app="a", env="prod"})");
  EXPECT_EQ(s.value, 2);
}

TEST(PipelineExtractorTest, ParserHintsKeepResults) {
  // With a `by` grouping only the needed keys are extracted: filters still
  // see theirs, and the grouped labels are unchanged.
  const char* q = R"(sum by (k) (count_over_time({app="a"} | logfmt | lvl="error" | n > 1 [1m])))";
  auto s = ExtractPushed(q, "k=v lvl=error n=2 other=x");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.labels, R"({k="v"})");
  EXPECT_FALSE(ExtractPushed(q, "k=v lvl=info n=2").ok);
  EXPECT_FALSE(ExtractPushed(q, "k=v lvl=error n=0").ok);
  // An error shows the full set, but only with the extracted labels.
  s = Extract(R"(max_over_time({app="a"} | logfmt | unwrap v [1m]) by (k))", kStream,
              "k=x v=abc other=1");
  EXPECT_EQ(
      s.labels,
      R"({__error__="SampleExtractionErr", __error_details__="strconv.ParseFloat: parsing \"abc\": invalid syntax", app="a", env="prod", k="x", v="abc"})");
  // A template may read any label: no hints then.
  s = Extract(
      R"(max_over_time({app="a"} | logfmt | label_format y="{{.other}}" | unwrap v [1m]) by (y))",
      kStream, "v=1 other=z");
  EXPECT_EQ(s.labels, R"({y="z"})");
  // JSON errors are still detected after the needed keys.
  s = Extract(R"(max_over_time({app="a"} | json | unwrap v [1m]) by (k))", kStream,
              R"({"k":"x","v":1,"bad")");
  EXPECT_NE(s.labels.find("JSONParserErr"), std::string::npos);
}

TEST(PipelineExtractorTest, RequiredLiteralAndErrors) {
  auto x = MakeExtractor(R"(count_over_time({app="a"} |= "needle" | json [1m]))");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->RequiredLiteral(), "needle");
  std::string err;
  EXPECT_EQ(MakeExtractor(R"(rate({app="a"} |~ "(" [1m]))", &err), nullptr);
}

}  // namespace
}  // namespace lode::logql
