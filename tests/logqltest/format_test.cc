// Unit tests of the .logqltest script parser (tests/logqltest/logqltest_file.h).
#include <gtest/gtest.h>

#include <cmath>

#include "tests/logqltest/logqltest_file.h"

namespace lode::logqltest {
namespace {

std::vector<Command> MustParse(std::string_view text) {
  std::vector<Command> cmds;
  Status st = ParseScript(text, &cmds);
  EXPECT_TRUE(st.ok()) << st.message();
  return cmds;
}

std::string ParseError(std::string_view text) {
  std::vector<Command> cmds;
  Status st = ParseScript(text, &cmds);
  EXPECT_FALSE(st.ok()) << "expected a parse error for:\n" << text;
  return st.message();
}

TEST(LogqlTestFormatTest, GoDurations) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseGoDuration("20s", &ns).ok());
  EXPECT_EQ(ns, 20'000'000'000);
  ASSERT_TRUE(ParseGoDuration("1m30s", &ns).ok());
  EXPECT_EQ(ns, 90'000'000'000);
  ASSERT_TRUE(ParseGoDuration("1.5h", &ns).ok());
  EXPECT_EQ(ns, 5400'000'000'000);
  ASSERT_TRUE(ParseGoDuration("500ms", &ns).ok());
  EXPECT_EQ(ns, 500'000'000);
  ASSERT_TRUE(ParseGoDuration("-5s", &ns).ok());
  EXPECT_EQ(ns, -5'000'000'000);
  ASSERT_TRUE(ParseGoDuration("0", &ns).ok());
  EXPECT_EQ(ns, 0);
  EXPECT_FALSE(ParseGoDuration("5", &ns).ok());
  EXPECT_FALSE(ParseGoDuration("1d", &ns).ok());
  EXPECT_FALSE(ParseGoDuration("", &ns).ok());
  EXPECT_FALSE(ParseGoDuration("s", &ns).ok());
}

TEST(LogqlTestFormatTest, Values) {
  double v = 0;
  ASSERT_TRUE(ParseValue("1.25", &v).ok());
  EXPECT_EQ(v, 1.25);
  ASSERT_TRUE(ParseValue("NaN", &v).ok());
  EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(ParseValue("+Inf", &v).ok());
  EXPECT_TRUE(std::isinf(v) && v > 0);
  ASSERT_TRUE(ParseValue("-Inf", &v).ok());
  EXPECT_TRUE(std::isinf(v) && v < 0);
  ASSERT_TRUE(ParseValue("1e3", &v).ok());
  EXPECT_EQ(v, 1000);
  EXPECT_FALSE(ParseValue("1.2.3", &v).ok());
  EXPECT_FALSE(ParseValue("abc", &v).ok());
}

TEST(LogqlTestFormatTest, StripCommentKeepsQuotedHash) {
  EXPECT_EQ(StripComment(R"(eval instant at 1s x   # note)"), "eval instant at 1s x");
  EXPECT_EQ(StripComment(R"({a="#"} "b#c" @ 1s # x)"), R"({a="#"} "b#c" @ 1s)");
  EXPECT_EQ(StripComment("`#` # x"), "`#`");
  EXPECT_EQ(StripComment("# only"), "");
}

TEST(LogqlTestFormatTest, LabelSets) {
  Labels ls;
  size_t end = 0;
  ASSERT_TRUE(ParseLabelSet(R"(  {b="2", a=""} 1 2)", &ls, &end).ok());
  ASSERT_EQ(ls.size(), 2u);
  EXPECT_EQ(ls[0].name, "a");  // sorted, empty value kept
  EXPECT_EQ(ls[0].value, "");
  EXPECT_EQ(ls[1].value, "2");
  EXPECT_EQ(std::string_view(R"(  {b="2", a=""} 1 2)").substr(end), " 1 2");
  ASSERT_TRUE(ParseLabelSet("{} 5", &ls, &end).ok());
  EXPECT_TRUE(ls.empty());
  ASSERT_TRUE(ParseLabelSet(R"({a="x}y"})", &ls, &end).ok());
  EXPECT_EQ(ls[0].value, "x}y");
  EXPECT_FALSE(ParseLabelSet(R"({a="1")", &ls, &end).ok());
  EXPECT_FALSE(ParseLabelSet(R"({a="1", a="2"})", &ls, &end).ok());
}

TEST(LogqlTestFormatTest, LoadBlock) {
  auto cmds = MustParse(
      "clear\n"
      "load\n"
      "  # a comment inside the block\n"
      "  {app=\"a\", env=\"prod\"} \"msg \\\"q\\\" {{.i}}\" @ 20s [repeat every 10s for 3] "
      "[metadata region=\"eu\" \"trace id\"=\"x\"]  # trailing\n"
      "  {app=\"b\"} `raw \\n #` @ 1m\n"
      "\n"
      "eval instant at 60s 1\n"
      "  1\n");
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(cmds[0].type, Command::Type::kClear);
  EXPECT_EQ(cmds[0].line, 1);
  ASSERT_EQ(cmds[1].type, Command::Type::kLoad);
  ASSERT_EQ(cmds[1].load.size(), 2u);
  const LoadLine& a = cmds[1].load[0];
  EXPECT_EQ(a.line, 4);
  ASSERT_EQ(a.labels.size(), 2u);
  EXPECT_EQ(a.labels[1].value, "prod");
  EXPECT_EQ(a.text, "msg \"q\" {{.i}}");
  EXPECT_EQ(a.TextAt(2), "msg \"q\" 2");
  EXPECT_EQ(a.start_ns, 20'000'000'000);
  EXPECT_EQ(a.every_ns, 10'000'000'000);
  EXPECT_EQ(a.count, 3);
  ASSERT_EQ(a.metadata.size(), 2u);
  EXPECT_EQ(a.metadata[0].name, "region");
  EXPECT_EQ(a.metadata[1].name, "trace id");
  EXPECT_EQ(a.metadata[1].value, "x");
  const LoadLine& b = cmds[1].load[1];
  EXPECT_EQ(b.text, "raw \\n #");  // backticks are raw
  EXPECT_EQ(b.start_ns, 60'000'000'000);
  EXPECT_EQ(b.count, 1);
  EXPECT_TRUE(b.metadata.empty());
  EXPECT_EQ(cmds[2].line, 7);
}

TEST(LogqlTestFormatTest, EvalSeriesAndSteps) {
  auto cmds = MustParse(
      "eval range from 40s to 80s step 20s count_over_time({app=\"a\"} |= \"#\" [1m])   # "
      "overlapping\n"
      "  {app=\"a\", level=\"error\"} 2 _ NaN\n"
      "  {} 1+2x2\n"
      "# a comment between commands does not end the block\n"
      "  {b=\"1\"} -Inf +Inf 3-1x1 _\n"
      "eval instant at 500ms sum(x)\n"
      "  expect ordered\n"
      "  {a=\"2\"} 1\n"
      "  {a=\"1\"} 2\n");
  ASSERT_EQ(cmds.size(), 2u);
  const EvalCommand& r = cmds[0].eval;
  EXPECT_FALSE(r.instant);
  EXPECT_EQ(r.query, "count_over_time({app=\"a\"} |= \"#\" [1m])");
  EXPECT_EQ(r.StepTimes(), (std::vector<int64_t>{40'000'000'000, 60'000'000'000, 80'000'000'000}));
  ASSERT_EQ(r.expect.kind, Expectation::Kind::kSeries);
  ASSERT_EQ(r.expect.series.size(), 3u);
  const auto& s0 = r.expect.series[0].samples;
  ASSERT_EQ(s0.size(), 3u);
  EXPECT_TRUE(s0[0].present);
  EXPECT_EQ(s0[0].value, 2);
  EXPECT_FALSE(s0[1].present);
  EXPECT_TRUE(std::isnan(s0[2].value));
  EXPECT_TRUE(r.expect.series[1].labels.empty());
  const auto& s1 = r.expect.series[1].samples;
  ASSERT_EQ(s1.size(), 3u);
  EXPECT_EQ(s1[2].value, 5);
  const auto& s2 = r.expect.series[2].samples;
  ASSERT_EQ(s2.size(), 5u);
  EXPECT_TRUE(std::isinf(s2[0].value) && s2[0].value < 0);
  EXPECT_EQ(s2[2].value, 3);
  EXPECT_EQ(s2[3].value, 2);
  EXPECT_FALSE(s2[4].present);
  EXPECT_EQ(r.expect.series[2].line, 5);

  const EvalCommand& in = cmds[1].eval;
  EXPECT_TRUE(in.instant);
  EXPECT_EQ(in.start_ns, 500'000'000);
  EXPECT_EQ(in.end_ns, in.start_ns);
  EXPECT_EQ(in.StepTimes().size(), 1u);
  EXPECT_TRUE(in.expect.ordered);
  ASSERT_EQ(in.expect.series.size(), 2u);
  EXPECT_EQ(in.expect.series[0].labels[0].value, "2");
  EXPECT_EQ(cmds[1].line, 6);
}

TEST(LogqlTestFormatTest, OtherExpectations) {
  auto cmds = MustParse(
      "eval instant at 60s 10 / 0\n"
      "  NaN\n"
      "eval instant at 60s x\n"
      "  expect empty\n"
      "eval instant at 60s x\n"
      "  expect fail\n"
      "eval instant at 60s x\n"
      "  expect fail msg: parsing \\\"\\\": invalid syntax\n"
      "eval instant at 60s x\n"
      "  expect fail regex: expecting (NUMBER|IDENT)\n"
      "eval instant at 60s {app=\"a\"}\n"
      "  {app=\"a\"} \"line 1\" @ 20s\n"
      "  {app=\"a\"} `line 2` @ 10s\n"
      "eval instant at 60s x\n"
      "  skip values-comparison on \"query-frontend + query-scheduler (sharding)\"\n"
      "  {a=\"1\"} 1\n");
  ASSERT_EQ(cmds.size(), 7u);
  EXPECT_EQ(cmds[0].eval.expect.kind, Expectation::Kind::kScalar);
  EXPECT_TRUE(std::isnan(cmds[0].eval.expect.scalar));
  EXPECT_EQ(cmds[1].eval.expect.kind, Expectation::Kind::kEmpty);
  EXPECT_EQ(cmds[2].eval.expect.kind, Expectation::Kind::kFail);
  EXPECT_EQ(cmds[2].eval.expect.fail_match, FailMatch::kAny);
  EXPECT_EQ(cmds[3].eval.expect.fail_match, FailMatch::kSubstring);
  EXPECT_EQ(cmds[3].eval.expect.fail_text, "parsing \\\"\\\": invalid syntax");  // taken verbatim
  EXPECT_EQ(cmds[4].eval.expect.fail_match, FailMatch::kRegex);
  EXPECT_EQ(cmds[4].eval.expect.fail_text, "expecting (NUMBER|IDENT)");
  ASSERT_EQ(cmds[5].eval.expect.kind, Expectation::Kind::kStreams);
  ASSERT_EQ(cmds[5].eval.expect.log_lines.size(), 2u);
  EXPECT_EQ(cmds[5].eval.expect.log_lines[1].text, "line 2");
  EXPECT_EQ(cmds[5].eval.expect.log_lines[1].ts_ns, 10'000'000'000);
  ASSERT_EQ(cmds[6].eval.expect.skip_values_on.size(), 1u);
  EXPECT_EQ(cmds[6].eval.expect.skip_values_on[0], "query-frontend + query-scheduler (sharding)");
  EXPECT_EQ(cmds[6].eval.expect.kind, Expectation::Kind::kSeries);
}

TEST(LogqlTestFormatTest, ErrorsCarryLineNumbers) {
  EXPECT_EQ(ParseError("clear\neval instant at 60s x\n"),
            "2: eval has no expectation: provide series, log "
            "lines, a scalar, `expect empty` or `expect fail`");
  EXPECT_EQ(ParseError("load\n\n").substr(0, 3), "1: ");
  EXPECT_EQ(ParseError("load\n  {a=\"b\"} \"x\" @ 1s [repeat every 1s for 0]\n").substr(0, 3),
            "2: ");
  EXPECT_EQ(ParseError("load\n  {a=\"b\"} \"x\" @ 1s extra\n").substr(0, 3), "2: ");
  EXPECT_EQ(ParseError("load\n  {a=\"b\"} \"x\"\n").substr(0, 3), "2: ");
  EXPECT_EQ(ParseError("load\n  {a=\"b\"} \"x\" @ 1s [metadata k=v]\n").substr(0, 3), "2: ");
  EXPECT_EQ(ParseError("\n\nfrobnicate\n").substr(0, 3), "3: ");
  EXPECT_EQ(ParseError("eval instant at 1s x\n  expect empty\n  1\n").substr(0, 3), "1: ");
  EXPECT_EQ(ParseError("eval instant at 1s x\n  expect fail mesg: y\n").substr(0, 3), "2: ");
  EXPECT_EQ(ParseError("eval instant at 1s x\n  expect ordered\n  expect empty\n").substr(0, 3),
            "1: ");
  EXPECT_EQ(ParseError("eval range from 2s to 1s step 1s x\n  1\n").substr(0, 3), "1: ");
  EXPECT_EQ(ParseError("eval range from 1s to 2s step 0s x\n  1\n").substr(0, 3), "1: ");
  EXPECT_EQ(ParseError("eval instant at 1s x\n  {a=\"1\"} 1 zz\n").substr(0, 3), "2: ");
  // An expectation separated from its eval by a blank line is not part of it.
  EXPECT_EQ(ParseError("eval instant at 1s x\n  1\n\n  2\n").substr(0, 3), "4: ");
}

}  // namespace
}  // namespace lode::logqltest
