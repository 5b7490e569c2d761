// End-to-end multi-tenancy: with auth_enabled every read and write is scoped
// to X-Scope-OrgID, and per-tenant overrides (retention, ingestion rate,
// active streams, deletion mode) apply to their tenant only.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/config.h"
#include "tests/e2e/lode_process.h"
#include "tests/e2e/ws_client.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;

constexpr int64_t kSec = 1000000000LL;
constexpr int64_t kDay = 86400 * kSec;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* kConfig = R"(
auth_enabled: true
limits_config:
  reject_old_samples: false
  retention_period: 7d
overrides:
  short-lived:
    retention_period: 1d
  slow:
    ingestion_rate_mb: 0.001
    ingestion_burst_size_mb: 0.002
  few:
    max_global_streams_per_user: 2
  no-deletes:
    deletion_mode: disabled
)";

class TenancyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lode-tenancy-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/lode.yaml") << kConfig;
    lode_ = std::make_unique<LodeProcess>(std::vector<std::string>{"--config", dir_ + "/lode.yaml"},
                                          dir_);
    ASSERT_TRUE(lode_->Ready()) << "lode did not start";
  }
  void TearDown() override {
    lode_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResult Get(const std::string& tenant, const std::string& target) {
    return lode_->Get(target, {{"X-Scope-OrgID", tenant}});
  }
  HttpResult Push(const std::string& tenant,
                  const std::vector<std::pair<std::string, std::vector<PushEntry>>>& s) {
    return lode_->Post("/loki/api/v1/push", EncodePush(s),
                       {{"Content-Type", "application/x-protobuf"}, {"X-Scope-OrgID", tenant}});
  }
  std::string Range() const {
    return "start=" + std::to_string(now_ - 3 * kDay) + "&end=" + std::to_string(now_ + kSec);
  }

  int64_t now_ = NowNs();
  std::string dir_;
  std::unique_ptr<LodeProcess> lode_;
};

