// Hostile input on the real binary: tenant IDs as Loki validates them, label
// values that try to inject into /metrics, request text that tries to forge
// lode's own log records, and admin endpoints behind the tenant header.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "server/metrics.h"
#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// lode with auth_enabled and `extra` appended to its config.
class AuthLode {
 public:
  explicit AuthLode(const std::string& extra = "") {
    char tmpl[] = "/tmp/lode-hardening-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/lode.yaml") << "auth_enabled: true\n" << extra;
    lode_ = std::make_unique<LodeProcess>(std::vector<std::string>{"--config", dir_ + "/lode.yaml"}, dir_);
  }
  ~AuthLode() {
    lode_.reset();
    std::filesystem::remove_all(dir_);
  }
  LodeProcess& operator*() { return *lode_; }
  LodeProcess* operator->() { return lode_.get(); }
  std::string Log() const {
    std::ifstream f(dir_ + "/lode.log");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

 private:
  std::string dir_;
  std::unique_ptr<LodeProcess> lode_;
};

TEST(HardeningTest, TenantIdsAreValidatedAsLokiDoesOnReadsAndWrites) {
  AuthLode lode;
  ASSERT_TRUE(lode->Ready());
  struct Bad {
    std::string id;
    std::string message;
  } bad[] = {
      {"x\"y", "tenant ID 'x\"y' contains unsupported character '\"'\n"},
      {"a,injected=yes", "tenant ID 'a,injected=yes' contains unsupported character ','\n"},
      {"a/../b", "tenant ID 'a/../b' contains unsupported character '/'\n"},
      {"a:b", "tenant ID 'a:b' contains unsupported character ':'\n"},
      {"a b", "tenant ID 'a b' contains unsupported character ' '\n"},
      {"a|b", "tenant ID 'a|b' contains unsupported character '|'\n"},
      {"caf\xc3\xa9", "tenant ID 'caf\xc3\xa9' contains unsupported character '\xc3\x83'\n"},
      {"bad\xff", "tenant ID 'bad\xff' contains unsupported character '\xc3\xbf'\n"},
      {std::string(151, 'a'), "tenant ID is too long: max 150 characters\n"},
      {".", "tenant ID is '.' or '..'\n"},
      {"..", "tenant ID is '.' or '..'\n"},
  };
  int64_t t = NowNs() - 1000000000LL;
  std::string push = EncodePush({{R"({app="a"})", {{t, "line", {}}}}});
  for (const auto& b : bad) {
    auto r = lode->Post("/loki/api/v1/push", push,
                        {{"Content-Type", "application/x-protobuf"}, {"X-Scope-OrgID", b.id}});
    EXPECT_EQ(r.status, 400) << b.id;
    EXPECT_EQ(r.body, b.message) << b.id;
    for (const char* path : {"/loki/api/v1/labels", "/loki/api/v1/query_range?query=%7Bapp%3D%22a%22%7D",
                             "/loki/api/v1/index/stats?query=%7Bapp%3D%22a%22%7D"}) {
      auto g = lode->Get(path, {{"X-Scope-OrgID", b.id}});
      EXPECT_EQ(g.status, 400) << b.id << " " << path;
      EXPECT_EQ(g.body, b.message) << b.id << " " << path;
    }
  }
  // Every allowed character, at the maximum length.
  std::string good = "azAZ09!-_.*'()";
  good += std::string(150 - good.size(), 'x');
  auto r = lode->Post("/loki/api/v1/push", push, {{"Content-Type", "application/x-protobuf"}, {"X-Scope-OrgID", good}});
  EXPECT_EQ(r.status, 204) << r.body;
  auto m = lode->Get("/metrics");
  EXPECT_NE(m.body.find("lode_distributor_lines_received_total{tenant=\"" + good + "\"} 1"), std::string::npos);
  EXPECT_EQ(m.body.find("injected"), std::string::npos);
}

TEST(HardeningTest, MetricsLabelValuesAreEscapedInTheExpositionFormat) {
  server::Metrics m;
  m.Add("c_total", {{"tenant", "a\",injected=\"yes"}, {"route", "x\\\ny_total 1e9"}}, 1);
  m.Observe("h_seconds", {{"route", "r\"}\nforged 1"}}, 0.5);
  std::string out = m.Render();
  EXPECT_NE(out.find("c_total{tenant=\"a\\\",injected=\\\"yes\",route=\"x\\\\\\ny_total 1e9\"} 1\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("h_seconds_count{route=\"r\\\"}\\nforged 1\"} 1\n"), std::string::npos) << out;
  // No line may start with a forged sample.
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(line.rfind("# ", 0) == 0 || line.rfind("c_total", 0) == 0 || line.rfind("h_seconds", 0) == 0)
        << line;
  }
}

TEST(HardeningTest, RequestTextCannotForgeLodeLogRecords) {
  AuthLode lode;
  ASSERT_TRUE(lode->Ready());
  // A 400 whose message quotes the client's text is logged; the text holds
  // a newline, a carriage return and a fake record.
  std::string evil = "1\nlode: FORGED admin logged in\r\nlode: FORGED again";
  auto r = lode->Get("/loki/api/v1/query_range?query=" + Q("{app=\"a\"}") + "&limit=" + Q(evil),
                     {{"X-Scope-OrgID", "t"}});
  ASSERT_EQ(r.status, 400) << r.body;
  // A long message is cut, but its record still ends with its own newline.
  auto r2 = lode->Get("/loki/api/v1/query_range?query=" + Q("{app=\"a\"}") + "&limit=" + std::string(5000, 'z'),
                      {{"X-Scope-OrgID", "t"}});
  ASSERT_EQ(r2.status, 400);
  auto r3 = lode->Get("/loki/api/v1/labels");  // 401, logged after the long one
  ASSERT_EQ(r3.status, 401);
  std::string log = lode.Log();
  EXPECT_NE(log.find("1\\nlode: FORGED admin logged in\\r\\nlode: FORGED again"), std::string::npos) << log;
  std::istringstream lines(log);
  int records = 0;
  for (std::string line; std::getline(lines, line);) {
    ++records;
    EXPECT_EQ(line.rfind("lode: ", 0), 0u) << line;
    EXPECT_NE(line.rfind("lode: FORGED", 0), 0u) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
  }
  EXPECT_NE(log.find("\nlode: GET /loki/api/v1/labels -> 401: no org id\n"), std::string::npos) << log;
  EXPECT_GE(records, 4);
}

TEST(HardeningTest, AdminEndpointsNeedATenantWhenAuthIsEnabled) {
  AuthLode lode;
  ASSERT_TRUE(lode->Ready());
  for (const char* path : {"/flush", "/compactor/run"}) {
    auto r = lode->Post(path, "");
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(r.body, "no org id\n") << path;
    auto bad = lode->Post(path, "", {{"X-Scope-OrgID", "a/b"}});
    EXPECT_EQ(bad.status, 400) << path;
    auto ok = lode->Post(path, "", {{"X-Scope-OrgID", "ops"}});
    EXPECT_LT(ok.status, 300) << path << ": " << ok.body;
  }
}

}  // namespace
}  // namespace lode::testing
