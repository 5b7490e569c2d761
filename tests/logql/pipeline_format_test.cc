// line_format, label_format, decolorize, drop and keep.
#include <gtest/gtest.h>

#include "tests/logql/pipeline_test_util.h"

namespace lode::logql {
namespace {

using pipeline_test::PipelineError;
using pipeline_test::RunLabels;
using pipeline_test::RunLine;
using pipeline_test::S;

TEST(PipelineFormatTest, LineFormat) {
  auto r = RunLine(R"({app="a"} | logfmt | line_format "{{.queue}}:{{.job_id}}")", R"({app="a"})",
                   "queue=emails job_id=7");
  EXPECT_EQ(r.line, "emails:7");
  EXPECT_EQ(S(r.all), R"({app="a", job_id="7", queue="emails"})");
  // Stream labels, missing labels and the line itself.
  r = RunLine(R"({app="a"} | line_format "L={{.level}} M={{.missing}} [{{ __line__ }}]")",
              R"({app="a", level="error"})", "x");
  EXPECT_EQ(r.line, "L=error M= [x]");
  // A later filter sees the new line.
  EXPECT_EQ(RunLabels(R"({app="a"} | line_format "L={{.level}}" |= "L=error")",
                      R"({app="a", level="error"})", "x"),
            R"({app="a", level="error"})");
  // The error label is visible to templates.
  r = RunLine(R"({app="a"} | json | line_format "{{.__error__}}")", R"({app="a"})", "oops");
  EXPECT_EQ(r.line, "JSONParserErr");
}

TEST(PipelineFormatTest, LineFormatRuntimeErrorKeepsLine) {
  auto r = RunLine(R"({app="a"} | line_format "{{.app.x}}")", R"({app="a"})", "orig");
  EXPECT_TRUE(r.kept);
  EXPECT_EQ(r.line, "orig");
  ASSERT_FALSE(r.parsed.empty());
  EXPECT_EQ(r.parsed[0].name, "__error__");
  EXPECT_EQ(r.parsed[0].value, "TemplateFormatErr");
  ASSERT_EQ(r.parsed.size(), 2u);
  EXPECT_EQ(r.parsed[1].name, "__error_details__");
  EXPECT_FALSE(r.parsed[1].value.empty());
}

TEST(PipelineFormatTest, LabelFormatRenameAndTemplate) {
  auto r = RunLine(R"({app="a"} | label_format verb=method)", R"({app="a", method="get"})", "m");
  EXPECT_EQ(S(r.all), R"({app="a", verb="get"})");
  EXPECT_EQ(S(r.stream), R"({app="a", verb="get"})");  // a renamed stream label stays one
  r = RunLine(R"({app="a"} | label_format route="{{.method}}-ok")", R"({app="a", method="get"})",
              "m");
  EXPECT_EQ(S(r.all), R"({app="a", method="get", route="get-ok"})");
  EXPECT_EQ(S(r.parsed), R"({route="get-ok"})");
  // Overwriting a stream label moves it to the parsed labels.
  r = RunLine(R"({app="a"} | label_format method="{{.method}}!")", R"({app="a", method="get"})",
              "m");
  EXPECT_EQ(S(r.all), R"({app="a", method="get!"})");
  EXPECT_EQ(S(r.stream), R"({app="a"})");
  EXPECT_EQ(S(r.parsed), R"({method="get!"})");
  // Renaming a parsed label keeps it parsed; the source disappears.
  r = RunLine(R"({app="a"} | logfmt | label_format lvl=level)", R"({app="a"})", "level=info");
  EXPECT_EQ(S(r.all), R"({app="a", lvl="info"})");
  EXPECT_EQ(S(r.parsed), R"({lvl="info"})");
  // Renaming a missing label does nothing.
  EXPECT_EQ(RunLabels(R"({app="a"} | label_format x=nope)", R"({app="a"})", "m"), R"({app="a"})");
}

TEST(PipelineFormatTest, LabelFormatUsesOneSnapshot) {
  // Both templates see the labels as they were before the stage.
  EXPECT_EQ(RunLabels(R"({app="a"} | label_format a="{{.b}}", b="{{.a}}")",
                      R"({a="1", app="a", b="2"})", "m"),
            R"({a="2", app="a", b="1"})");
  // Items apply in order: the rename reads the value the template just set,
  // and removes its source.
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | label_format queue="", x=queue)", R"({app="a"})",
                      "queue=emails"),
            R"({app="a", x=""})");
}

TEST(PipelineFormatTest, FormatErrors) {
  EXPECT_NE(
      PipelineError(R"({app="a"} | label_format x="{{")").find("invalid template for label 'x'"),
      std::string::npos);
  EXPECT_NE(PipelineError(R"({app="a"} | label_format x="{{")").find("unclosed action"),
            std::string::npos);
  EXPECT_NE(PipelineError(R"({app="a"} | line_format "{{ nosuchfunc }}")").find("not defined"),
            std::string::npos);
  EXPECT_NE(PipelineError(R"({app="a"} | label_format a=b, a="x")")
                .find("multiple label name 'a' not allowed in a single format operation"),
            std::string::npos);
  EXPECT_NE(PipelineError(R"({app="a"} | label_format __error__="x")").find("cannot be formatted"),
            std::string::npos);
}

TEST(PipelineFormatTest, Decolorize) {
  auto r = RunLine(R"({app="a"} | decolorize)", R"({app="a"})", "\x1b[31mhello\x1b[0m world");
  EXPECT_EQ(r.line, "hello world");
  r = RunLine(R"({app="a"} | decolorize)", R"({app="a"})", "\x1b]0;title\x07text");
  EXPECT_EQ(r.line, "text");
  r = RunLine(R"({app="a"} | decolorize)", R"({app="a"})", "plain [31m text");
  EXPECT_EQ(r.line, "plain [31m text");
}

TEST(PipelineFormatTest, Drop) {
  const char* stream = R"({app="a", code="500", zone="eu"})";
  EXPECT_EQ(RunLabels(R"({app="a"} | drop code, zone)", stream, "m"), R"({app="a"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | drop code="500")", stream, "m"), R"({app="a", zone="eu"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | drop code="200")", stream, "m"),
            R"({app="a", code="500", zone="eu"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | drop code=~"5..")", stream, "m"), R"({app="a", zone="eu"})");
  // Dropping the error labels clears the error.
  EXPECT_EQ(RunLabels(R"({app="a"} | json | drop __error__, __error_details__)", R"({app="a"})",
                      "not json"),
            R"({app="a"})");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | json | drop __error__="Other")", R"({app="a"})", "x"),
      R"({__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", app="a"})");
  // Dropped parsed labels and metadata.
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | drop x, md)", R"({app="a"})", "x=1 y=2", {{"md", "v"}}),
      R"({app="a", y="2"})");
}

TEST(PipelineFormatTest, Keep) {
  const char* stream = R"({app="a", code="500", zone="eu"})";
  EXPECT_EQ(RunLabels(R"({app="a"} | keep zone)", stream, "m"), R"({zone="eu"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | keep code="500")", stream, "m"), R"({code="500"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | keep code="200")", stream, "m"), "{}");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | keep x, app)", stream, "x=1 y=2"),
            R"({app="a", x="1"})");
  // keep never removes the error labels.
  EXPECT_EQ(
      RunLabels(R"({app="a"} | json | keep app)", R"({app="a"})", "x"),
      R"({__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", app="a"})");
}

}  // namespace
}  // namespace lode::logql
