// End-to-end: the endpoints Grafana's Loki datasource and the Logs Drilldown
// app use beyond query/labels/series, against the real binary.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "server/value_types.h"
#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;
constexpr int64_t kSec = 1000000000LL;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Range(int64_t start, int64_t end) {
  return "&start=" + std::to_string(start) + "&end=" + std::to_string(end);
}

// ---------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------

TEST(GrafanaApiTypesTest, DetectsLokiFieldTypesInOrder) {
  using server::DetectFieldType;
  EXPECT_STREQ(DetectFieldType("42"), "int");
  EXPECT_STREQ(DetectFieldType("-7"), "int");
  EXPECT_STREQ(DetectFieldType("1.5"), "float");
  EXPECT_STREQ(DetectFieldType("1e3"), "float");
  EXPECT_STREQ(DetectFieldType("NaN"), "float");
  EXPECT_STREQ(DetectFieldType("true"), "boolean");
  EXPECT_STREQ(DetectFieldType("F"), "boolean");
  EXPECT_STREQ(DetectFieldType("12ms"), "duration");
  EXPECT_STREQ(DetectFieldType("1h2m3.5s"), "duration");
  EXPECT_STREQ(DetectFieldType("10KB"), "bytes");
  EXPECT_STREQ(DetectFieldType("1.5 MiB"), "bytes");
  EXPECT_STREQ(DetectFieldType("abc"), "string");
  EXPECT_STREQ(DetectFieldType("12 apples"), "string");
  EXPECT_STREQ(DetectFieldType(""), "string");
  EXPECT_TRUE(server::IsUuid("550e8400-e29b-41d4-a716-446655440000"));
  EXPECT_FALSE(server::IsUuid("550e8400-e29b-41d4-a716-44665544000g"));
}

// ---------------------------------------------------------------------------
// Endpoints over a known data set
// ---------------------------------------------------------------------------

class GrafanaApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    lode_ = new LodeProcess();
    ASSERT_TRUE(lode_->Ready());
    t0_ = (NowNs() / kSec - 600) * kSec;
    std::vector<PushEntry> api, worker, db;
    for (int i = 0; i < 10; ++i) {
      int status = i % 5 == 0 ? 500 : 200;
      api.push_back({t0_ + i * kSec,
                     R"({"level":"info","status":)" + std::to_string(status) + R"(,"duration":")" +
                         std::to_string(10 + i) +
                         R"(ms","msg":"done","req":{"method":"GET","path":"/a"}})",
                     {{"trace_id", "t" + std::to_string(i)}}});
      worker.push_back(
          {t0_ + i * kSec + 500,
           "level=error msg=\"job failed\" attempt=" + std::to_string(i % 3) + " size=10KB",
           {}});
    }
    for (int i = 0; i < 4; ++i)
      db.push_back({t0_ + i * kSec, "checkpoint complete in " + std::to_string(i) + " ms", {}});
    auto body = EncodePush({{R"({app="api", env="prod", shard="1"})", api},
                            {R"({app="worker", env="prod", shard="2"})", worker},
                            {R"({app="db", env="dev", pod="db-0", shard="3"})", db}});
    auto r = lode_->Post("/loki/api/v1/push", body, {{"Content-Type", "application/x-protobuf"}});
    ASSERT_EQ(r.status, 204) << r.body;
    for (const auto& e : api) api_bytes_ += e.line.size();
    for (const auto& e : worker) worker_bytes_ += e.line.size();
    for (const auto& e : db) db_bytes_ += e.line.size();
  }
  static void TearDownTestSuite() {
    delete lode_;
    lode_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(lode_, nullptr); }

  static json GetJson(const std::string& target, int want_status = 200) {
    auto r = lode_->Get(target);
    EXPECT_EQ(r.status, want_status) << target << " -> " << r.body;
    if (r.status != 200) return json();
    EXPECT_EQ(r.headers["content-type"].rfind("application/json", 0), 0u);
    return json::parse(r.body);
  }
  static std::string All() { return Range(t0_ - 60 * kSec, t0_ + 60 * kSec); }

  static LodeProcess* lode_;
  static int64_t t0_;
  static uint64_t api_bytes_, worker_bytes_, db_bytes_;
};

LodeProcess* GrafanaApiTest::lode_ = nullptr;
int64_t GrafanaApiTest::t0_ = 0;
uint64_t GrafanaApiTest::api_bytes_ = 0;
uint64_t GrafanaApiTest::worker_bytes_ = 0;
uint64_t GrafanaApiTest::db_bytes_ = 0;

