// AstReferencesTest: Expr::ReferencesLabel, which decides on the parsed
// query whether the query-time `detected_level` label must be computed.

#include <gtest/gtest.h>

#include <string>

#include "logql/syntax/parser.h"

namespace lode::logql {
namespace {

bool Refs(const std::string& q, const std::string& name = "detected_level") {
  ExprPtr e;
  Status s = ParseExpr(q, &e);
  EXPECT_TRUE(s.ok()) << q << ": " << s.message();
  return s.ok() && e->ReferencesLabel(name);
}

TEST(AstReferencesTest, FindsEveryPlaceALabelIsRead) {
  EXPECT_TRUE(Refs(R"(sum by (detected_level) (count_over_time({app="a"}[1m])))"));
  EXPECT_TRUE(Refs(R"(count_over_time({app="a"} | detected_level="error" [1m]))"));
  EXPECT_TRUE(Refs(R"({app="a"} | detected_level=~"warn|error")"));
  EXPECT_TRUE(Refs(R"({app="a"} | line_format "{{.detected_level}}: {{__line__}}")"));
  EXPECT_TRUE(Refs(R"({app="a"} | label_format lvl=detected_level)"));
  EXPECT_TRUE(Refs(R"({app="a"} | keep detected_level)"));
  EXPECT_TRUE(Refs(
      R"(sum(rate({app="a"}[1m])) by (detected_level) / on (detected_level) sum(rate({app="b"}[1m])) by (detected_level))"));
  EXPECT_TRUE(Refs(R"q(label_replace(rate({app="a"}[1m]), "x", "$1", "detected_level", "(.*)"))q"));
  EXPECT_TRUE(
      Refs(R"(sum(sum_over_time({app="a"} | logfmt | unwrap latency | detected_level="x" [1m])))"));
  EXPECT_TRUE(Refs(R"({app="a"} | logfmt | x="1")", "x"));
}

TEST(AstReferencesTest, IgnoresTheNameInLiteralText) {
  // A substring search of the query text would compute the label here.
  EXPECT_FALSE(Refs(R"({app="a"} |= "detected_level")"));
  EXPECT_FALSE(Refs(R"({app="detected_level"})"));
  EXPECT_FALSE(Refs(R"({app="a"} | line_format "detected_level is not a field here")"));
  EXPECT_FALSE(Refs(R"({app="a"} | level="error")"));
  EXPECT_FALSE(Refs(R"(sum by (level) (count_over_time({app="a"}[1m])))"));
  EXPECT_FALSE(Refs(R"({app="a"} | line_format "{{.detected_levels}}")"));
}

}  // namespace
}  // namespace lode::logql
