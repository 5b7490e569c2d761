// End-to-end multi-tenancy: with auth_enabled every read and write is scoped
// to X-Scope-OrgID, and per-tenant overrides (retention, ingestion rate,
// active streams, deletion mode) apply to their tenant only.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "server/config.h"
#include "tests/e2e/lode_process.h"

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