TEST_F(GrafanaApiTest, IndexStatsCountsStreamsEntriesBytesBeforeAndAfterFlush) {
  for (int round = 0; round < 2; ++round) {
    auto j = GetJson("/loki/api/v1/index/stats?query=" + Q(R"({env="prod"})") + All());
    EXPECT_EQ(j["streams"], 2);
    EXPECT_EQ(j["entries"], 20);
    EXPECT_EQ(j["bytes"], api_bytes_ + worker_bytes_);
    EXPECT_GE(j["chunks"].get<int>(), 2);
    EXPECT_EQ(j.size(), 4u) << "no wrapper, exactly four keys";
    // Only the first 5 seconds of each stream.
    j = GetJson("/loki/api/v1/index/stats?query=" + Q(R"({app="api"})") +
                Range(t0_, t0_ + 5 * kSec));
    EXPECT_EQ(j["entries"], 5);
    j = GetJson("/loki/api/v1/index/stats?query=" + Q(R"({app="none"})") + All());
    EXPECT_EQ(j, (json{{"streams", 0}, {"chunks", 0}, {"bytes", 0}, {"entries", 0}}));
    ASSERT_EQ(lode_->Post("/flush", "").status, 204);
  }
  EXPECT_EQ(lode_->Get("/loki/api/v1/index/stats" + ("?" + All().substr(1))).status, 400);
  auto r = lode_->Get("/loki/api/v1/index/stats?query=" + Q(R"({env="prod")") + All());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind("parse error", 0), 0u) << r.body;
  EXPECT_EQ(
      lode_->Get("/loki/api/v1/index/stats?query=" + Q(R"({env="prod"})") + "&start=yesterday")
          .status,
      400);
}

TEST_F(GrafanaApiTest, IndexVolumeBySeriesTargetsAndLabels) {
  // Aggregated into the matcher's label names.
  auto j = GetJson("/loki/api/v1/index/volume?query=" + Q(R"({env="prod"})") + All());
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["data"]["resultType"], "vector");
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["metric"], (json{{"env", "prod"}}));
  EXPECT_EQ(j["data"]["result"][0]["value"][1], std::to_string(api_bytes_ + worker_bytes_));
  EXPECT_TRUE(j["data"]["result"][0]["value"][0].is_number());
  // targetLabels: one series per app, largest first.
  j = GetJson("/loki/api/v1/index/volume?query=" + Q(R"({env=~".+"})") + "&targetLabels=app" +
              All());
  auto& res = j["data"]["result"];
  ASSERT_EQ(res.size(), 3u) << j;
  EXPECT_EQ(res[0]["metric"], (json{{"app", "api"}}));
  EXPECT_EQ(res[1]["metric"], (json{{"app", "worker"}}));
  EXPECT_EQ(res[2]["metric"], (json{{"app", "db"}}));
  EXPECT_EQ(res[2]["value"][1], std::to_string(db_bytes_));
  // `{}`: every label of each series; limit keeps the largest.
  j = GetJson("/loki/api/v1/index/volume?query=%7B%7D&limit=1" + All());
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  EXPECT_EQ(j["data"]["result"][0]["metric"],
            (json{{"app", "api"}, {"env", "prod"}, {"shard", "1"}}));
  // aggregateBy=labels: one series per label name with an empty value.
  j = GetJson("/loki/api/v1/index/volume?query=" + Q(R"({app="db"})") + "&aggregateBy=labels" +
              All());
  std::set<std::string> names;
  for (auto& s : j["data"]["result"]) {
    ASSERT_EQ(s["metric"].size(), 1u);
    names.insert(s["metric"].begin().key());
    EXPECT_EQ(s["metric"].begin().value(), "");
    EXPECT_EQ(s["value"][1], std::to_string(db_bytes_));
  }
  EXPECT_EQ(names, (std::set<std::string>{"app", "env", "pod", "shard"}));
  // volume_range: step-aligned buckets give a matrix.
  j = GetJson("/loki/api/v1/index/volume_range?query=" + Q(R"({app="api"})") + "&step=5" +
              Range(t0_ - 2 * kSec, t0_ + 12 * kSec));
  EXPECT_EQ(j["data"]["resultType"], "matrix");
  ASSERT_EQ(j["data"]["result"].size(), 1u);
  uint64_t sum = 0;
  for (auto& v : j["data"]["result"][0]["values"]) sum += std::stoull(v[1].get<std::string>());
  EXPECT_EQ(sum, api_bytes_);
  EXPECT_GE(j["data"]["result"][0]["values"].size(), 2u);
  // Bad input.
  GetJson("/loki/api/v1/index/volume?query=" + Q(R"({app="db"})") + "&aggregateBy=pods" + All(),
          400);
  GetJson("/loki/api/v1/index/volume?query=" + Q(R"({app="db"})") + "&limit=-1" + All(), 400);
  GetJson("/loki/api/v1/index/volume" + ("?" + All().substr(1)), 400);
  GetJson("/loki/api/v1/index/volume_range?query=" + Q(R"({app="db"})") + "&step=0" + All(), 400);
}

