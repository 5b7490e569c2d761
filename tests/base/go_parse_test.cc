// GoParseTest: Go's strconv, time.ParseDuration, Prometheus durations and
// go-humanize byte sizes as base/go_parse.h implements them.

#include "base/go_parse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace lode {
namespace {

TEST(GoParseTest, GoDurations) {
  int64_t ns = 0;
  std::string err;
  ASSERT_TRUE(GoParseDuration("1h2m3.5s", &ns, &err));
  EXPECT_EQ(ns, 3'723'500'000'000LL);
  ASSERT_TRUE(GoParseDuration("1.5\xC2\xB5s", &ns, &err));
  EXPECT_EQ(ns, 1500);
  ASSERT_TRUE(GoParseDuration("0", &ns, &err));
  EXPECT_EQ(ns, 0);
  EXPECT_FALSE(GoParseDuration("1d", &ns, &err));
  EXPECT_EQ(err, "time: unknown unit \"d\" in duration \"1d\"");
  EXPECT_FALSE(GoParseDuration("10", &ns, &err));
  EXPECT_EQ(err, "time: missing unit in duration \"10\"");
  EXPECT_FALSE(GoParseDuration("", &ns, &err));
  EXPECT_EQ(err, "time: invalid duration \"\"");
  EXPECT_FALSE(GoParseDuration("abc", &ns, &err));
  EXPECT_EQ(err, "time: invalid duration \"abc\"");
  EXPECT_FALSE(GoParseDuration("9999999999h", &ns, &err));
}

TEST(GoParseTest, PromDurations) {
  int64_t ns = 0;
  std::string err;
  ASSERT_TRUE(PromParseDuration("1y2w3d4h5m6s7ms", &ns, &err));
  EXPECT_FALSE(PromParseDuration("5m1h", &ns, &err));
  EXPECT_EQ(err, "not a valid duration string: \"5m1h\"");
  EXPECT_FALSE(PromParseDuration("1.5h", &ns, &err));
}

TEST(GoParseTest, GoFloats) {
  double v = 0;
  std::string err;
  ASSERT_TRUE(GoParseFloat("1.5e3", &v, &err));
  EXPECT_EQ(v, 1500);
  ASSERT_TRUE(GoParseFloat("0x1.8p3", &v, &err));
  EXPECT_EQ(v, 12);
  ASSERT_TRUE(GoParseFloat("1_000", &v, &err));
  EXPECT_EQ(v, 1000);
  ASSERT_TRUE(GoParseFloat("-Inf", &v, &err));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  ASSERT_TRUE(GoParseFloat("NaN", &v, &err));
  EXPECT_TRUE(std::isnan(v));
  EXPECT_FALSE(GoParseFloat("0x1A", &v, &err));
  EXPECT_EQ(err, "strconv.ParseFloat: parsing \"0x1A\": invalid syntax");
  EXPECT_FALSE(GoParseFloat("0b101", &v, &err));
  EXPECT_FALSE(GoParseFloat("1__0", &v, &err));
  EXPECT_FALSE(GoParseFloat("", &v, &err));
  EXPECT_FALSE(GoParseFloat("1e400", &v, &err));
  EXPECT_EQ(err, "strconv.ParseFloat: parsing \"1e400\": value out of range");
}

TEST(GoParseTest, GoInts) {
  int64_t i = 0;
  bool range_err = false;
  EXPECT_TRUE(GoParseInt("-42", 10, &i, &range_err));
  EXPECT_EQ(i, -42);
  EXPECT_FALSE(GoParseInt("1.5", 10, &i, &range_err));
  EXPECT_FALSE(range_err);
  EXPECT_FALSE(GoParseInt("99999999999999999999", 10, &i, &range_err));
  EXPECT_TRUE(range_err);
  EXPECT_FALSE(GoParseInt("1_000", 10, &i, &range_err));  // underscores need base 0
  EXPECT_TRUE(GoParseInt("0x_1f", 0, &i, &range_err));
  EXPECT_EQ(i, 31);
  EXPECT_TRUE(GoParseInt("0o17", 0, &i, &range_err));
  EXPECT_EQ(i, 15);
  uint64_t u = 0;
  EXPECT_TRUE(GoParseUint("18446744073709551615", 10, &u));
  EXPECT_FALSE(GoParseUint("18446744073709551616", 10, &u));
}

TEST(GoParseTest, HumanizeBytes) {
  EXPECT_EQ(HumanizeBytes(5), "5 B");
  EXPECT_EQ(HumanizeBytes(10240), "10 kB");
  EXPECT_EQ(HumanizeBytes(82854982), "83 MB");
  EXPECT_EQ(HumanizeBytes(1500), "1.5 kB");
  uint64_t b = 0;
  std::string err;
  ASSERT_TRUE(HumanizeParseBytes("1.5 MiB", &b, &err));
  EXPECT_EQ(b, 1572864u);
  EXPECT_FALSE(HumanizeParseBytes("1 XB", &b, &err));
  EXPECT_EQ(err, "unhandled size name: xb");
}

}  // namespace
}  // namespace lode
