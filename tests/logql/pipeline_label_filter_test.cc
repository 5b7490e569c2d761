// Label filters: string, numeric, duration, bytes and ip, with __error__.
#include <gtest/gtest.h>

#include "tests/logql/pipeline_test_util.h"

namespace lode::logql {
namespace {

using pipeline_test::PipelineError;
using pipeline_test::RunLabels;

constexpr const char* kStream = R"({app="a"})";

TEST(PipelineLabelFilterTest, StringMatchers) {
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | lvl="error")", kStream, "lvl=error"),
            R"({app="a", lvl="error"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | lvl=~"err|warn")", kStream, "lvl=info"), "dropped");
  // Anchored regex; an absent label reads as "".
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | lvl=~"alph")", kStream, "lvl=alpha"), "dropped");
  EXPECT_EQ(RunLabels(R"({app="a"} | missing="")", kStream, "x"), R"({app="a"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | missing=~".+")", kStream, "x"), "dropped");
  // Stream labels and structured metadata are filterable too.
  EXPECT_EQ(RunLabels(R"({app="a"} | app!="a")", kStream, "x"), "dropped");
  EXPECT_EQ(RunLabels(R"({app="a"} | lvl="error")", kStream, "x", {{"lvl", "error"}}),
            R"({app="a", lvl="error"})");
}

TEST(PipelineLabelFilterTest, Numeric) {
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | code = 200)", kStream, "code=200.0"),
            R"({app="a", code="200.0"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | code > 1e3)", kStream, "code=1500"),
            R"({app="a", code="1500"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | code < 0)", kStream, "code=-5"),
            R"({app="a", code="-5"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | code >= 0)", kStream, "other=1"), "dropped");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | status > 400)", kStream, "status=oops"),
      R"({__error__="LabelFilterErr", __error_details__="strconv.ParseFloat: parsing \"oops\": invalid syntax", app="a", status="oops"})");
}

TEST(PipelineLabelFilterTest, Duration) {
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | took == 1h)", kStream, "took=3600000ms"),
            R"({app="a", took="3600000ms"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | took == 1h)", kStream, "took=3600000000µs"),
            R"({app="a", took="3600000000µs"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | took > 1s)", kStream, "took=500ms"), "dropped");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | took > 1s)", kStream, "took=90"),
      R"({__error__="LabelFilterErr", __error_details__="time: missing unit in duration \"90\"", app="a", took="90"})");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | took == 1d)", kStream, "took=1d"),
      R"({__error__="LabelFilterErr", __error_details__="time: unknown unit \"d\" in duration \"1d\"", app="a", took="1d"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | took == 1d)", kStream, "took=24h"),
            R"({app="a", took="24h"})");
}

TEST(PipelineLabelFilterTest, Bytes) {
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | size > 1MB)", kStream, "size=3mb"),
            R"({app="a", size="3mb"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | size < 2KiB)", kStream, "size=1.5KiB"),
            R"({app="a", size="1.5KiB"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | size <= 500KB)", kStream, "size=2MiB"), "dropped");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | size > 1MB)", kStream, "size=oops"),
      R"({__error__="LabelFilterErr", __error_details__="strconv.ParseFloat: parsing \"\": invalid syntax", app="a", size="oops"})");
}

TEST(PipelineLabelFilterTest, Ip) {
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | addr = ip("10.0.0.0/8"))", kStream,
                      R"(addr="client 10.0.0.7:80")"),
            R"({addr="client 10.0.0.7:80", app="a"})");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | addr != ip("192.168.0.0/16"))", kStream, "addr=notanip"),
      R"({addr="notanip", app="a"})");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | addr != ip("192.168.0.0/16"))", kStream, "x=1"),
            "dropped");
  // ip() keeps a line that already carries an error.
  EXPECT_EQ(
      RunLabels(R"({app="a"} | json | addr = ip("1.2.3.0/24"))", kStream, "not json"),
      R"({__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", app="a"})");
  EXPECT_NE(PipelineError(R"({app="a"} | logfmt | addr = ip("bogus"))").find("ip: invalid pattern"),
            std::string::npos);
}

TEST(PipelineLabelFilterTest, ErrorSemantics) {
  // Converting filters need their label: an errored json line is dropped.
  EXPECT_EQ(RunLabels(R"({app="a"} | json | took > 1s)", kStream, "not json"), "dropped");
  // A string filter on an absent label compares "".
  EXPECT_NE(RunLabels(R"({app="a"} | json | addr!="1.2.3.4")", kStream, "not json"), "dropped");
  // Only the first failing filter writes the details.
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | x > 1s and y > 1s)", kStream, "x=nope y=90"),
      R"({__error__="LabelFilterErr", __error_details__="time: invalid duration \"nope\"", app="a", x="nope", y="90"})");
  // Only a matcher on __error__ reads it; converting filters do not see it.
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | took > 1s | __error__="")", kStream, "took=oops"),
            "dropped");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | took > 1s | __error__!="LabelFilterErr")", kStream,
                      "took=oops"),
            "dropped");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | took > 1s | __error__ > 0)", kStream, "took=oops"),
            "dropped");
  EXPECT_NE(
      RunLabels(R"({app="a"} | logfmt | __error_details__="" | took > 1s)", kStream, "took=oops"),
      "dropped");
}

TEST(PipelineLabelFilterTest, AndOr) {
  // or skips its right side when the left matches: no conversion error.
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | lvl="error" or took > 1s)", kStream, "lvl=error took=oops"),
      R"({app="a", lvl="error", took="oops"})");
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | took > 1s or lvl="error")", kStream, "lvl=error took=oops"),
      R"({__error__="LabelFilterErr", __error_details__="time: invalid duration \"oops\"", app="a", lvl="error", took="oops"})");
  // and runs both sides; a false right side drops the line despite the error.
  EXPECT_EQ(
      RunLabels(R"({app="a"} | logfmt | took > 1s and size < 1MB)", kStream, "took=oops size=3MB"),
      "dropped");
  const char* q = R"({app="a"} | logfmt | x="1" or y="1" and z="1")";
  EXPECT_NE(RunLabels(q, kStream, "x=1 y=0 z=0"), "dropped");
  EXPECT_NE(RunLabels(q, kStream, "x=0 y=1 z=1"), "dropped");
  EXPECT_EQ(RunLabels(q, kStream, "x=0 y=1 z=0"), "dropped");
}

TEST(PipelineLabelFilterTest, ClashingNames) {
  const char* stream = R"({app="a", sp="s", sm="s", tri="s"})";
  std::vector<LabelView> md = {{"mp", "m"}, {"sm", "m"}, {"tri", "m"}};
  EXPECT_NE(RunLabels(R"({app="a"} | logfmt | sp="s" and sp_extracted="p")", stream,
                      "sp=p mp=p tri=p", md),
            "dropped");
  EXPECT_NE(RunLabels(R"({app="a"} | logfmt | mp="m" and mp_extracted="p")", stream,
                      "sp=p mp=p tri=p", md),
            "dropped");
  EXPECT_EQ(RunLabels(R"({app="a"} | logfmt | tri_extracted="m")", stream, "sp=p mp=p tri=p", md),
            "dropped");
}

}  // namespace
}  // namespace lode::logql
