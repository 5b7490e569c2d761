// `| json`, `| json a="path"`, `| unpack` and key sanitising.
#include <gtest/gtest.h>

#include "logql/log/json_parser.h"
#include "tests/logql/pipeline_test_util.h"

namespace lode::logql {
namespace {

using pipeline_test::PipelineError;
using pipeline_test::RunLabels;
using pipeline_test::RunLine;

TEST(PipelineJsonTest, FlattensAndConvertsValues) {
  EXPECT_EQ(
      RunLabels(R"({app="a"} | json)", R"({app="a"})",
                R"({"lvl":"warn","obj":{"x":1,"y":{"z":2}},"ok":true,"no":false,)"
                R"("nil":null,"arr":[1,2],"f":1.5,"e":-1.5e3})"),
      R"({app="a", e="-1.5e3", f="1.5", lvl="warn", no="false", obj_x="1", obj_y_z="2", ok="true"})");
}

TEST(PipelineJsonTest, KeysAreSanitised) {
  EXPECT_EQ(RunLabels(R"({app="a"} | json)", R"({app="a"})",
                      R"({"a.b":1,"9x":2,"h-k":{"1":3},"é":4," sp ":5,"price":{"_net_":6}})"),
            R"({_="4", _9x="2", a_b="1", app="a", h_k_1="3", price__net_="6", sp="5"})");
  std::string out;
  SanitizeLabelKey("\u00a0user-agent\u3000", &out);
  EXPECT_EQ(out, "user_agent");
}

TEST(PipelineJsonTest, FirstValueWinsAndClashesGetSuffix) {
  EXPECT_EQ(RunLabels(R"({app="a"} | json)", R"({app="a", level="stream"})",
                      R"({"level":"parsed","dup":"first","dup":"second"})"),
            R"({app="a", dup="first", level="stream", level_extracted="parsed"})");
  // Structured metadata wins over a parsed key too.
  auto r = RunLine(R"({app="a"} | json)", R"({app="a"})", R"({"md":"p"})", {{"md", "m"}});
  EXPECT_EQ(pipeline_test::S(r.all), R"({app="a", md="m", md_extracted="p"})");
  EXPECT_EQ(pipeline_test::S(r.metadata), R"({md="m"})");
  EXPECT_EQ(pipeline_test::S(r.parsed), R"({md_extracted="p"})");
  // A second parser does not overwrite a key the first one extracted.
  EXPECT_EQ(
      RunLabels(R"q({app="a"} | json | regexp "(?P<k>\\w+)")q", R"({app="a"})", R"({"k":"v"})"),
      R"({app="a", k="v"})");
}

TEST(PipelineJsonTest, StringEscapesAndInvalidUtf8) {
  EXPECT_EQ(RunLabels(R"({app="a"} | json)", R"({app="a"})",
                      R"({"q":"a\"b\\c\u00e9\ud83d\ude00","bad":"x\qy"})"),
            "{app=\"a\", bad=\"\", q=\"a\\\"b\\\\c\u00e9\U0001F600\"}");
  EXPECT_EQ(RunLabels(R"({app="a"} | json)", R"({app="a"})",
                      "{\"v\":\"a\xff"
                      "b\"}"),
            R"({app="a", v="a b"})");
}

TEST(PipelineJsonTest, ErrorsKeepTheLineAndEarlierLabels) {
  auto r = RunLine(R"({app="a"} | json)", R"({app="a"})", "broken");
  EXPECT_TRUE(r.kept);
  EXPECT_EQ(r.line, "broken");
  EXPECT_EQ(
      pipeline_test::S(r.all),
      R"({__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", app="a"})");
  EXPECT_EQ(
      pipeline_test::S(r.parsed),
      R"({__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol"})");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | json)", R"({app="a"})", R"({"ok":1)"),
      R"({__error__="JSONParserErr", __error_details__="Value is array, but can't find closing ']' symbol", app="a", ok="1"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | json)", R"({app="a"})", R"({"a":tru})"),
            R"({__error__="JSONParserErr", __error_details__="Unknown value type", app="a"})");
  // Bytes after the top-level object are ignored, as jsonparser does.
  EXPECT_EQ(RunLabels(R"({app="a"} | json)", R"({app="a"})", R"(  {"a":"b"} trailing)"),
            R"({a="b", app="a"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | json | __error__="")", R"({app="a"})", "x"), "dropped");
}

TEST(PipelineJsonTest, Parameters) {
  const char* line =
      R"({"user":{"id":"u1","name":"alice"},"tags":["x",{"k":"y"}],"h":{"User-Agent":"curl"},"n":null,"o":{"a":1}})";
  EXPECT_EQ(
      RunLabels(
          R"({app="a"} | json who="user.id", tag="tags[0]", k="tags[1].k", ua="h[\"User-Agent\"]")",
          R"({app="a"})", line),
      R"({app="a", k="y", tag="x", ua="curl", who="u1"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | json age="user.age", n, o)", R"({app="a"})", line),
            R"({age="", app="a", n="", o="{\"a\":1}"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | json user="user.name")", R"({app="a", user="s"})", line),
            R"({app="a", user="s", user_extracted="alice"})");
  // A line that cannot start a JSON value fails before any label is set.
  EXPECT_EQ(RunLabels(R"({app="a"} | json a="x")", R"({app="a"})", "plain"),
            R"({__error__="JSONParserErr", app="a"})");
  EXPECT_NE(
      PipelineError(R"({app="a"} | json bad="user[")").find("cannot parse expression [user[]"),
      std::string::npos);
  std::vector<std::string> path;
  std::string err;
  ASSERT_TRUE(ParseJsonPath(R"(a.b[2]["c d"])", &path, &err)) << err;
  EXPECT_EQ(path, (std::vector<std::string>{"a", "b", "[2]", "c d"}));
  EXPECT_FALSE(ParseJsonPath("a[1.5]", &path, &err));
}

TEST(PipelineJsonTest, Unpack) {
  auto r = RunLine(R"({app="a"} | unpack)", R"({app="a", lvl="stream"})",
                   R"({"lvl":"packed","cluster":"eu","num":5,"_entry":"code=42"})");
  EXPECT_EQ(r.line, "code=42");
  EXPECT_EQ(pipeline_test::S(r.all),
            R"({app="a", cluster="eu", lvl="stream", lvl_extracted="packed"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | unpack | logfmt)", R"({app="a"})",
                      R"({"_entry":"code=42 x=\"y\""})"),
            R"({app="a", code="42", x="y"})");
  // Without _entry nothing is promoted and the line stays.
  r = RunLine(R"({app="a"} | unpack)", R"({app="a"})", R"({"k":"v"})");
  EXPECT_EQ(r.line, R"({"k":"v"})");
  EXPECT_EQ(pipeline_test::S(r.all), R"({app="a"})");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | unpack)", R"({app="a"})", "not json"),
      R"({__error__="JSONParserErr", __error_details__="expecting json object(6), but it is not", app="a"})");
}

}  // namespace
}  // namespace lode::logql
