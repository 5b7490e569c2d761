// End-to-end: the rest of Loki's HTTP API (issue 19) against the real binary:
// format_query, the legacy /api/prom/* query API (query, label, label values,
// series, tail over a WebSocket), /services, and multi-tenant queries
// (querier.multi_tenant_queries_enabled).
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/e2e/lode_process.h"
#include "tests/e2e/ws_client.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;
constexpr int64_t kSec = 1000000000LL;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Whole seconds of ns as RFC3339 in UTC, then `suffix`.
std::string Rfc3339(int64_t ns, const char* suffix) {
  time_t secs = static_cast<time_t>(ns / kSec);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf) + suffix;
}

std::string Push(LodeProcess& lode, const std::string& labels, std::vector<PushEntry> entries,
                 const std::map<std::string, std::string>& extra = {}) {
  std::map<std::string, std::string> h = extra;
  h["Content-Type"] = "application/x-protobuf";
  auto r = lode.Post("/loki/api/v1/push", EncodePush({{labels, std::move(entries)}}), h);
  return r.status == 204 ? "" : std::to_string(r.status) + " " + r.body;
}

TEST(FormatQueryTest, PrettifiesAsLokiAndRejectsBadQueries) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  const std::string q =
      R"(sum by (cluster) (rate({job="loki", namespace="loki-prod", container="nginx-ingress"} |= "error" | logfmt | level="error" | line_format "{{.msg}}" [5m])))";
  auto r = lode.Get("/loki/api/v1/format_query?query=" + Q(q));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/json; charset=utf-8");
  EXPECT_EQ(r.body.back(), '\n');
  json j = json::parse(r.body);
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["data"], R"(sum by (cluster)(
  rate(
    {job="loki", namespace="loki-prod", container="nginx-ingress"}
      |= "error"
      | logfmt
      | level="error"
      | line_format "{{.msg}}" [5m]
  )
))");
  // POST form body, and Go's HTML escaping of '>'.
  r = lode.Post("/loki/api/v1/format_query", "query=" + Q(R"({a="b"} | x > 1)"),
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"status\":\"success\",\"data\":\"{a=\\\"b\\\"} | x\\u003e1\"}\n");
  r = lode.Get("/loki/api/v1/format_query?query=" + Q(R"({a="b")"));
  EXPECT_EQ(r.status, 400);
  j = json::parse(r.body);
  EXPECT_EQ(j["status"], "invalid-query");
  EXPECT_EQ(j["error"],
            "parse error at line 1, col 7: syntax error: unexpected $end, expecting } or ,");
  EXPECT_FALSE(j.contains("data"));
}

TEST(LegacyApiTest, QueryLabelsSeriesInLokisLegacyShapes) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  const int64_t t0 = (NowNs() / kSec - 3600) * kSec;
  ASSERT_EQ(Push(lode, R"({app="leg", env="dev"})",
                 {{t0 + 123456789, "GET /a 200", {}},
                  {t0 + 2 * kSec, "GET /b 500", {}},
                  {t0 + 3 * kSec, "POST /c 200", {}}}),
            "");
  const std::string range =
      "&start=" + std::to_string(t0 - kSec) + "&end=" + std::to_string(t0 + 10 * kSec);
  auto r = lode.Get("/api/prom/query?query=" + Q(R"({app="leg"})") + "&limit=2&direction=forward" +
                    range);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  ASSERT_EQ(j["streams"].size(), 1u) << r.body;
  EXPECT_EQ(j["streams"][0]["labels"], R"({app="leg", env="dev"})");
  ASSERT_EQ(j["streams"][0]["entries"].size(), 2u);
  EXPECT_EQ(j["streams"][0]["entries"][0],
            (json{{"ts", Rfc3339(t0, ".123456789Z")}, {"line", "GET /a 200"}}));
  EXPECT_EQ(j["streams"][0]["entries"][1]["ts"], Rfc3339(t0 + 2 * kSec, "Z"));
  EXPECT_TRUE(j["stats"]["summary"].is_object());
  EXPECT_FALSE(j.contains("status")) << "the legacy answer has no status/data envelope";

  // regexp adds |~ "<regexp>" to the selector.
  r = lode.Get("/api/prom/query?query=" + Q(R"({app="leg"} |= "GET")") + "&regexp=" + Q("5\\d\\d") +
               range);
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  ASSERT_EQ(j["streams"].size(), 1u);
  ASSERT_EQ(j["streams"][0]["entries"].size(), 1u);
  EXPECT_EQ(j["streams"][0]["entries"][0]["line"], "GET /b 500");

  r = lode.Get("/api/prom/query?query=" + Q(R"(rate({app="leg"}[1m]))") + range);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "legacy endpoints only support streams result type\n");
  r = lode.Get("/api/prom/query?query=" + Q(R"({app=)") + range);
  EXPECT_EQ(r.status, 400);
  r = lode.Get("/api/prom/query?query=" + Q(R"(rate({app="leg"}[1m]))") + "&regexp=x" + range);
  EXPECT_EQ(r.status, 400);

  r = lode.Get("/api/prom/label?" + range.substr(1));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body), (json{{"values", {"app", "env"}}}));
  r = lode.Get("/api/prom/label/env/values?" + range.substr(1));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body), (json{{"values", {"dev"}}}));
  EXPECT_EQ(lode.Get("/api/prom/label/env/nope").status, 404);
  r = lode.Get("/api/prom/series?match[]=" + Q(R"({app="leg"})") + range);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body),
            (json{{"status", "success"}, {"data", {{{"app", "leg"}, {"env", "dev"}}}}}));
}