TEST_F(GrafanaApiTest, DetectedLabelsSkipsIdLikeLabels) {
  auto j = GetJson("/loki/api/v1/detected_labels?query=" + Q(R"({app=~".+"})") + All());
  ASSERT_TRUE(j.contains("detectedLabels")) << j;
  std::map<std::string, int> got;
  for (auto& l : j["detectedLabels"]) got[l["label"]] = l["cardinality"];
  // shard takes only numeric values: left out as Loki does.
  EXPECT_EQ(got, (std::map<std::string, int>{{"app", 3}, {"env", 2}, {"pod", 1}}));
  j = GetJson("/loki/api/v1/detected_labels?query=" + Q(R"({env="dev"})") + All());
  EXPECT_EQ(j["detectedLabels"].size(), 3u);
  j = GetJson("/loki/api/v1/detected_labels?" + All().substr(1));
  EXPECT_EQ(j["detectedLabels"].size(), 3u);
  GetJson("/loki/api/v1/detected_labels?query=" + Q("{app=") + All(), 400);
}

TEST_F(GrafanaApiTest, DetectedFieldsFromJsonLogfmtAndMetadata) {
  auto j = GetJson("/loki/api/v1/detected_fields?query=" + Q(R"({app="api"})") + All());
  ASSERT_TRUE(j["fields"].is_array()) << j;
  std::map<std::string, json> f;
  for (auto& x : j["fields"]) f[x["label"]] = x;
  ASSERT_TRUE(f.count("status")) << j;
  EXPECT_EQ(f["status"]["type"], "int");
  EXPECT_EQ(f["status"]["cardinality"], 2);
  EXPECT_EQ(f["status"]["parsers"], json::array({"json"}));
  EXPECT_EQ(f["status"]["jsonPath"], json::array({"status"}));
  EXPECT_EQ(f["duration"]["type"], "duration");
  EXPECT_EQ(f["duration"]["cardinality"], 10);
  EXPECT_EQ(f["req_method"]["jsonPath"], json::array({"req", "method"}));
  EXPECT_EQ(f["req_method"]["type"], "string");
  EXPECT_EQ(f["level"]["cardinality"], 1);
  // Structured metadata: no parser, no jsonPath.
  EXPECT_TRUE(f["trace_id"]["parsers"].is_null());
  EXPECT_FALSE(f["trace_id"].contains("jsonPath"));
  EXPECT_EQ(f["trace_id"]["cardinality"], 10);
  // detected_level, stored as metadata by Loki's distributor.
  EXPECT_TRUE(f["detected_level"]["parsers"].is_null());
  EXPECT_EQ(f["detected_level"]["cardinality"], 1);
  EXPECT_EQ(j["limit"], 1000);

  j = GetJson("/loki/api/v1/detected_fields?query=" + Q(R"({app="worker"})") + All());
  f.clear();
  for (auto& x : j["fields"]) f[x["label"]] = x;
  EXPECT_EQ(f["attempt"]["type"], "int");
  EXPECT_EQ(f["attempt"]["cardinality"], 3);
  EXPECT_EQ(f["attempt"]["parsers"], json::array({"logfmt"}));
  EXPECT_FALSE(f["attempt"].contains("jsonPath"));
  EXPECT_EQ(f["size"]["type"], "bytes");
  EXPECT_EQ(f["msg"]["type"], "string");

  // line_limit and field limit.
  j = GetJson("/loki/api/v1/detected_fields?query=" + Q(R"({app="api"})") + "&line_limit=1" +
              All());
  for (auto& x : j["fields"]) EXPECT_EQ(x["cardinality"], 1) << x;
  j = GetJson("/loki/api/v1/detected_fields?query=" + Q(R"({app="api"})") + "&field_limit=2" +
              All());
  EXPECT_EQ(j["fields"].size(), 2u);
  EXPECT_EQ(j["limit"], 2);
  // A pipeline is allowed; a metric query is not.
  j = GetJson("/loki/api/v1/detected_fields?query=" + Q(R"({app="api"} |= "status\":500")") +
              All());
  for (auto& x : j["fields"]) {
    if (x["label"] == "status") {
      EXPECT_EQ(x["cardinality"], 1);
    }
  }
  GetJson("/loki/api/v1/detected_fields?query=" + Q(R"(count_over_time({app="api"}[1m]))") + All(),
          400);
  GetJson("/loki/api/v1/detected_fields?" + All().substr(1), 400);
  GetJson("/loki/api/v1/detected_fields?query=" + Q(R"({app="api"})") + "&line_limit=0" + All(),
          400);
  GetJson(
      "/loki/api/v1/detected_fields?query=" + Q(R"({app="api"})") + "&line_limit=100000" + All(),
      400);
}

