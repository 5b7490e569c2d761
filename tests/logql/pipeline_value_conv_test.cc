// Go-compatible value conversions and their error texts.
#include <gtest/gtest.h>

#include <cmath>

#include "base/go_parse.h"

namespace lode::logql {
namespace {

TEST(PipelineValueConvTest, ParseFloat) {
  double v;
  std::string err;
  ASSERT_TRUE(GoParseFloat("1.5e3", &v, &err));
  EXPECT_EQ(v, 1500);
  ASSERT_TRUE(GoParseFloat("-0.25", &v, &err));
  EXPECT_EQ(v, -0.25);
  ASSERT_TRUE(GoParseFloat("1_000", &v, &err));
  EXPECT_EQ(v, 1000);
  ASSERT_TRUE(GoParseFloat("0x1p4", &v, &err));
  EXPECT_EQ(v, 16);
  ASSERT_TRUE(GoParseFloat("+Inf", &v, &err));
  EXPECT_TRUE(std::isinf(v) && v > 0);
  ASSERT_TRUE(GoParseFloat("NaN", &v, &err));
  EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(GoParseFloat(".5", &v, &err));
  EXPECT_EQ(v, 0.5);
  for (const char* bad :
       {"", "0x10", " 1", "1 ", "1e", "abc", "1__0", "_1", "--1", "+nan", "infin"}) {
    EXPECT_FALSE(GoParseFloat(bad, &v, &err)) << bad;
  }
  GoParseFloat("oops", &v, &err);
  EXPECT_EQ(err, "strconv.ParseFloat: parsing \"oops\": invalid syntax");
  EXPECT_FALSE(GoParseFloat("1e400", &v, &err));
  EXPECT_EQ(err, "strconv.ParseFloat: parsing \"1e400\": value out of range");
}

TEST(PipelineValueConvTest, ParseDuration) {
  int64_t ns;
  std::string err;
  ASSERT_TRUE(GoParseDuration("1h30m", &ns, &err));
  EXPECT_EQ(ns, 5400LL * 1000000000);
  ASSERT_TRUE(GoParseDuration("1.5h", &ns, &err));
  EXPECT_EQ(ns, 5400LL * 1000000000);
  ASSERT_TRUE(GoParseDuration("-500ms", &ns, &err));
  EXPECT_EQ(ns, -500000000);
  ASSERT_TRUE(GoParseDuration("3600000000\u00b5s", &ns, &err));
  EXPECT_EQ(ns, 3600LL * 1000000000);
  ASSERT_TRUE(GoParseDuration("0", &ns, &err));
  EXPECT_EQ(ns, 0);
  ASSERT_TRUE(GoParseDuration(".5s", &ns, &err));
  EXPECT_EQ(ns, 500000000);
  EXPECT_FALSE(GoParseDuration("90", &ns, &err));
  EXPECT_EQ(err, "time: missing unit in duration \"90\"");
  EXPECT_FALSE(GoParseDuration("1d", &ns, &err));
  EXPECT_EQ(err, "time: unknown unit \"d\" in duration \"1d\"");
  EXPECT_FALSE(GoParseDuration("oops", &ns, &err));
  EXPECT_EQ(err, "time: invalid duration \"oops\"");
  EXPECT_FALSE(GoParseDuration("", &ns, &err));
  EXPECT_FALSE(GoParseDuration("99999999999h", &ns, &err));
  EXPECT_EQ(err, "time: invalid duration \"99999999999h\"");
  EXPECT_EQ(DurationSeconds(1500000000), 1.5);
}

TEST(PipelineValueConvTest, ParseBytes) {
  uint64_t b;
  std::string err;
  ASSERT_TRUE(HumanizeParseBytes("1KB", &b, &err));
  EXPECT_EQ(b, 1000u);
  ASSERT_TRUE(HumanizeParseBytes("1 KiB", &b, &err));
  EXPECT_EQ(b, 1024u);
  ASSERT_TRUE(HumanizeParseBytes("2Kb", &b, &err));
  EXPECT_EQ(b, 2000u);
  ASSERT_TRUE(HumanizeParseBytes("1.5GiB", &b, &err));
  EXPECT_EQ(b, 1610612736u);
  ASSERT_TRUE(HumanizeParseBytes("42", &b, &err));
  EXPECT_EQ(b, 42u);
  ASSERT_TRUE(HumanizeParseBytes("1PiB", &b, &err));
  EXPECT_EQ(b, 1125899906842624u);
  EXPECT_FALSE(HumanizeParseBytes("1XB", &b, &err));
  EXPECT_EQ(err, "unhandled size name: xb");
  EXPECT_FALSE(HumanizeParseBytes("oops", &b, &err));
  EXPECT_EQ(err, "strconv.ParseFloat: parsing \"\": invalid syntax");
  EXPECT_FALSE(HumanizeParseBytes("100000EB", &b, &err));
  EXPECT_EQ(err, "too large: 100000EB");
}

}  // namespace
}  // namespace lode::logql
