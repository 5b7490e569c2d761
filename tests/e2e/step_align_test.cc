// End-to-end: metric range queries are evaluated on a grid aligned to the
// step (start rounded down, end rounded up), as Loki's query frontend does
// (pkg/querier/queryrange/splitters.go alignStartEnd; 2.7.5:
// split_by_interval.go splitMetricByTime). Found as a one-sample difference
// with Loki 2.7.5 by `lode-bench --check-results` (bench/RESULTS.md).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;
constexpr int64_t kSec = 1000000000;

TEST(StepAlignE2eTest, MetricRangeQueriesUseAStepAlignedGrid) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t t0 = (now - 3600 * kSec) / (10 * kSec) * (10 * kSec);  // a multiple of 10 s
  std::vector<PushEntry> es;
  for (int i = 0; i < 100; ++i) es.push_back({t0 + i * kSec, "line " + std::to_string(i), {}});
  auto r = lode.Post("/loki/api/v1/push", EncodePush({{R"({app="a"})", es}}),
                     {{"Content-Type", "application/x-protobuf"}});
  ASSERT_EQ(r.status, 204) << r.body;

  // start and end are not multiples of the 10 s step.
  const std::string range = "&start=" + std::to_string(t0 + 3 * kSec) +
                            "&end=" + std::to_string(t0 + 57 * kSec) + "&step=10";
  auto res = lode.Get(
      "/loki/api/v1/query_range?query=" + Q(R"(sum(count_over_time({app="a"}[10s])))") + range);
  ASSERT_EQ(res.status, 200) << res.body;
  json values = json::parse(res.body)["data"]["result"][0]["values"];
  // Points t0, t0+10 s, ..., t0+60 s: the window (t0-10s, t0] holds one entry,
  // every later one ten.
  ASSERT_EQ(values.size(), 7u) << values.dump();
  EXPECT_EQ(values[0][0].get<int64_t>(), t0 / kSec);
  EXPECT_EQ(values[0][1], "1");
  EXPECT_EQ(values[6][0].get<int64_t>(), t0 / kSec + 60);
  EXPECT_EQ(values[6][1], "10");

  // Log queries keep their exact bounds: entries t0+3 s .. t0+56 s.
  auto logs =
      lode.Get("/loki/api/v1/query_range?query=" + Q(R"({app="a"})") + range + "&limit=1000");
  ASSERT_EQ(logs.status, 200) << logs.body;
  EXPECT_EQ(json::parse(logs.body)["data"]["result"][0]["values"].size(), 54u);
}

}  // namespace
}  // namespace lode::testing
