// End-to-end: the real binary, real HTTP, real snappy+protobuf and JSON.
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Range(int64_t start, int64_t end) {
  return "&start=" + std::to_string(start) + "&end=" + std::to_string(end);
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(lode_.Ready()) << "lode did not start"; }
  LodeProcess lode_;
};

TEST_F(ApiTest, ProtobufPushThenQueryRangeLabelsSeries) {
  int64_t t = NowNs() - 60LL * 1000000000;
  auto body = EncodePush(
      {{R"({app="api", env="prod"})", {{t, "GET /a 200", {}}, {t + 1000, "POST /b 500", {}}}},
       {R"({app="db", env="prod"})", {{t + 500, "checkpoint complete", {{"trace_id", "abc"}}}}}});
  auto r = lode_.Post("/loki/api/v1/push", body, {{"Content-Type", "application/x-protobuf"}});
  ASSERT_EQ(r.status, 204) << r.body;

  r = lode_.Get("/loki/api/v1/query_range?query=" + Q(R"({env="prod"} |= "/")") +
                Range(t - 1, t + 10000) + "&direction=forward");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["data"]["resultType"], "streams");
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["stream"], (json{{"app", "api"}, {"env", "prod"}}));
  EXPECT_EQ(j["data"]["result"][0]["values"],
            (json::array(
                {{std::to_string(t), "GET /a 200"}, {std::to_string(t + 1000), "POST /b 500"}})));
  EXPECT_TRUE(j["data"]["stats"]["summary"].contains("totalBytesProcessed"));

  // Default direction is backward; limit counts across streams.
  r = lode_.Get("/loki/api/v1/query_range?limit=2&query=" + Q(R"({env="prod"})") +
                Range(t - 1, t + 10000));
  j = json::parse(r.body);
  size_t n = 0;
  for (auto& s : j["data"]["result"]) n += s["values"].size();
  EXPECT_EQ(n, 2u);

  r = lode_.Get("/loki/api/v1/labels?" + Range(t - 1, t + 10000).substr(1));
  EXPECT_EQ(json::parse(r.body)["data"], (json{"app", "env"}));
  r = lode_.Get("/loki/api/v1/label/app/values?" + Range(t - 1, t + 10000).substr(1));
  EXPECT_EQ(json::parse(r.body)["data"], (json{"api", "db"}));
  r = lode_.Get("/loki/api/v1/series?match[]=" + Q(R"({app="db"})") + Range(t - 1, t + 10000));
  EXPECT_EQ(json::parse(r.body)["data"], json::array({{{"app", "db"}, {"env", "prod"}}}));
}

