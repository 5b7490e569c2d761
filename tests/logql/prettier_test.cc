// PrettierTest: format_query's formatter (logql/syntax/prettier.h) against
// every expected output of Loki's own prettier_test.go (ported verbatim into
// prettier_loki_cases.inc), plus the one-line form and Go formatting helpers.

#include "logql/syntax/prettier.h"

#include <gtest/gtest.h>

#include <string>

#include "logql/syntax/parser.h"

namespace lode::logql {
namespace {

struct LokiCase {
  const char* name;
  const char* in;
  const char* exp;
};

const LokiCase kLokiCases[] = {
#include "prettier_loki_cases.inc"
};

ExprPtr MustParse(const std::string& q) {
  ExprPtr e;
  Status s = ParseExpr(q, &e);
  EXPECT_TRUE(s.ok()) << q << " -> " << s.message();
  return e;
}

TEST(PrettierTest, LokiTestCases) {
  EXPECT_EQ(std::size(kLokiCases), 22u);
  for (const LokiCase& c : kLokiCases) {
    ExprPtr e = MustParse(c.in);
    ASSERT_TRUE(e) << c.name;
    EXPECT_EQ(Prettify(*e, 20), c.exp) << c.name;
  }
}

TEST(PrettierTest, ShortQueriesStayOnOneLine) {
  EXPECT_EQ(Prettify(*MustParse(R"q({a="b"}|logfmt|level="error")q")),
            R"q({a="b"} | logfmt | level="error")q");
  EXPECT_EQ(Prettify(*MustParse(R"q(sum by(a,b)(rate({a="b"}[5m])))q")),
            R"q(sum by (a,b)(rate({a="b"}[5m])))q");
  EXPECT_EQ(Prettify(*MustParse(R"q(count_over_time({a="b"}[5m] offset 1h))q")),
            R"q(count_over_time({a="b"}[5m] offset 1h0m0s))q");
}

TEST(PrettierTest, OneLineForms) {
  auto s = [](const std::string& q) { return ExprString(*MustParse(q)); };
  EXPECT_EQ(s(R"q({a="b"} |= "x" or "y" != "z" or "w")q"),
            R"q({a="b"} |= "x" or "y" != "z" != "w")q");
  EXPECT_EQ(s(R"q({a="b"} | a > 1 and b = "x" or c < 5s)q"),
            R"q({a="b"} | ( ( a>1 , b="x" ) or c<5s ))q");
  EXPECT_EQ(s(R"q({a="b"} | size > 20MB | ip = ip("1.2.3.4"))q"),
            R"q({a="b"} | size>20MB | ip=ip("1.2.3.4"))q");
  EXPECT_EQ(s(R"q({a="b"} | json x, y="z" | drop a, b="c" | keep d)q"),
            R"q({a="b"} | json x="x",y="z" | drop a,b="c" | keep d)q");
  EXPECT_EQ(s(R"q({a="b"} | logfmt --strict | label_format a=b, c="{{.d}}" | decolorize)q"),
            R"q({a="b"} | logfmt --strict | label_format a=b,c="{{.d}}" | decolorize)q");
  EXPECT_EQ(s(R"q({a="b"} | regexp "(?P<x>.)" | pattern "<_> <y>" | unpack)q"),
            R"q({a="b"} | regexp "(?P<x>.)" | pattern "<_> <y>" | unpack)q");
  EXPECT_EQ(s(R"q(max_over_time({a="b"} | unwrap duration(d) | __error__="" [1m]) by (x))q"),
            R"q(max_over_time({a="b"} | unwrap duration(d) | __error__=""[1m]) by (x))q");
  EXPECT_EQ(s(R"q(quantile_over_time(0.99, {a="b"} | unwrap x [1h]))q"),
            R"q(quantile_over_time(0.99,{a="b"} | unwrap x[1h]))q");
  EXPECT_EQ(s(R"q(topk(3, rate({a="b"}[1m])))q"), R"q(topk(3,rate({a="b"}[1m])))q");
  EXPECT_EQ(s(R"q(sum without (a) (rate({a="b"}[1m])) > bool 2)q"),
            R"q((sum without (a)(rate({a="b"}[1m])) > bool 2))q");
  EXPECT_EQ(s(R"q(rate({a="b"}[1m]) * on (x) group_left (y) rate({c="d"}[1m]))q"),
            R"q((rate({a="b"}[1m]) * on (x) group_left (y) rate({c="d"}[1m])))q");
  EXPECT_EQ(s("vector(5)"), "vector(5.000000)");
  EXPECT_EQ(s("1 + 2 * 3"), "7");
  EXPECT_EQ(s("1000000"), "1e+06");
}

TEST(PrettierTest, GoFormatting) {
  EXPECT_EQ(GoFormatFloatV(0.5), "0.5");
  EXPECT_EQ(GoFormatFloatV(123456), "123456");
  EXPECT_EQ(GoFormatFloatV(1234567), "1.234567e+06");
  EXPECT_EQ(GoFormatFloatV(0.00001), "1e-05");
  EXPECT_EQ(GoFormatFloatF(1234567), "1234567");
  EXPECT_EQ(GoDurationString(3600'000'000'000LL), "1h0m0s");
  EXPECT_EQ(GoDurationString(1'500'000'000LL), "1.5s");
  EXPECT_EQ(GoDurationString(1'500'000LL), "1.5ms");
  EXPECT_EQ(PromDurationString(90LL * 60 * 1'000'000'000), "1h30m");
  EXPECT_EQ(PromDurationString(7LL * 86400 * 1'000'000'000), "1w");
  EXPECT_EQ(HumanizeBytes(1536), "1.5kB");
  EXPECT_EQ(HumanizeBytes(20e6), "20MB");
  EXPECT_EQ(HumanizeBytes(5), "5B");
}

}  // namespace
}  // namespace lode::logql

namespace lode::logql {
namespace {

// The formatted query means the same query: it parses back to the same
// one-line form, at Loki's width and at the narrow width of Loki's tests.
TEST(PrettierTest, FormattedQueriesParseBackToTheSameQuery) {
  const char* queries[] = {
      R"q({a="b", c!="d", e=~"f.*", g!~"h"})q",
      R"q({a="b"} |= "x" != "y" |~ "z+" !~ "w" |> "<_> a" !> "b <_>")q",
      R"q({a="b"} |= "x" or "y" or ip("1.2.3.4") | json | line_format "{{.a}}")q",
      R"q({a="b"} != "x" or "y" | logfmt --strict --keep-empty a="b", c | drop d, e="f" | keep g)q",
      R"q({a="b"} | regexp "(?P<x>\\w+)" | pattern "<ip> - <_>" | unpack | decolorize | label_format x=y, z="{{.a}}")q",
      R"q({a="b"} | json | status >= 500 and duration > 1.5s or size < 20MB | addr = ip("10.0.0.0/8"))q",
      R"q({a="b"} | json | (x="1" or y!="2"), z=~"3" w!~"4")q",
      R"q(count_over_time({a="b"} |= "x" [5m] offset 1h30m))q",
      R"q(sum by (a, b) (rate({a="b"} | logfmt [1m])))q",
      R"q(topk(3, sum without (c) (bytes_over_time({a="b"}[1h]))))q",
      R"q(quantile_over_time(0.95, {a="b"} | json | unwrap duration_seconds(d) | __error__="" [5m]) by (x))q",
      R"q(sum(rate({a="b"}[1m])) / on (x) group_left (y, z) sum(rate({c="d"}[1m])) > bool 0.5)q",
      R"q(sum(rate({a="b"}[1m])) or vector(0))q",
      R"q(label_replace(rate({a="b"}[1m]), "dst", "$1", "src", "(.*)"))q",
      R"q(-1.5 * sum(count_over_time({a="b"}[1m])) + 2 ^ 3)q",
      R"q(sort_desc(avg(rate({a="b"}[10s]))))q",
      R"q(absent_over_time({a="b"}[1d]))q",
      R"q(max_over_time({a="b"} | unwrap bytes(size) [1w]) without (pod))q",
  };
  for (const char* q : queries) {
    ExprPtr e = MustParse(q);
    ASSERT_TRUE(e) << q;
    const std::string one_line = ExprString(*e);
    for (size_t width : {size_t{20}, kMaxCharsPerLine}) {
      const std::string pretty = Prettify(*e, width);
      ExprPtr back;
      Status s = ParseExpr(pretty, &back);
      ASSERT_TRUE(s.ok()) << q << "\n" << pretty << "\n" << s.message();
      EXPECT_EQ(ExprString(*back), one_line) << q << "\n" << pretty;
    }
  }
}

}  // namespace
}  // namespace lode::logql
