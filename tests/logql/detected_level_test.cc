#include "logql/log/detected_level.h"

#include <gtest/gtest.h>

namespace lode::logql {
namespace {

std::string_view D(const std::string& line, Labels stream = {{"app", "a"}},
                   std::vector<LabelView> md = {}) {
  return DetectLevel(stream, md.data(), md.size(), line);
}

TEST(DetectedLevelTest, FromStreamLabelMetadataJsonLogfmtAndKeywords) {
  EXPECT_EQ(D("anything", {{"app", "a"}, {"level", "WARNING"}}), "warn");
  EXPECT_EQ(D("anything", {{"app", "a"}}, {{"severity", "err"}}), "error");
  EXPECT_EQ(D(R"({"msg":"x","level":"debug"})"), "debug");
  EXPECT_EQ(D(R"({"lvl" : "Info"})"), "info");
  EXPECT_EQ(D("ts=1 level=error msg=\"boom\""), "error");
  EXPECT_EQ(D("ts=1 lvl=\"warn\" msg=x"), "warn");
  EXPECT_EQ(D("2024-01-01 ERROR something broke"), "error");
  EXPECT_EQ(D("INFO starting"), "info");
  EXPECT_EQ(D("[9720] FATAL:  password authentication failed"), "fatal");
  EXPECT_EQ(D("GET /index.html 200"), "unknown");
  // A logfmt key that merely ends in "level" is not a level field.
  EXPECT_EQ(D("loglevel=7 msg=x"), "unknown");
}

// OTLP records carry severity_number; it decides before the line, after a
// level field.
TEST(DetectedLevelTest, FromOtlpSeverityNumber) {
  EXPECT_EQ(D("INFO looks like info", {{"app", "a"}}, {{"severity_number", "17"}}), "error");
  EXPECT_EQ(D("x", {{"app", "a"}}, {{"severity_number", "1"}}), "trace");
  EXPECT_EQ(D("x", {{"app", "a"}}, {{"severity_number", "8"}}), "debug");
  EXPECT_EQ(D("x", {{"app", "a"}}, {{"severity_number", "13"}}), "warn");
  EXPECT_EQ(D("x", {{"app", "a"}}, {{"severity_number", "24"}}), "fatal");
  EXPECT_EQ(D("x", {{"app", "a"}}, {{"severity_number", "0"}}), "unknown");
  EXPECT_EQ(D("x", {{"app", "a"}}, {{"severity_number", "25"}}), "unknown");
  EXPECT_EQ(D("x", {{"app", "a"}}, {{"severity_number", "abc"}}), "info");
  EXPECT_EQ(D("x", {{"app", "a"}}, {{"severity_number", "9"}, {"level", "error"}}), "error");
}

}  // namespace
}  // namespace lode::logql