TEST_F(TenancyTest, TenantsNeverSeeEachOthersData) {
  int64_t t = now_ - 60 * kSec;
  EXPECT_EQ(lode_->Get("/loki/api/v1/labels").status, 401);
  EXPECT_EQ(lode_->Get("/loki/api/v1/labels").body, "no org id\n");
  EXPECT_EQ(lode_
                ->Post("/loki/api/v1/push", EncodePush({{R"({a="1"})", {{t, "x", {}}}}}),
                       {{"Content-Type", "application/x-protobuf"}})
                .status,
            401);
  ASSERT_EQ(Push("team-a", {{R"({app="shared", env="a-env"})", {{t, "line of a", {}}}}}).status,
            204);
  ASSERT_EQ(Push("team-b", {{R"({app="shared", team="b-team"})", {{t, "line of b", {}}}},
                            {R"({app="b-only"})", {{t + 1, "more of b", {}}}}})
                .status,
            204);

  auto data = [](const HttpResult& r) { return json::parse(r.body)["data"]; };
  EXPECT_EQ(data(Get("team-a", "/loki/api/v1/labels?" + Range())), (json{"app", "env"}));
  EXPECT_EQ(data(Get("team-b", "/loki/api/v1/labels?" + Range())), (json{"app", "team"}));
  EXPECT_EQ(data(Get("team-a", "/loki/api/v1/label/app/values?" + Range())), (json{"shared"}));
  EXPECT_EQ(data(Get("team-b", "/loki/api/v1/label/app/values?" + Range())),
            (json{"b-only", "shared"}));
  EXPECT_EQ(
      data(Get("team-a", "/loki/api/v1/series?match[]=" + Q(R"({app=~".+"})") + "&" + Range())),
      json::array({{{"app", "shared"}, {"env", "a-env"}}}));
  EXPECT_EQ(data(Get("nobody", "/loki/api/v1/labels?" + Range())), json::array());

  auto r =
      Get("team-a", "/loki/api/v1/query_range?query=" + Q(R"({app="shared"})") + "&" + Range());
  ASSERT_EQ(r.status, 200) << r.body;
  auto result = data(r)["result"];
  ASSERT_EQ(result.size(), 1u) << r.body;
  EXPECT_EQ(result[0]["values"][0][1], "line of a");
  r = Get("team-b", "/loki/api/v1/query?query=" + Q(R"(sum(count_over_time({app=~".+"}[1h])))") +
                        "&time=" + std::to_string(now_));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(data(r)["result"][0]["value"][1], "2") << r.body;
  r = Get("team-c", "/loki/api/v1/query?query=" + Q(R"(sum(count_over_time({app=~".+"}[1h])))") +
                        "&time=" + std::to_string(now_));
  EXPECT_EQ(data(r)["result"], json::array()) << r.body;

  // Delete requests are per tenant too.
  r = lode_->Post("/loki/api/v1/delete?query=" + Q(R"({app="shared"})") +
                      "&start=" + std::to_string(now_ / kSec - 3600),
                  "", {{"X-Scope-OrgID", "team-a"}});
  ASSERT_EQ(r.status, 204) << r.body;
  auto list = json::parse(Get("team-a", "/loki/api/v1/delete").body);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(json::parse(Get("team-b", "/loki/api/v1/delete").body), json::array());
  r = HttpRequest(lode_->port(), "DELETE",
                  "/loki/api/v1/delete?request_id=" + list[0]["request_id"].get<std::string>(), "",
                  {{"X-Scope-OrgID", "team-b"}});
  EXPECT_EQ(r.status, 404);
  // team-a's delete hides team-a's stream only.
  r = Get("team-b", "/loki/api/v1/query_range?query=" + Q(R"({app="shared"})") + "&" + Range());
  EXPECT_EQ(data(r)["result"].size(), 1u) << r.body;
  r = Get("team-a", "/loki/api/v1/query_range?query=" + Q(R"({app="shared"})") + "&" + Range());
  EXPECT_EQ(data(r)["result"].size(), 0u) << r.body;
}

// Waits up to `secs` for fn() to hold.
bool Eventually(int secs, const std::function<bool()>& fn) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(secs);
  while (std::chrono::steady_clock::now() < end) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return fn();
}