TEST(LegacyApiTest, TailSendsLegacyFrames) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  const int64_t now = NowNs();
  ASSERT_EQ(Push(lode, R"({app="ltail"})", {{now - 5 * kSec, "before", {}}}), "");
  WsClient ws;
  std::string err;
  ASSERT_TRUE(ws.Connect(
      lode.port(),
      "/api/prom/tail?query=" + Q(R"({app="ltail"})") + "&start=" + std::to_string(now - 60 * kSec),
      &err))
      << err;
  std::string msg;
  ASSERT_TRUE(ws.Read(&msg, 3000)) << "no initial frame";
  json f = json::parse(msg);
  ASSERT_EQ(f["streams"].size(), 1u) << msg;
  EXPECT_EQ(f["streams"][0]["labels"], R"({app="ltail"})");
  EXPECT_EQ(f["streams"][0]["entries"][0]["line"], "before");
  EXPECT_EQ(f["streams"][0]["entries"][0]["ts"].get<std::string>().back(), 'Z');
  EXPECT_TRUE(f["dropped_entries"].is_null()) << msg;
  ASSERT_EQ(Push(lode, R"({app="ltail"})", {{NowNs(), "live", {}}}), "");
  ASSERT_TRUE(ws.Read(&msg, 3000)) << "no live frame";
  EXPECT_EQ(json::parse(msg)["streams"][0]["entries"][0]["line"], "live");
  ws.Close();
  // Bad parameters are a plain 400 before the upgrade, as for the v1 tail.
  EXPECT_EQ(lode.Get("/api/prom/tail?query=" + Q(R"(rate({a="b"}[1m]))")).status, 400);
}

TEST(ServicesTest, ListsRunningModules) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  auto r = lode.Get("/services");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(
      r.body,
      "compactor => Running\ndistributor => Running\ningester => Running\nquerier => Running\n"
      "query-frontend => Running\nserver => Running\nstore => Running\nui => Running\n");
}

TEST(ConfigModesTest, DefaultsAndDiffAsLoki) {
  char tmpl[] = "/tmp/lode-cfgmode-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/lode.yaml") << "querier:\n  multi_tenant_queries_enabled: true\n";
  {
    LodeProcess lode({"--config", dir + "/lode.yaml"}, dir);
    ASSERT_TRUE(lode.Ready());
    auto r = lode.Get("/config?mode=diff");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("querier:\n  multi_tenant_queries_enabled: true"), std::string::npos)
        << r.body;
    EXPECT_EQ(r.body.find("ui:"), std::string::npos)
        << "unchanged keys are not in the diff: " << r.body;
    r = lode.Get("/config?mode=defaults");
    EXPECT_NE(r.body.find("multi_tenant_queries_enabled: false"), std::string::npos) << r.body;
    r = lode.Get("/config");
    EXPECT_NE(r.body.find("multi_tenant_queries_enabled: true"), std::string::npos) << r.body;
  }
  std::filesystem::remove_all(dir);
}