TEST_F(GrafanaApiTest, DetectedFieldValues) {
  auto j =
      GetJson("/loki/api/v1/detected_field/status/values?query=" + Q(R"({app="api"})") + All());
  EXPECT_EQ(j["values"], json::array({"200", "500"}));
  EXPECT_EQ(j["limit"], 1000);
  j = GetJson("/loki/api/v1/detected_field/trace_id/values?query=" + Q(R"({app="api"})") +
              "&limit=3" + All());
  EXPECT_EQ(j["values"].size(), 3u);
  // Byte sizes come back in humanize form, ready for a query.
  j = GetJson("/loki/api/v1/detected_field/size/values?query=" + Q(R"({app="worker"})") + All());
  EXPECT_EQ(j["values"], json::array({"10kB"}));
  j = GetJson("/loki/api/v1/detected_field/detected_level/values?query=" + Q(R"({env="prod"})") +
              All());
  EXPECT_EQ(j["values"], json::array({"error", "info"}));
  j = GetJson("/loki/api/v1/detected_field/nothing/values?query=" + Q(R"({app="worker"})") + All());
  EXPECT_EQ(j["values"], json::array());
  EXPECT_EQ(lode_->Get("/loki/api/v1/detected_field/status?query=" + Q(R"({app="api"})")).status,
            404);
}

TEST_F(GrafanaApiTest, PatternsWithPerStepCounts) {
  auto j = GetJson("/loki/api/v1/patterns?query=" + Q(R"({app="worker"})") + "&step=60s" + All());
  EXPECT_EQ(j["status"], "success");
  ASSERT_EQ(j["data"].size(), 1u) << j;
  EXPECT_EQ(j["data"][0]["pattern"], "level=error msg=\"job failed\" attempt=<_> size=<_>");
  EXPECT_EQ(j["data"][0]["level"], "error");
  int64_t total = 0;
  for (auto& s : j["data"][0]["samples"]) {
    ASSERT_TRUE(s[0].is_number_integer() && s[1].is_number_integer()) << s;
    EXPECT_EQ(s[0].get<int64_t>() % 60, 0);
    total += s[1].get<int64_t>();
  }
  EXPECT_EQ(total, 10);
  j = GetJson("/loki/api/v1/patterns?query=" + Q(R"({app="db"})") + All());
  ASSERT_EQ(j["data"].size(), 1u) << j;
  EXPECT_EQ(j["data"][0]["pattern"], "checkpoint complete in <_> ms");
  GetJson("/loki/api/v1/patterns?query=" + Q(R"({app="db"})") + "&step=-1" + All(), 400);
  GetJson("/loki/api/v1/patterns?" + All().substr(1), 400);
}

TEST_F(GrafanaApiTest, DrilldownLimitsShape) {
  auto j = GetJson("/loki/api/v1/drilldown-limits");
  ASSERT_TRUE(j["limits"].is_object());
  EXPECT_TRUE(j["pattern_ingester_enabled"].is_boolean());
  EXPECT_TRUE(j["version"].is_string());
  auto& l = j["limits"];
  EXPECT_EQ(l["max_query_length"], "30d1h");
  EXPECT_EQ(l["retention_period"], "1w");
  EXPECT_EQ(l["max_entries_limit_per_query"], 5000);
  EXPECT_TRUE(l["volume_enabled"].get<bool>());
  for (const char* k : {"discover_service_name", "log_level_fields", "retention_stream"})
    EXPECT_TRUE(l[k].is_array());
  EXPECT_TRUE(l["otlp_config"].is_object());
}

}  // namespace
}  // namespace lode::testing
