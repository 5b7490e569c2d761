// End-to-end: a rare-needle `|=` query over flushed chunks skips the blocks
// that cannot contain it (gram filters, storage/gram_filter.h) and still
// answers exactly what an unfiltered scan (`|~` with the same literal) does,
// for log and metric queries, before and after a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(BlockFilterE2eTest, RareNeedleSkipsBlocksWithIdenticalAnswers) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  const int64_t t0 = NowNs() - 3600LL * 1000000000;
  // 3 streams x 20,000 lines, the phrase in 5 lines of one stream.
  std::vector<std::pair<std::string, std::vector<PushEntry>>> streams;
  for (int s = 0; s < 3; ++s) {
    std::vector<PushEntry> es;
    for (int i = 0; i < 20000; ++i) {
      std::string line = "{\"level\":\"info\",\"method\":\"GET\",\"path\":\"/api/v1/items/" +
                         std::to_string(i % 97) +
                         "\",\"status\":200,\"latency_ms\":" + std::to_string(i % 311) +
                         ",\"msg\":\"request served\"}";
      if (s == 1 && i % 4000 == 17)
        line = "{\"level\":\"error\",\"msg\":\"x509: certificate signed by unknown authority\"}";
      es.push_back({t0 + (s * 20000LL + i) * 1000000, line, {}});
    }
    streams.push_back({"{app=\"api\", instance=\"i" + std::to_string(s) + "\"}", es});
  }
  for (const auto& s : streams) {
    auto r = lode.Post("/loki/api/v1/push", EncodePush({s}),
                       {{"Content-Type", "application/x-protobuf"}});
    ASSERT_EQ(r.status, 204) << r.body;
  }
  ASSERT_EQ(lode.Post("/flush", "").status / 100, 2);

  const std::string range =
      "&start=" + std::to_string(t0 - 1) + "&end=" + std::to_string(NowNs()) + "&limit=1000";
  auto query = [&](const std::string& q) {
    auto res = lode.Get("/loki/api/v1/query_range?query=" + Q(q) + range);
    EXPECT_EQ(res.status, 200) << res.body;
    return json::parse(res.body);
  };
  for (int pass = 0; pass < 2; ++pass) {
    json filtered = query(R"({app="api"} |= "unknown authority")");
    json full = query(R"({app="api"} |~ "unknown authority")");
    ASSERT_EQ(filtered["data"]["result"].size(), 1u) << filtered.dump();
    EXPECT_EQ(filtered["data"]["result"][0]["values"].size(), 5u);
    EXPECT_EQ(filtered["data"]["result"], full["data"]["result"]);
    int64_t lines_filtered = filtered["data"]["stats"]["summary"]["totalLinesProcessed"];
    int64_t lines_full = full["data"]["stats"]["summary"]["totalLinesProcessed"];
    EXPECT_EQ(lines_full, 60000);
    EXPECT_GT(lines_filtered, 0);
    EXPECT_LT(lines_filtered * 4, lines_full) << "blocks without the needle were decompressed";

    // Metric queries use the same skipping.
    json c1 = query(R"(sum(count_over_time({app="api"} |= "unknown authority" [1h])))");
    json c2 = query(R"(sum(count_over_time({app="api"} |~ "unknown authority" [1h])))");
    EXPECT_EQ(c1["data"]["result"], c2["data"]["result"]);
    ASSERT_EQ(c1["data"]["result"].size(), 1u);

    // A needle without letters cannot use filters and still answers.
    json digits = query(R"({app="api"} |= "/items/96\"")");
    size_t n = 0;
    for (auto& s : digits["data"]["result"]) n += s["values"].size();
    EXPECT_GT(n, 0u);

    lode.Stop();
    ASSERT_TRUE(lode.Start());
  }
}

}  // namespace
}  // namespace lode::testing
