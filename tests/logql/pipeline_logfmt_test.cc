// `| logfmt` with --strict, --keep-empty and parameters.
#include <gtest/gtest.h>

#include "logql/log/logfmt_parser.h"
#include "tests/logql/pipeline_test_util.h"

namespace lode::logql {
namespace {

using pipeline_test::PipelineError;
using pipeline_test::RunLabels;

TEST(PipelineLogfmtTest, Basics) {
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt)", R"({app="a"})",
                      R"(a-b=1 9x=2 dup=first dup=second msg="hi there" empty= bare)"),
            R"({_9x="2", a_b="1", app="a", dup="first", msg="hi there"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt --keep-empty)", R"({app="a"})", R"(a=1 empty= bare)"),
            R"({a="1", app="a", bare="", empty=""})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt)", R"({app="a"})", R"(q="a \"b\" \u00e9\n")"),
            "{app=\"a\", q=\"a \\\"b\\\" \u00e9\\n\"}");
}

TEST(PipelineLogfmtTest, NonStrictSkipsBadPairs) {
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt)", R"({app="a"})", R"(good=1 bad="unterminated)"),
            R"({app="a", good="1"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt)", R"({app="a"})", R"(a=1 =x b"c=2 d=e=f g=3)"),
            R"({a="1", app="a", g="3"})");
}

TEST(PipelineLogfmtTest, StrictStopsWithError) {
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt --strict)", R"({app="a"})", R"(good=1 bad="unterminated)"),
      R"({__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 25 : unterminated quoted value", app="a", good="1"})");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt --strict)", R"({app="a"})", R"(a=1 b"c=2 d=3)"),
      R"({__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 6 : unexpected '\"'", a="1", app="a"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt --strict | __error__="")", R"({app="a"})", "=x"),
            "dropped");
}

TEST(PipelineLogfmtTest, ClashesWithStreamAndMetadata) {
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt)", R"({app="a", sl="s", sm="s", tri="s"})", "sl=p md=p tri=p",
                {{"md", "m"}, {"sm", "m"}, {"tri", "m"}}),
      R"({app="a", md="m", md_extracted="p", sl="s", sl_extracted="p", sm="s", sm_extracted="m", tri="s", tri_extracted="p"})");
}

TEST(PipelineLogfmtTest, Parameters) {
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt level, code="status")", R"({app="a"})",
                      "level=info status=200 msg=hi"),
            R"({app="a", code="200", level="info"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt level, code="status")", R"({app="a"})", "msg=hi"),
            R"({app="a", code="", level=""})");
  EXPECT_EQ(
      RunLabels(R"({app="a", level="s"} | logfmt level)", R"({app="a", level="s"})", "level=info"),
      R"({app="a", level="s", level_extracted="info"})");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt --strict level)", R"({app="a"})", "level=x \"oops"),
      R"({__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 9 : unexpected '\"'", app="a", level="x"})");
  EXPECT_NE(PipelineError(R"({app="a"} | logfmt a="b c")").find("cannot parse expression [b c]"),
            std::string::npos);
}

TEST(PipelineLogfmtTest, Decoder) {
  LogfmtDecoder d;
  d.Reset(R"(  k=v "x" k2="a\tb" k3)");
  ASSERT_TRUE(d.ScanKeyval());
  EXPECT_EQ(d.key(), "k");
  EXPECT_EQ(d.value(), "v");
  EXPECT_FALSE(d.ScanKeyval());  // a quote where a key should start
  EXPECT_TRUE(d.has_error());
  ASSERT_TRUE(d.ScanKeyval());
  EXPECT_EQ(d.key(), "k2");
  EXPECT_EQ(d.value(), "a\tb");
  ASSERT_TRUE(d.ScanKeyval());
  EXPECT_EQ(d.key(), "k3");
  EXPECT_EQ(d.value(), "");
  EXPECT_TRUE(d.EOL());
}

}  // namespace
}  // namespace lode::logql
