// `| regexp` and `| pattern` parsers and the pattern matcher.
#include <gtest/gtest.h>

#include "logql/log/pattern.h"
#include "tests/logql/pipeline_test_util.h"

namespace lode::logql {
namespace {

using pipeline_test::PipelineError;
using pipeline_test::RunLabels;

TEST(PipelineRegexpTest, NamedGroupsBecomeLabels) {
  EXPECT_EQ(RunLabels(R"q({app="a"} | regexp "(?P<method>\\w+) (?P<path>\\S+) (?P<status>\\d+)")q",
                      R"({app="a"})", "GET /home 200"),
            R"({app="a", method="GET", path="/home", status="200"})");
  // No match: nothing extracted, the line is kept.
  EXPECT_EQ(RunLabels(R"q({app="a"} | regexp "(?P<num>\\d+)")q", R"({app="a"})", "PUT /x"),
            R"({app="a"})");
  // A group that does not take part in the match is empty.
  EXPECT_EQ(RunLabels(R"q({app="a"} | regexp "(?P<a>x)|(?P<b>y)")q", R"({app="a"})", "y"),
            R"({a="", app="a", b="y"})");
  EXPECT_EQ(RunLabels(R"q({app="a"} | regexp "(?P<method>\\w+) (?P<path>\\S+)")q",
                      R"({app="a", method="stream"})", "PUT /x"),
            R"({app="a", method="stream", method_extracted="PUT", path="/x"})");
}

TEST(PipelineRegexpTest, Errors) {
  EXPECT_NE(PipelineError(R"({app="a"} | regexp "nocapture")")
                .find("at least one named capture must be supplied"),
            std::string::npos);
  EXPECT_NE(PipelineError(R"q({app="a"} | regexp "(unnamed)")q")
                .find("at least one named capture must be supplied"),
            std::string::npos);
  EXPECT_NE(PipelineError(R"q({app="a"} | regexp "(?P<x>.)(?P<x>.)")q")
                .find("duplicate extracted label name 'x'"),
            std::string::npos);
  EXPECT_NE(PipelineError(R"q({app="a"} | regexp "(")q").find("error parsing regexp"),
            std::string::npos);
}

TEST(PipelinePatternTest, Parser) {
  EXPECT_EQ(
      RunLabels(R"({app="a"} | pattern "<method> <_> <status>")", R"({app="a"})", "GET /home 200"),
      R"({app="a", method="GET", status="200"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | pattern "<method> <path>")", R"({app="a", method="stream"})",
                      "POST"),
            R"({app="a", method="stream", method_extracted="POST"})");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | pattern "<ip> - - [<ts>] \"<req>\" <code>")", R"({app="a"})",
                R"(1.2.3.4 - - [10/Oct/2000:13:55:36] "GET / HTTP/1.0" 200 2326)"),
      R"({app="a", code="200 2326", ip="1.2.3.4", req="GET / HTTP/1.0", ts="10/Oct/2000:13:55:36"})");
  // A leading literal that does not match extracts nothing.
  EXPECT_EQ(RunLabels(R"({app="a"} | pattern "x=<v>")", R"({app="a"})", "y=1"), R"({app="a"})");
  EXPECT_NE(PipelineError(R"({app="a"} | pattern "no captures here")")
                .find("at least one capture is required"),
            std::string::npos);
}

TEST(PipelinePatternTest, Validation) {
  std::unique_ptr<Pattern> p;
  Status s = Pattern::ParseParser("<a><b>", &p);
  EXPECT_EQ(s.message(), "found consecutive capture '<a><b>': invalid expression");
  s = Pattern::ParseParser("<a> <a>", &p);
  EXPECT_EQ(s.message(), "duplicate capture name (a): invalid expression");
  s = Pattern::ParseParser("<_> <_>", &p);
  EXPECT_EQ(s.message(), "at least one capture is required");
  s = Pattern::ParseLineFilter("<a> foo", &p);
  EXPECT_EQ(s.message(), "named captures are not allowed: found '<a>'");
  // `<` that does not start a capture is a literal.
  ASSERT_TRUE(Pattern::ParseParser("a<1 <v> <x", &p).ok());
  std::vector<std::string_view> caps;
  p->Matches("a<1 val <x", &caps);
  ASSERT_EQ(caps.size(), 1u);
  EXPECT_EQ(caps[0], "val");
}

TEST(PipelinePatternTest, TestMatchesWholeLine) {
  std::unique_ptr<Pattern> p;
  ASSERT_TRUE(Pattern::ParseLineFilter("<_> bar", &p).ok());
  EXPECT_FALSE(p->Test("foo bar baz"));
  EXPECT_TRUE(p->Test("foo bar"));
  ASSERT_TRUE(Pattern::ParseLineFilter("foo <_>", &p).ok());
  EXPECT_TRUE(p->Test("foo bar baz"));
  EXPECT_FALSE(p->Test("foo "));
  ASSERT_TRUE(Pattern::ParseLineFilter("", &p).ok());
  EXPECT_TRUE(p->Test(""));
  EXPECT_FALSE(p->Test("x"));
}

}  // namespace
}  // namespace lode::logql