TEST(LogLevelTest, GetAndSetAsLoki) {
  LodeProcess lode;
  ASSERT_TRUE(lode.Ready());
  auto r = lode.Get("/log_level");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"message\":\"Current log level is info\"}\n");
  r = lode.Post("/log_level", "log_level=debug",
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"status\":\"success\",\"message\":\"Log level set to debug\"}\n");
  EXPECT_EQ(lode.Get("/log_level").body, "{\"message\":\"Current log level is debug\"}\n");
  r = lode.Post("/log_level?log_level=loud", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "{\"status\":\"failed\",\"message\":\"unrecognized log level \\\"loud\\\"\"}\n");
  EXPECT_EQ(lode.Get("/log_level").body, "{\"message\":\"Current log level is debug\"}\n");
}

class MultiTenantTest : public ::testing::Test {
 protected:
  void Start(bool enabled) {
    char tmpl[] = "/tmp/lode-mt-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/lode.yaml")
        << "auth_enabled: true\nlimits_config:\n  reject_old_samples: false\n"
        << "querier:\n  multi_tenant_queries_enabled: " << (enabled ? "true" : "false") << "\n";
    lode_ = std::make_unique<LodeProcess>(std::vector<std::string>{"--config", dir_ + "/lode.yaml"},
                                          dir_);
    ASSERT_TRUE(lode_->Ready());
    t0_ = NowNs() - 60 * kSec;
    ASSERT_EQ(Push(*lode_, R"({app="x", env="a-env"})", {{t0_, "from a", {}}},
                   {{"X-Scope-OrgID", "team-a"}}),
              "");
    ASSERT_EQ(
        Push(*lode_, R"({app="x"})", {{t0_ + kSec, "from b", {}}, {t0_ + 2 * kSec, "from b 2", {}}},
             {{"X-Scope-OrgID", "team-b"}}),
        "");
    ASSERT_EQ(Push(*lode_, R"({app="x"})", {{t0_, "from c", {}}}, {{"X-Scope-OrgID", "team-c"}}),
              "");
  }
  void TearDown() override {
    lode_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  HttpResult Get(const std::string& org, const std::string& target) {
    return lode_->Get(target, {{"X-Scope-OrgID", org}});
  }
  std::string Range() const {
    return "&start=" + std::to_string(t0_ - kSec) + "&end=" + std::to_string(t0_ + 10 * kSec);
  }

  std::string dir_;
  std::unique_ptr<LodeProcess> lode_;
  int64_t t0_ = 0;
};