TEST_F(ApiTest, JsonPushPlainAndGzipWithStructuredMetadata) {
  int64_t t = NowNs() - 30LL * 1000000000;
  json body = {
      {"streams",
       json::array({{{"stream", {{"job", "j1"}}},
                     {"values", json::array({json::array(
                                    {std::to_string(t), "hello", {{"user", "u1"}}})})}}})}};
  auto r = lode_.Post("/loki/api/v1/push", body.dump(), {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 204) << r.body;
  // gzip the same shape with another line
  json body2 = body;
  body2["streams"][0]["values"][0] = json::array({std::to_string(t + 1), "world"});
  std::string raw = body2.dump(), gz(raw.size() + 64, '\0');
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(raw.data());
  zs.avail_in = raw.size();
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = gz.size();
  deflate(&zs, Z_FINISH);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  r = lode_.Post("/loki/api/v1/push", gz,
                 {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
  ASSERT_EQ(r.status, 204) << r.body;
  r = lode_.Get("/loki/api/v1/query_range?direction=forward&query=" + Q(R"({job="j1"})") +
                    Range(t - 1, t + 10),
                {{"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["data"]["encodingFlags"], json::array({"categorize-labels"}));
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["stream"], (json{{"job", "j1"}}));
  auto& vals = j["data"]["result"][0]["values"];
  ASSERT_EQ(vals.size(), 2u);
  EXPECT_EQ(vals[0][1], "hello");
  EXPECT_EQ(vals[0][2]["structuredMetadata"], (json{{"user", "u1"}}));
  EXPECT_EQ(vals[1][1], "world");
}

TEST_F(ApiTest, BadInputAnswers4xxAndKeepsValidStreams) {
  int64_t t = NowNs();
  // Not snappy.
  auto r = lode_.Post("/loki/api/v1/push", "garbage", {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers["content-type"].rfind("text/plain", 0), 0u);
  // Broken JSON.
  r = lode_.Post("/loki/api/v1/push", "{\"streams\":[", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  // One invalid stream (bad label name), one valid: 400 naming it, valid one kept.
  auto body =
      EncodePush({{R"({app="ok"})", {{t, "kept", {}}}}, {R"({0bad="x"})", {{t, "dropped", {}}}}});
  r = lode_.Post("/loki/api/v1/push", body, {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("0bad"), std::string::npos) << r.body;
  r = lode_.Get("/loki/api/v1/query_range?query=" + Q(R"({app="ok"})") + Range(t - 1, t + 10));
  EXPECT_NE(r.body.find("kept"), std::string::npos) << r.body;
  // Query errors.
  r = lode_.Get("/loki/api/v1/query_range?query=" + Q(R"({app="api")"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind("parse error at line 1, col 11", 0), 0u) << r.body;
  r = lode_.Get("/loki/api/v1/query_range?query=" + Q(R"({app="ok"})") + "&start=abc");
  EXPECT_EQ(r.status, 400);
  r = lode_.Get("/loki/api/v1/query_range?query=" + Q(R"({app="ok"})") + "&direction=sideways");
  EXPECT_EQ(r.status, 400);
  r = lode_.Get("/loki/api/v1/query_range?query=" + Q(R"({app="ok"})") + "&limit=999999");
  EXPECT_EQ(r.status, 400);
  // The server is still up.
  EXPECT_EQ(lode_.Get("/ready").status, 200);
}

TEST_F(ApiTest, TimestampsAsSecondsFloatAndRfc3339) {
  int64_t t = (NowNs() / 1000000000 - 100) * 1000000000;
  auto body = EncodePush({{R"({app="ts"})", {{t, "x", {}}}}});
  ASSERT_EQ(
      lode_.Post("/loki/api/v1/push", body, {{"Content-Type", "application/x-protobuf"}}).status,
      204);
  std::string secs = std::to_string(t / 1000000000);
  for (std::string range : {"&start=" + std::to_string(t / 1000000000 - 1) +
                                "&end=" + std::to_string(t / 1000000000 + 1),
                            "&start=" + secs + ".0&end=" + secs + ".5"}) {
    auto r = lode_.Get("/loki/api/v1/query_range?query=" + Q(R"({app="ts"})") + range);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("\"x\""), std::string::npos) << range << " " << r.body;
  }
  auto r = lode_.Get("/loki/api/v1/labels?start=2020-01-01T00:00:00Z&end=2030-01-01T00:00:00.5Z");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ApiTest, OperationalEndpoints) {
  EXPECT_EQ(lode_.Get("/ready").status, 200);
  auto r = lode_.Get("/loki/api/v1/status/buildinfo");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(json::parse(r.body).contains("version"));
  r = lode_.Get("/config");
  EXPECT_NE(r.body.find("retention_period"), std::string::npos);
  lode_.Get("/ready");
  r = lode_.Get("/metrics");
  EXPECT_NE(r.body.find("lode_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(r.body.find("lode_store_streams"), std::string::npos);
  EXPECT_EQ(lode_.Post("/flush", "").status, 204);
}

TEST_F(ApiTest, GrafanaSaveAndTestHealthCheck) {
  auto r = lode_.Get(
      "/loki/api/v1/query?direction=backward&query=vector(1)%2Bvector(1)&time=4000000000");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["data"]["resultType"], "vector");
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "2");
}

TEST_F(ApiTest, LogsVolumeGroupsByDetectedLevelWithoutChangingLogResults) {
  int64_t t = (NowNs() / 60000000000LL - 5) * 60000000000LL;
  auto body = EncodePush({{R"({app="vol"})",
                           {{t + 1, R"({"level":"error","msg":"x"})", {}},
                            {t + 2, "level=warn msg=y", {}},
                            {t + 3, "2024-01-01 INFO started", {}},
                            {t + 4, "GET / 200", {}}}}});
  ASSERT_EQ(
      lode_.Post("/loki/api/v1/push", body, {{"Content-Type", "application/x-protobuf"}}).status,
      204);
  auto r = lode_.Get(
      "/loki/api/v1/query_range?step=60&query=" +
      Q(R"(sum by (level, detected_level) (count_over_time({app="vol"} | drop __error__[1m])))") +
      Range(t, t + 120000000000LL));
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, double> got;
  auto vol = json::parse(r.body);
  for (auto& s : vol["data"]["result"]) {
    double sum = 0;
    for (auto& v : s["values"]) sum = std::max(sum, std::stod(v[1].get<std::string>()));
    got[s["metric"].value("detected_level", "")] = sum;
  }
  EXPECT_EQ(got,
            (std::map<std::string, double>{{"error", 1}, {"warn", 1}, {"info", 1}, {"unknown", 1}}))
      << r.body;
  // A log query that does not mention detected_level sees the stored labels only.
  r = lode_.Get("/loki/api/v1/query_range?query=" + Q(R"({app="vol"})") + Range(t, t + 10));
  auto j = json::parse(r.body);
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["stream"], (json{{"app", "vol"}}));
}

TEST(ConfigTest, RejectsUnknownKeysNamingThem) {
  char tmpl[] = "/tmp/lode-cfg-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/bad.yaml";
  FILE* f = fopen(path.c_str(), "w");
  fputs("limits_config:\n  retention_priod: 7d\n", f);
  fclose(f);
  std::string cmd = std::string(LODE_BINARY) + " --config " + path + " --print-config 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  int rc = pclose(p);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("limits_config.retention_priod"), std::string::npos) << out;
  std::string cmd2 = std::string(LODE_BINARY) + " --retention 30d --print-config 2>&1";
  p = popen(cmd2.c_str(), "r");
  out.clear();
  while (fgets(buf, sizeof(buf), p)) out += buf;
  EXPECT_EQ(pclose(p), 0);
  EXPECT_NE(out.find("retention_period: 720h"), std::string::npos) << out;
}

// kill -9 while pusher threads keep ingesting: after each restart every
// acknowledged push is there, and at most the one push in flight per thread
// when the process died may be there in addition.
TEST(DurabilityTest, AcknowledgedPushesSurviveKill9) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  constexpr int kPushers = 2;
  constexpr int kBatch = 50;
  int64_t t = NowNs() - 3600LL * 1000000000;
  int64_t stored[kPushers] = {0, 0};  // entries of each pusher's stream known to be stored
  for (int round = 0; round < 3; ++round) {
    std::atomic<bool> stop{false};
    int64_t acked[kPushers];
    std::vector<std::thread> threads;
    for (int p = 0; p < kPushers; ++p) {
      acked[p] = stored[p];
      threads.emplace_back([&, p] {
        int port = lode.port();
        std::string labels = "{app=\"durable\", pusher=\"" + std::to_string(p) + "\"}";
        while (!stop.load()) {
          std::vector<PushEntry> es;
          for (int k = 0; k < kBatch; ++k) {
            int64_t n = acked[p] + k;
            es.push_back(
                {t + n * 1000, "pusher " + std::to_string(p) + " entry " + std::to_string(n), {}});
          }
          auto r = HttpRequest(port, "POST", "/loki/api/v1/push", EncodePush({{labels, es}}),
                               {{"Content-Type", "application/x-protobuf"}});
          if (r.status != 204) break;  // the server is gone
          acked[p] += kBatch;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + 100 * round));
    lode.Kill9();
    stop = true;
    for (auto& th : threads) th.join();
    ASSERT_TRUE(lode.Start()) << "store did not reopen after kill -9";
    for (int p = 0; p < kPushers; ++p) {
      auto r = lode.Get(
          "/loki/api/v1/query?query=" +
          Q("sum(count_over_time({app=\"durable\", pusher=\"" + std::to_string(p) + "\"}[2h]))") +
          "&time=" + std::to_string(NowNs()));
      ASSERT_EQ(r.status, 200) << r.body;
      auto j = json::parse(r.body);
      ASSERT_EQ(j["data"]["result"].size(), 1u) << r.body;
      int64_t count = std::stoll(j["data"]["result"][0]["value"][1].get<std::string>());
      EXPECT_GT(acked[p], stored[p])
          << "round " << round << ": pusher " << p << " made no progress";
      EXPECT_GE(count, acked[p]) << "round " << round << ": acknowledged entries lost";
      EXPECT_LE(count, acked[p] + kBatch) << "round " << round;
      stored[p] = count;
    }
  }
}

}  // namespace
}  // namespace lode::testing