// Every tenant-scoped read endpoint, walked as tenant A and tenant B with
// auth_enabled: each answers B's data to B (so the endpoint does look at
// data) and never a trace of B to A, nor of A to B. Then tail (WebSocket),
// delete requests, rules and alerts, /metrics (no tenant's label values for
// anyone) and the endpoints that need no tenant.
TEST(TenancyWalkTest, EveryEndpointKeepsTenantsApart) {
  char tmpl[] = "/tmp/lode-tenancy-walk-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::filesystem::create_directories(dir + "/rules/team-a");
  std::filesystem::create_directories(dir + "/rules/team-b");
  std::ofstream(dir + "/rules/team-a/a-ns.yaml")
      << "groups:\n  - name: a-group\n    rules:\n      - alert: AlertOfA\n"
         "        expr: sum(count_over_time({app=\"a-app\"}[1h])) > 0\n";
  std::ofstream(dir + "/rules/team-b/b-ns.yaml")
      << "groups:\n  - name: b-group\n    rules:\n      - alert: AlertOfB\n"
         "        expr: sum by (secret) (count_over_time({app=\"b-app\"}[1h])) > 0\n";
  std::ofstream(dir + "/lode.yaml")
      << "auth_enabled: true\nruler:\n  storage:\n    type: local\n    local:\n      directory: "
      << dir << "/rules\n  rule_path: " << dir
      << "/scratch\n  evaluation_interval: 1s\n  poll_interval: 1s\n";
  struct Cleanup {
    std::string d;
    ~Cleanup() { std::filesystem::remove_all(d); }
  } cleanup{dir};
  LodeProcess lode({"--config", dir + "/lode.yaml"}, dir);
  ASSERT_TRUE(lode.Ready());

  const std::string A = "team-a", B = "team-b";
  // Strings only the data of one tenant holds: label names and values, line
  // words, field names and values, rule and group names.
  const std::vector<std::string> marks_a = {"a-app", "a_only",   "a-secret", "alpha", "afield",
                                            "alice", "AlertOfA", "a-group",  "a-ns"};
  const std::vector<std::string> marks_b = {"b-app", "b_only",   "b-secret", "bravo", "bfield",
                                            "bobby", "AlertOfB", "b-group",  "b-ns"};
  int64_t now = NowNs();
  auto push = [&](const std::string& tenant, const std::string& labels, std::vector<PushEntry> es) {
    return lode
        .Post("/loki/api/v1/push", EncodePush({{labels, es}}),
              {{"Content-Type", "application/x-protobuf"}, {"X-Scope-OrgID", tenant}})
        .status;
  };
  std::vector<PushEntry> a_lines, b_lines;
  for (int i = 0; i < 3; ++i)
    a_lines.push_back({now - (60 - i) * kSec,
                       "alpha level=info afield=alice n=" + std::to_string(i) + " took=5ms",
                       {}});
  for (int i = 0; i < 5; ++i)
    b_lines.push_back({now - (60 - i) * kSec,
                       "bravo level=error bfield=bobby n=" + std::to_string(i) + " took=7ms",
                       {}});
  ASSERT_EQ(push(A, R"({app="a-app", a_only="yes", secret="a-secret"})", a_lines), 204);
  ASSERT_EQ(push(B, R"({app="b-app", b_only="yes", secret="b-secret"})", b_lines), 204);

  auto h = [](const std::string& t) {
    return std::map<std::string, std::string>{{"X-Scope-OrgID", t}};
  };
  auto contains_any = [](const std::string& body, const std::vector<std::string>& marks) {
    for (const auto& m : marks)
      if (body.find(m) != std::string::npos) return m;
    return std::string();
  };
  const std::string range =
      "&start=" + std::to_string(now - 3600 * kSec) + "&end=" + std::to_string(now + kSec);
  const std::string sel = Q(R"({secret=~".+"})");
  struct Endpoint {
    std::string name, target;
    bool shows_marks;  // B's answer names B's data (else only its numbers differ)
  };
  const std::vector<Endpoint> endpoints = {
      {"query_range", "/loki/api/v1/query_range?query=" + sel + range, true},
      {"query (metric)",
       "/loki/api/v1/query?query=" +
           Q(R"(sum by (secret, app) (count_over_time({secret=~".+"}[1h])))") +
           "&time=" + std::to_string(now),
       true},
      {"labels", "/loki/api/v1/labels?x=1" + range, true},
      {"label values", "/loki/api/v1/label/secret/values?x=1" + range, true},
      {"series", "/loki/api/v1/series?match[]=" + sel + range, true},
      {"index/stats", "/loki/api/v1/index/stats?query=" + sel + range, false},
      {"index/volume", "/loki/api/v1/index/volume?query=" + sel + range, true},
      {"index/volume_range", "/loki/api/v1/index/volume_range?step=60&query=" + sel + range, true},
      {"detected_fields", "/loki/api/v1/detected_fields?query=" + sel + range, true},
      {"detected_labels", "/loki/api/v1/detected_labels?query=" + sel + range, true},
      {"detected_field values (B's field)",
       "/loki/api/v1/detected_field/bfield/values?query=" + sel + range, true},
      {"patterns", "/loki/api/v1/patterns?query=" + sel + range, true},
      {"legacy query", "/api/prom/query?query=" + sel + range, true},
      {"legacy label values", "/api/prom/label/secret/values?x=1" + range, true},
      {"legacy series", "/api/prom/series?match[]=" + sel + range, true},
  };
  for (const auto& e : endpoints) {
    SCOPED_TRACE(e.name + ": " + e.target);
    HttpResult none = lode.Get(e.target);
    EXPECT_EQ(none.status, 401) << none.body;
    HttpResult ra = lode.Get(e.target, h(A)), rb = lode.Get(e.target, h(B));
    ASSERT_EQ(ra.status, 200) << ra.body;
    ASSERT_EQ(rb.status, 200) << rb.body;
    EXPECT_EQ(contains_any(ra.body, marks_b), "") << "A sees B: " << ra.body;
    EXPECT_EQ(contains_any(rb.body, marks_a), "") << "B sees A: " << rb.body;
    if (e.shows_marks) {
      EXPECT_NE(contains_any(rb.body, marks_b), "") << rb.body;
    }
  }
  // index/stats: each tenant counts its own entries only.
  auto stats = [&](const std::string& t) {
    return json::parse(lode.Get("/loki/api/v1/index/stats?query=" + sel + range, h(t)).body);
  };
  EXPECT_EQ(stats(A)["entries"], 3) << stats(A);
  EXPECT_EQ(stats(B)["entries"], 5) << stats(B);
  EXPECT_EQ(stats(A)["streams"], 1);
  // A's field values do not include B's, even when A asks for B's field name.
  EXPECT_EQ(lode.Get("/loki/api/v1/detected_field/afield/values?query=" + sel + range, h(A))
                    .body.find("alice") != std::string::npos,
            true);

  // Tail: A's live tail gets A's new line, never B's (pushed first).
  {
    WsClient ws;
    std::string err, msg, got;
    ASSERT_TRUE(
        ws.Connect(lode.port(),
                   "/loki/api/v1/tail?query=" + sel + "&start=" + std::to_string(now - 3600 * kSec),
                   &err, h(A)))
        << err;
    ASSERT_EQ(
        push(B, R"({app="b-app", b_only="yes", secret="b-secret"})", {{NowNs(), "bravo live", {}}}),
        204);
    ASSERT_EQ(
        push(A, R"({app="a-app", a_only="yes", secret="a-secret"})", {{NowNs(), "alpha live", {}}}),
        204);
    while (got.find("alpha live") == std::string::npos && ws.Read(&msg, 3000)) got += msg;
    ws.Close();
    EXPECT_NE(got.find("alpha live"), std::string::npos) << got;
    EXPECT_EQ(contains_any(got, marks_b), "") << "A's tail sees B: " << got;
    WsClient anon;
    EXPECT_FALSE(anon.Connect(lode.port(), "/loki/api/v1/tail?query=" + sel, &err))
        << "a tail without a tenant must be refused";
  }

  // Delete requests: created by A, invisible to B, not cancellable by B.
  auto r = lode.Post("/loki/api/v1/delete?query=" + Q(R"({app="a-app"})") +
                         "&start=" + std::to_string(now / kSec - 3600) +
                         "&end=" + std::to_string(now / kSec - 3000),
                     "", h(A));
  ASSERT_EQ(r.status, 204) << r.body;
  auto list = json::parse(lode.Get("/loki/api/v1/delete", h(A)).body);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(json::parse(lode.Get("/loki/api/v1/delete", h(B)).body), json::array());
  EXPECT_EQ(
      HttpRequest(lode.port(), "DELETE",
                  "/loki/api/v1/delete?request_id=" + list[0]["request_id"].get<std::string>(), "",
                  h(B))
          .status,
      404);
  EXPECT_EQ(json::parse(lode.Get("/loki/api/v1/delete", h(A)).body).size(), 1u);
  EXPECT_EQ(lode.Get("/loki/api/v1/delete").status, 401);
  EXPECT_EQ(
      HttpRequest(lode.port(), "DELETE",
                  "/loki/api/v1/delete?request_id=" + list[0]["request_id"].get<std::string>(), "",
                  h(A))
          .status,
      204);

  // Rules and alerts: each tenant sees its own groups and firing alerts.
  ASSERT_TRUE(Eventually(15, [&] {
    return lode.Get("/prometheus/api/v1/alerts", h(B)).body.find("AlertOfB") != std::string::npos &&
           lode.Get("/prometheus/api/v1/alerts", h(A)).body.find("AlertOfA") != std::string::npos;
  })) << lode.Get("/prometheus/api/v1/alerts", h(B)).body;
  for (const std::string target :
       {"/prometheus/api/v1/rules", "/prometheus/api/v1/alerts", "/loki/api/v1/rules",
        "/api/prom/rules", "/loki/api/v1/rules/b-ns", "/loki/api/v1/rules/b-ns/b-group"}) {
    SCOPED_TRACE(target);
    HttpResult ra = lode.Get(target, h(A)), rb = lode.Get(target, h(B));
    EXPECT_EQ(lode.Get(target).status, 401);
    EXPECT_EQ(rb.status, 200) << rb.body;
    EXPECT_NE(contains_any(rb.body, marks_b), "") << rb.body;
    EXPECT_EQ(contains_any(ra.body, marks_b), "") << "A sees B: " << ra.body;
    EXPECT_EQ(contains_any(rb.body, marks_a), "") << "B sees A: " << rb.body;
  }
  EXPECT_EQ(lode.Get("/loki/api/v1/rules/b-ns", h(A)).status, 404);

  // /metrics names no tenant's label values, label names or lines, whoever
  // asks (operator metrics may name tenants and rule groups, as Loki's do).
  const std::vector<std::string> data_marks = {"a-app",    "a_only", "a-secret", "alpha",
                                               "afield",   "alice",  "b-app",    "b_only",
                                               "b-secret", "bravo",  "bfield",   "bobby"};
  for (const auto& who : std::vector<std::map<std::string, std::string>>{{}, h(A), h(B)}) {
    HttpResult m = lode.Get("/metrics", who);
    ASSERT_EQ(m.status, 200);
    EXPECT_EQ(contains_any(m.body, data_marks), "") << "/metrics leaks tenant data";
  }
  // format_query needs no tenant.
  r = lode.Get("/loki/api/v1/format_query?query=" + Q(R"({a="b"}|="x")"));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(TenancyTest, PerTenantRetentionRateStreamAndDeletionLimits) {
  // Retention: two-day-old data is fine for the default 7d, too old for 1d.
  auto old = std::vector<std::pair<std::string, std::vector<PushEntry>>>{
      {R"({app="x"})", {{now_ - 2 * kDay, "old", {}}}}};
  EXPECT_EQ(Push("regular", old).status, 204);
  auto r = Push("short-lived", old);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("entry for stream '{app=\"x\"}' has timestamp too old"), std::string::npos)
      << r.body;

  // Ingestion rate: 1 MiB/1000 per second with a 2 KiB-ish burst.
  std::vector<PushEntry> kb = {{now_, std::string(1500, 'x'), {}}};
  EXPECT_EQ(Push("slow", {{R"({app="x"})", kb}}).status, 204);
  r = Push("slow", {{R"({app="x"})", {{now_ + 1, std::string(1500, 'y'), {}}}}});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body,
            "Ingestion rate limit exceeded for user slow (limit: 1048 bytes/sec) while attempting "
            "to ingest '1' lines "
            "totaling '1500' bytes, reduce log volume or contact your Loki administrator to see if "
            "the limit can be "
            "increased\n");
  EXPECT_EQ(Push("regular", {{R"({app="x"})", {{now_ + 1, std::string(1500, 'y'), {}}}}}).status,
            204);

  // Active streams: the third new stream of "few" is refused, the others kept.
  r = Push("few", {{R"({s="1"})", {{now_, "a", {}}}},
                   {R"({s="2"})", {{now_, "b", {}}}},
                   {R"({s="3"})", {{now_, "c", {}}}}});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body,
            "Maximum active stream limit exceeded when trying to create stream {s=\"3\"}, reduce "
            "the number of active "
            "streams (reduce labels or reduce label values), or contact your Loki administrator to "
            "see if the limit "
            "can be increased, user: 'few'\n");
  EXPECT_EQ(json::parse(Get("few", "/loki/api/v1/label/s/values?" + Range()).body)["data"],
            (json{"1", "2"}));
  EXPECT_EQ(Push("few", {{R"({s="1"})", {{now_ + 1, "again", {}}}}}).status,
            204);  // active streams still accepted

  // Deletion disabled for one tenant.
  r = lode_->Post("/loki/api/v1/delete?query=" + Q(R"({app="x"})") +
                      "&start=" + std::to_string(now_ / kSec - 60),
                  "", {{"X-Scope-OrgID", "no-deletes"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "deletion is not available for this tenant\n");
}

TEST(TenantConfigTest, OverridesInheritDefaultsAndRetentionRulesAreValidated) {
  server::Config cfg;
  ASSERT_TRUE(server::LoadConfig("", &cfg).ok());
  Status s = server::ApplyConfigYaml(R"(
limits_config:
  max_line_size: 1KB
  retention_stream:
    - selector: '{env="dev"}'
      priority: 2
      period: 2d
overrides:
  a:
    retention_period: 30d
    ingestion_rate_mb: 1.5
)",
                                     &cfg);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto& a = cfg.LimitsFor("a");
  EXPECT_EQ(a.retention_period_ns, 30 * kDay);
  EXPECT_EQ(a.rate.ingestion_rate_mb, 1.5);
  EXPECT_EQ(a.push.max_line_size, 1000u);  // inherited from limits_config
  ASSERT_EQ(a.retention_stream.size(), 1u);
  EXPECT_EQ(cfg.LimitsFor("b").retention_period_ns, 7 * kDay);
  auto policy = server::MakeRetentionPolicy(cfg);
  Labels dev = {{"env", "dev"}}, prod = {{"env", "prod"}};
  EXPECT_EQ(policy->PeriodFor("b", dev), 2 * kDay);
  EXPECT_EQ(policy->PeriodFor("b", prod), 7 * kDay);
  EXPECT_EQ(policy->PeriodFor("a", prod), 30 * kDay);
  EXPECT_NE(server::ConfigToYaml(cfg).find("retention_period: 30d"), std::string::npos)
      << server::ConfigToYaml(cfg);
  cfg.retention_enabled = false;
  EXPECT_TRUE(server::MakeRetentionPolicy(cfg)->KeepsEverything());

  auto error = [](const std::string& yaml) {
    server::Config c;
    EXPECT_TRUE(server::LoadConfig("", &c).ok());
    return server::ApplyConfigYaml(yaml, &c).message();
  };
  EXPECT_EQ(error("overrides:\n  t:\n    retention_priod: 1d\n"),
            "config: unknown key \"overrides.t.retention_priod\"");
  EXPECT_EQ(error("overrides:\n  t:\n    retention_period: soon\n"),
            "config: overrides.t.retention_period: invalid duration \"soon\"");
  EXPECT_EQ(
      error("limits_config:\n  retention_stream:\n    - selector: '{a=\"b\"}'\n      period: 5h\n"),
      "config: limits_config.retention_stream: retention period must be >= 24h was 5h");
  EXPECT_EQ(error("limits_config:\n  retention_stream:\n    - selector: 'nope'\n      period: 5d\n")
                .rfind("config: limits_config.retention_stream: invalid labels matchers: ", 0),
            0u);
  EXPECT_EQ(error("limits_config:\n  deletion_mode: sometimes\n"),
            "config: limits_config.deletion_mode: invalid deletion mode \"sometimes\"");
}

}  // namespace
}  // namespace lode::testing