TEST_F(MultiTenantTest, QueriesSeveralTenantsWithTenantLabel) {
  Start(true);
  auto r = Get("team-b|team-a", "/loki/api/v1/query_range?query=" + Q(R"({app="x"})") + Range());
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  std::multiset<std::string> seen;
  for (const auto& s : j["data"]["result"]) {
    for (const auto& v : s["values"])
      seen.insert(s["stream"]["__tenant_id__"].get<std::string>() + ":" + v[1].get<std::string>());
  }
  EXPECT_EQ(seen, (std::multiset<std::string>{"team-a:from a", "team-b:from b", "team-b:from b 2"}))
      << r.body;

  // The tenant label selects tenants.
  r = Get("team-a|team-b",
          "/loki/api/v1/query_range?query=" + Q(R"({app="x", __tenant_id__="team-b"})") + Range());
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  ASSERT_EQ(j["data"]["result"].size(), 1u) << r.body;
  EXPECT_EQ(j["data"]["result"][0]["stream"], (json{{"app", "x"}, {"__tenant_id__", "team-b"}}));
  r = Get("team-a|team-b",
          "/loki/api/v1/query_range?query=" + Q(R"q({__tenant_id__=~"team-(a|c)"})q") + Range());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["data"]["result"].size(), 1u) << "team-c was not asked for";

  // Metric queries aggregate over tenants, and by the tenant label.
  r = Get("team-a|team-b", "/loki/api/v1/query?query=" +
                               Q(R"(sum by (__tenant_id__) (count_over_time({app="x"}[5m])))") +
                               "&time=" + std::to_string(t0_ + 10 * kSec));
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, std::string> counts;
  j = json::parse(r.body);
  for (const auto& s : j["data"]["result"]) {
    counts[s["metric"]["__tenant_id__"].get<std::string>()] = s["value"][1].get<std::string>();
  }
  EXPECT_EQ(counts, (std::map<std::string, std::string>{{"team-a", "1"}, {"team-b", "2"}}))
      << r.body;

  // Labels, label values, series.
  r = Get("team-a|team-b", "/loki/api/v1/labels?" + Range().substr(1));
  EXPECT_EQ(json::parse(r.body)["data"], (json{"__tenant_id__", "app", "env"})) << r.body;
  r = Get("team-a|team-b", "/loki/api/v1/label/__tenant_id__/values?" + Range().substr(1));
  EXPECT_EQ(json::parse(r.body)["data"], (json{"team-a", "team-b"})) << r.body;
  r = Get("team-a|team-b", "/api/prom/label/app/values?" + Range().substr(1));
  EXPECT_EQ(json::parse(r.body)["values"], (json{"x"})) << r.body;
  r = Get("team-a|team-b", "/loki/api/v1/series?match[]=" + Q(R"({app="x"})") + Range());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["data"].size(), 2u) << r.body;
  j = json::parse(r.body);
  for (const auto& s : j["data"]) EXPECT_TRUE(s.contains("__tenant_id__")) << r.body;

  // Index stats and volumes add up the tenants, as Loki merges them.
  r = Get("team-a|team-b", "/loki/api/v1/index/stats?query=" + Q(R"({app="x"})") + Range());
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  EXPECT_EQ(j["streams"], 2) << r.body;
  EXPECT_EQ(j["entries"], 3) << r.body;
  r = Get("team-a|team-b", "/loki/api/v1/index/volume?query=" + Q(R"({app="x"})") + Range());
  ASSERT_EQ(r.status, 200) << r.body;
  j = json::parse(r.body);
  ASSERT_EQ(j["data"]["result"].size(), 1u) << r.body;
  EXPECT_EQ(j["data"]["result"][0]["metric"], (json{{"app", "x"}}));
  EXPECT_EQ(j["data"]["result"][0]["value"][1], "20") << "6 + 6 + 8 bytes";
  EXPECT_EQ(
      Get("team-a|team-b", "/loki/api/v1/patterns?query=" + Q(R"({app="x"})") + Range()).status,
      200);
  // Detected fields and tail take one tenant.
  EXPECT_EQ(
      Get("team-a|team-b", "/loki/api/v1/detected_fields?query=" + Q(R"({app="x"})") + Range())
          .status,
      400);

  // One tenant alone: no tenant label, as Loki.
  r = Get("team-a", "/loki/api/v1/query_range?query=" + Q(R"({app="x"})") + Range());
  EXPECT_FALSE(json::parse(r.body)["data"]["result"][0]["stream"].contains("__tenant_id__"))
      << r.body;

  // Pushes naming several tenants are rejected, nothing stored.
  EXPECT_NE(Push(*lode_, R"({app="x"})", {{t0_ + 3 * kSec, "both", {}}},
                 {{"X-Scope-OrgID", "team-a|team-b"}})
                .substr(0, 3),
            "");
  EXPECT_EQ(Push(*lode_, R"({app="x"})", {{t0_ + 3 * kSec, "both", {}}},
                 {{"X-Scope-OrgID", "team-a|team-b"}})
                .substr(0, 3),
            "400");
  r = Get("team-a", "/loki/api/v1/query_range?query=" + Q(R"({app="x"} |= "both")") + Range());
  EXPECT_TRUE(json::parse(r.body)["data"]["result"].empty()) << r.body;

  // Bounds: an invalid tenant in the list, and more than 100 tenants.
  EXPECT_EQ(Get("team-a|", "/loki/api/v1/labels").status, 400);
  std::string many = "t0";
  for (int i = 1; i <= 100; ++i) many += "|t" + std::to_string(i);
  r = Get(many, "/loki/api/v1/labels");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "too many tenants in X-Scope-OrgID: 101 > 100\n");
}

TEST_F(MultiTenantTest, DisabledByDefaultRejectsBar) {
  Start(false);
  auto r = Get("team-a|team-b", "/loki/api/v1/query_range?query=" + Q(R"({app="x"})") + Range());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "multiple org IDs present\n");
}

}  // namespace
}  // namespace lode::testing
