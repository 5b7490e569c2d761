// Line filters: literals, regexes, patterns, ip(), `or` alternatives.
#include <gtest/gtest.h>

#include "logql/log/line_filter.h"
#include "tests/logql/pipeline_test_util.h"

namespace lode::logql {
namespace {

using pipeline_test::Keeps;
using pipeline_test::MakePipeline;
using pipeline_test::PipelineError;

TEST(PipelineLineFilterTest, ContainsIsCaseSensitiveSubstring) {
  EXPECT_TRUE(Keeps(R"({app="a"} |= "err")", "req id=1 err=connrefused"));
  EXPECT_FALSE(Keeps(R"({app="a"} |= "ERR")", "req id=1 err=connrefused"));
  EXPECT_FALSE(Keeps(R"({app="a"} != "err")", "req id=1 err=connrefused"));
  EXPECT_TRUE(Keeps(R"({app="a"} != "err")", "req id=2 ok"));
  // An empty literal matches every line, so its negation matches none.
  EXPECT_TRUE(Keeps(R"({app="a"} |= "")", "anything"));
  EXPECT_FALSE(Keeps(R"({app="a"} != "")", "anything"));
}

TEST(PipelineLineFilterTest, ChainedFiltersAreAnd) {
  const char* q = R"({app="a"} |= "error" != "status=500")";
  EXPECT_TRUE(Keeps(q, "level=error status=200"));
  EXPECT_FALSE(Keeps(q, "level=error status=500"));
  EXPECT_FALSE(Keeps(q, "level=info status=200"));
}

TEST(PipelineLineFilterTest, Regex) {
  EXPECT_TRUE(Keeps(R"({app="a"} |~ "code=5..")", "code=500 fail"));
  EXPECT_FALSE(Keeps(R"({app="a"} |~ "code=5..")", "CODE=503 down"));
  EXPECT_TRUE(Keeps(R"({app="a"} |~ "(?i)code=5..")", "CODE=503 down"));
  EXPECT_TRUE(Keeps(R"({app="a"} !~ "code=5..")", "code=200 pass"));
  // Unanchored, Go syntax.
  EXPECT_TRUE(Keeps(R"({app="a"} |~ "\\d{3} ms$")", "took 123 ms"));
  EXPECT_FALSE(Keeps(R"({app="a"} |~ "^took")", "it took 123 ms"));
  EXPECT_TRUE(Keeps(R"({app="a"} |~ "")", "x"));
  EXPECT_FALSE(Keeps(R"({app="a"} |~ ".+")", ""));
  EXPECT_TRUE(Keeps(R"({app="a"} |~ ".*")", ""));
}

TEST(PipelineLineFilterTest, CaseInsensitiveLiteralRegex) {
  EXPECT_TRUE(Keeps(R"({app="a"} |~ "(?i)post")", R"("POST /x HTTP/1.1")"));
  EXPECT_TRUE(Keeps(R"({app="a"} |~ "(?i)post")", "a Post b"));
  // The search restarts correctly after a partial match.
  EXPECT_TRUE(Keeps(R"({app="a"} |~ "(?i)ab")", "AAB"));
  EXPECT_FALSE(Keeps(R"({app="a"} |~ "(?i)post")", "pots"));
  EXPECT_FALSE(Keeps(R"({app="a"} !~ "(?i)GET")", "get /"));
  // Non-ASCII literals go through RE2's case folding.
  EXPECT_TRUE(Keeps(R"({app="a"} |~ "(?i)ÉTÉ")", "un été chaud"));
}

TEST(PipelineLineFilterTest, RegexAnalysis) {
  RegexPlan p = AnalyzeRegex("foo");
  EXPECT_EQ(p.kind, RegexPlan::Kind::kLiterals);
  EXPECT_EQ(p.literals, std::vector<std::string>{"foo"});
  p = AnalyzeRegex(".*foo\\.bar.*");
  EXPECT_EQ(p.kind, RegexPlan::Kind::kLiterals);
  EXPECT_EQ(p.literals, std::vector<std::string>{"foo.bar"});
  p = AnalyzeRegex("a|bc");
  EXPECT_EQ(p.kind, RegexPlan::Kind::kLiterals);
  EXPECT_EQ(p.literals, (std::vector<std::string>{"a", "bc"}));
  p = AnalyzeRegex("(?i)FoO");
  EXPECT_EQ(p.kind, RegexPlan::Kind::kLiterals);
  EXPECT_TRUE(p.case_insensitive);
  EXPECT_EQ(p.literals, std::vector<std::string>{"foo"});
  EXPECT_EQ(AnalyzeRegex(".*").kind, RegexPlan::Kind::kTrue);
  EXPECT_EQ(AnalyzeRegex(".+").kind, RegexPlan::Kind::kExists);
  // Required literals guard RE2; quantified atoms are not required.
  p = AnalyzeRegex("status\":5\\d\\d");
  EXPECT_EQ(p.kind, RegexPlan::Kind::kRegex);
  EXPECT_EQ(p.required, "status\":5");
  EXPECT_EQ(AnalyzeRegex("abcx?d").required, "abc");
  EXPECT_EQ(AnalyzeRegex("ab+cd[0-9]").required, "ab");
  EXPECT_EQ(AnalyzeRegex("x(foo|bar)yyyy").required, "yyyy");
  EXPECT_EQ(AnalyzeRegex("HTTP/1\\.1\" 200").kind, RegexPlan::Kind::kLiterals);
  // No safe literal: top-level alternation with classes, or case folding.
  EXPECT_EQ(AnalyzeRegex("a[0-9]|b").required, "");
  EXPECT_EQ(AnalyzeRegex("x(?i)abc\\d").required, "");
  EXPECT_EQ(AnalyzeRegex("ab{0,2}c\\d").required, "a");
}

TEST(PipelineLineFilterTest, RegexPrefilterKeepsSemantics) {
  const char* q = R"({app="api"} |~ "status\":5\\d\\d")";
  EXPECT_TRUE(Keeps(q, R"({"status":503})"));
  EXPECT_FALSE(Keeps(q, R"({"status":404})"));
  EXPECT_FALSE(Keeps(q, R"({"status":5})"));
  EXPECT_FALSE(Keeps(R"({app="a"} !~ "HTTP/1\\.1\" 200")", R"("GET / HTTP/1.1" 200 12)"));
  EXPECT_TRUE(Keeps(R"({app="a"} !~ "HTTP/1\\.1\" 200")", R"("GET / HTTP/1.1" 404 12)"));
}

TEST(PipelineLineFilterTest, InvalidRegexFails) {
  EXPECT_NE(PipelineError(R"({app="a"} |~ "(")").find("error parsing regexp"), std::string::npos);
}

TEST(PipelineLineFilterTest, PatternFilter) {
  EXPECT_TRUE(Keeps(R"({app="a"} |> "GET <_> 200")", "GET /api 200"));
  EXPECT_FALSE(Keeps(R"({app="a"} |> "GET <_> 200")", "POST /api 500"));
  EXPECT_TRUE(Keeps(R"({app="a"} !> "GET <_> 200")", "POST /api 500"));
  // Without <_> the pattern must match the whole line.
  EXPECT_FALSE(Keeps(R"({app="a"} |> "GET /api")", "GET /api 200"));
  EXPECT_TRUE(Keeps(R"({app="a"} |> "<_>\"level\":\"error\"<_>")", R"({"level":"error","x":1})"));
  // An empty capture does not match.
  EXPECT_FALSE(Keeps(R"({app="a"} |> "<_> bar <_>")", " bar "));
  EXPECT_NE(
      PipelineError(R"({app="a"} |> "<verb> /api 200")").find("named captures are not allowed"),
      std::string::npos);
}

TEST(PipelineLineFilterTest, IpFilter) {
  const char* q = R"({app="a"} |= ip("192.168.1.0/24"))";
  EXPECT_TRUE(Keeps(q, "src 192.168.1.10 ok"));
  EXPECT_FALSE(Keeps(q, "src 10.0.0.9 ok"));
  EXPECT_FALSE(Keeps(q, "no ip here"));
  EXPECT_TRUE(Keeps(R"({app="a"} != ip("192.168.1.0/24"))", "no ip here"));
  EXPECT_TRUE(Keeps(R"({app="a"} |= ip("10.0.0.1-10.0.0.20"))", "peer=10.0.0.9:443"));
  EXPECT_FALSE(Keeps(R"({app="a"} |= ip("10.0.0.1-10.0.0.20"))", "peer=10.0.0.21:443"));
  EXPECT_TRUE(Keeps(R"({app="a"} |= ip("10.0.0.9"))", "a 10.0.0.9 b"));
  EXPECT_TRUE(Keeps(R"({app="a"} |= ip("2001:db8::/32"))", "from 2001:db8::1 x"));
  EXPECT_FALSE(Keeps(R"({app="a"} |= ip("2001:db8::/32"))", "from 2001:db9::1 x"));
  // An IPv4 address never matches an IPv6 range; octets with leading zeros are not IPs.
  EXPECT_FALSE(Keeps(R"({app="a"} |= ip("::/0"))", "1.2.3.4 "));
  EXPECT_FALSE(Keeps(R"({app="a"} |= ip("10.0.0.0/8"))", "10.0.0.09 x"));
  EXPECT_NE(PipelineError(R"({app="a"} |= ip("notanip"))").find("ip: invalid pattern"),
            std::string::npos);
}

TEST(PipelineLineFilterTest, OrAlternatives) {
  const char* q = R"({app="a"} |= "error" or "warn")";
  EXPECT_TRUE(Keeps(q, "level=error x"));
  EXPECT_TRUE(Keeps(q, "level=warn y"));
  EXPECT_FALSE(Keeps(q, "level=info z"));
  // A negative filter drops a line matching any alternative.
  EXPECT_FALSE(Keeps(R"({app="a"} != "error" or "warn")", "level=warn y"));
  EXPECT_TRUE(Keeps(R"({app="a"} != "error" or "warn")", "level=info z"));
  EXPECT_TRUE(Keeps(R"({app="a"} |~ "err.r" or "wa.n")", "level=warn"));
  EXPECT_TRUE(Keeps(R"({app="a"} |> "level=error <_>" or "level=warn <_>")", "level=warn y"));
  EXPECT_TRUE(Keeps(R"({app="a"} |= "special" or ip("10.0.0.0/8"))", "src 10.0.0.9 ok"));
  EXPECT_TRUE(Keeps(R"({app="a"} |= "special" or ip("10.0.0.0/8"))", "special no ip"));
  EXPECT_FALSE(Keeps(R"({app="a"} != ip("10.0.0.0/8") or "special")", "special no ip"));
  EXPECT_NE(
      PipelineError(R"({app="a"} |~ "special" or ip("1.2.3.4"))").find("ip: invalid operation"),
      std::string::npos);
}

TEST(PipelineLineFilterTest, RequiredLiteral) {
  EXPECT_EQ(MakePipeline(R"({app="a"} |= "ab" |= "abcd" |~ "zzzzzz")")->RequiredLiteral(), "abcd");
  // Only literals before the line may change, and only positive single ones.
  EXPECT_EQ(MakePipeline(R"({app="a"} |= "ab" | json |= "abcdef")")->RequiredLiteral(), "ab");
  EXPECT_EQ(MakePipeline(R"({app="a"} != "abcdef" |= "x" or "yy")")->RequiredLiteral(), "");
  EXPECT_EQ(MakePipeline(R"({app="a"} | level="x" |= "abc")")->RequiredLiteral(), "abc");
  EXPECT_EQ(MakePipeline(R"({app="a"} | line_format "x" |= "abc")")->RequiredLiteral(), "");
  EXPECT_TRUE(MakePipeline(R"({app="a"})")->IsNoop());
  EXPECT_FALSE(MakePipeline(R"({app="a"} |= "x")")->IsNoop());
}

}  // namespace
}  // namespace lode::logql
