// The ruler end to end with real parts: build/lode with a rules directory, a
// real Alertmanager (Debian's prometheus-alertmanager) receiving the alerts
// and a real Prometheus (Debian's prometheus, --web.enable-remote-write-receiver)
// receiving the recorded series; the rules API's durability across kill -9;
// the `for` state across a restart; `lode rules check`. Tests that need
// Alertmanager or Prometheus skip when the binary is missing.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

namespace fs = std::filesystem;

int FreeTcpPort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/lode-ruler-e2e-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

void WriteFile(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

// A child process (Alertmanager, Prometheus) killed at the end of the test.
class Child {
 public:
  Child(std::vector<std::string> argv, const std::string& log) {
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> cargv;
      for (auto& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      FILE* f = freopen(log.c_str(), "a", stderr);
      (void)f;
      f = freopen(log.c_str(), "a", stdout);
      execv(cargv[0], cargv.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int st;
      waitpid(pid_, &st, 0);
    }
  }

 private:
  pid_t pid_ = -1;
};

// Polls `fn` every 250 ms until it returns true or `secs` pass.
bool WaitFor(int secs, const std::function<bool()>& fn) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(secs);
  while (std::chrono::steady_clock::now() < end) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

std::string RulerConfig(const std::string& dir, const std::string& extra) {
  return "ruler:\n"
         "  storage:\n    type: local\n    local:\n      directory: " +
         dir +
         "/rules\n"
         "  rule_path: " +
         dir +
         "/scratch\n"
         "  evaluation_interval: 1s\n  poll_interval: 1s\n  resend_delay: 1s\n" +
         extra;
}

void Push(LodeProcess& lode, const std::string& service, const std::string& line) {
  std::string body = "{\"streams\":[{\"stream\":{\"job\":\"e2e\",\"service\":\"" + service +
                     "\"},\"values\":[[\"" + std::to_string(NowNs()) + "\",\"" + line + "\"]]}]}";
  ASSERT_EQ(lode.Post("/loki/api/v1/push", body, {{"Content-Type", "application/json"}}).status,
            204);
}

const char kRules[] = R"(groups:
  - name: app
    rules:
      - alert: CriticalLines
        expr: sum by (service) (count_over_time({job="e2e"} |= "CRITICAL" [5s])) > 0
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.service }} logged {{ $value }} CRITICAL lines"
      - record: service:log_lines:count5s
        expr: sum by (service) (count_over_time({job="e2e"}[5s]))
)";

TEST(RulerE2ETest, AlertReachesAlertmanagerResolvesAndRecordsIntoPrometheus) {
  const char* am_bin = "/usr/bin/prometheus-alertmanager";
  const char* prom_bin = "/usr/bin/prometheus";
  if (access(am_bin, X_OK) != 0 || access(prom_bin, X_OK) != 0) {
    GTEST_SKIP() << "needs Debian's prometheus-alertmanager and prometheus (make test-deps)";
  }
  TempDir d;
  int am_port = FreeTcpPort(), prom_port = FreeTcpPort();
  WriteFile(d.path + "/am.yml",
            "route:\n  receiver: blackhole\n  group_wait: 1s\nreceivers:\n  - name: blackhole\n");
  Child am({am_bin, "--config.file=" + d.path + "/am.yml",
            "--web.listen-address=127.0.0.1:" + std::to_string(am_port),
            "--storage.path=" + d.path + "/am-data", "--cluster.listen-address="},
           d.path + "/am.log");
  WriteFile(d.path + "/prom.yml", "global:\n  scrape_interval: 15s\n");
  Child prom(
      {prom_bin, "--config.file=" + d.path + "/prom.yml", "--web.enable-remote-write-receiver",
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port),
       "--storage.tsdb.path=" + d.path + "/prom-data"},
      d.path + "/prom.log");
  ASSERT_TRUE(WaitFor(60, [&] { return HttpRequest(am_port, "GET", "/-/ready").status == 200; }))
      << "alertmanager";
  ASSERT_TRUE(WaitFor(60, [&] { return HttpRequest(prom_port, "GET", "/-/ready").status == 200; }))
      << "prometheus";

  WriteFile(d.path + "/rules/fake/app.yaml", kRules);
  WriteFile(
      d.path + "/lode.yaml",
      RulerConfig(
          d.path,
          "  alertmanager_url: http://127.0.0.1:" + std::to_string(am_port) +
              "\n  external_url: http://grafana.example:3000\n"
              "  remote_write:\n    enabled: true\n    client:\n      url: http://127.0.0.1:" +
              std::to_string(prom_port) + "/api/v1/write\n"));
  LodeProcess lode({"--config", d.path + "/lode.yaml"});
  ASSERT_TRUE(lode.Ready());

  for (int i = 0; i < 3; ++i) {
    Push(lode, "api", "CRITICAL disk full");
    Push(lode, "web", "all good");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  std::string body;
  ASSERT_TRUE(WaitFor(30,
                      [&] {
                        body = HttpRequest(am_port, "GET", "/api/v2/alerts").body;
                        return body.find("CriticalLines") != std::string::npos;
                      }))
      << "the alert never reached Alertmanager: " << body;
  EXPECT_NE(body.find("\"service\":\"api\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"severity\":\"page\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"summary\":\"api logged "), std::string::npos)
      << body;  // templated annotation
  EXPECT_NE(body.find("http://grafana.example:3000/explore?left="), std::string::npos) << body;
  EXPECT_EQ(body.find("\"service\":\"web\""), std::string::npos) << body;

  // lode's own view while firing.
  HttpResult rules = lode.Get("/prometheus/api/v1/rules");
  EXPECT_NE(rules.body.find("\"state\":\"firing\""), std::string::npos) << rules.body;
  EXPECT_NE(lode.Get("/prometheus/api/v1/alerts").body.find("CriticalLines"), std::string::npos);

  // The recorded series is queryable in Prometheus.
  ASSERT_TRUE(WaitFor(30,
                      [&] {
                        body = HttpRequest(prom_port, "GET",
                                           "/api/v1/query?query=" +
                                               Q("service:log_lines:count5s{service=\"api\"}"))
                                   .body;
                        return body.find("\"service\":\"api\"") != std::string::npos;
                      }))
      << "no recorded series in Prometheus: " << body;
  EXPECT_NE(body.find("\"__name__\":\"service:log_lines:count5s\""), std::string::npos) << body;
  std::string metrics = lode.Get("/metrics").body;
  auto counter = [&](const std::string& name) {
    size_t at = metrics.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + name.size() + 2));
  };
  EXPECT_GT(counter("lode_ruler_notifications_sent_total"), 0) << metrics;
  EXPECT_GT(counter("lode_ruler_remote_write_samples_sent_total"), 0) << metrics;
  EXPECT_EQ(counter("lode_ruler_notifications_dropped_total"), 0) << metrics;

  // No more CRITICAL lines: the 5s window empties, the alert resolves.
  ASSERT_TRUE(WaitFor(40,
                      [&] {
                        body = HttpRequest(am_port, "GET", "/api/v2/alerts").body;
                        return body.find("CriticalLines") == std::string::npos;
                      }))
      << "the alert never resolved in Alertmanager: " << body;
}

TEST(RulerE2ETest, RulesApiChangesSurviveKill9) {
  TempDir d;
  WriteFile(d.path + "/lode.yaml", RulerConfig(d.path, ""));
  LodeProcess lode({"--config", d.path + "/lode.yaml"});
  ASSERT_TRUE(lode.Ready());
  EXPECT_EQ(lode.Get("/loki/api/v1/rules").status, 404);  // no rule groups found
  const std::string group =
      "name: api-group\nrules:\n  - alert: Always\n    expr: vector(1) > 0\n"
      "    annotations:\n      summary: 'value {{ $value }}'\n";
  HttpResult r =
      lode.Post("/loki/api/v1/rules/team-a", group, {{"Content-Type", "application/yaml"}});
  ASSERT_EQ(r.status, 202) << r.body;
  r = lode.Post("/api/prom/rules/team-b",
                "name: other\nrules:\n  - record: x:y\n    expr: vector(2)\n");
  ASSERT_EQ(r.status, 202) << r.body;
  // Rejected: nothing stored.
  r = lode.Post("/loki/api/v1/rules/team-c",
                "name: bad\nrules:\n  - alert: A\n    expr: '{a=\"b\"}'\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "team-c: group \"bad\", rule \"A\": expression must be a metric query, not a log "
            "query: {a=\"b\"}\n");
  EXPECT_EQ(lode.Post("/loki/api/v1/rules/..", group).status, 400);
  ASSERT_EQ(lode.Post("/loki/api/v1/rules/" + Q("odd: name"), group).status,
            202);  // YAML-special namespace

  lode.Kill9();
  ASSERT_TRUE(lode.Start());
  r = lode.Get("/loki/api/v1/rules");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("team-a:"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("team-b:"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("team-c"), std::string::npos) << r.body;
  YAML::Node listed = YAML::Load(r.body);
  EXPECT_TRUE(listed["odd: name"].IsSequence()) << r.body;
  EXPECT_EQ(listed["team-a"][0]["name"].as<std::string>(), "api-group");
  r = lode.Get("/loki/api/v1/rules/team-a/api-group");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("alert: Always"), std::string::npos) << r.body;
  EXPECT_EQ(lode.Get("/loki/api/v1/rules/team-a/nope").status, 404);

  // The groups are evaluated: the status API shows them, with the type filter.
  ASSERT_TRUE(WaitFor(10, [&] {
    return lode.Get("/prometheus/api/v1/rules").body.find("\"state\":\"firing\"") !=
           std::string::npos;
  })) << lode.Get("/prometheus/api/v1/rules").body;
  std::string alerts_only = lode.Get("/prometheus/api/v1/rules?type=alert").body;
  EXPECT_NE(alerts_only.find("Always"), std::string::npos);
  EXPECT_EQ(alerts_only.find("x:y"), std::string::npos);
  std::string records_only = lode.Get("/prometheus/api/v1/rules?type=record").body;
  EXPECT_NE(records_only.find("\"health\":\"ok\""), std::string::npos) << records_only;
  EXPECT_EQ(records_only.find("Always"), std::string::npos);
  EXPECT_EQ(lode.Get("/prometheus/api/v1/rules?type=bogus").status, 400);
  EXPECT_NE(lode.Get("/prometheus/api/v1/alerts").body.find("\"summary\":\"value 1\""),
            std::string::npos);

  // Deletes are durable too.
  EXPECT_EQ(HttpRequest(lode.port(), "DELETE", "/loki/api/v1/rules/team-a/api-group").status, 202);
  EXPECT_EQ(HttpRequest(lode.port(), "DELETE", "/api/prom/rules/team-b").status, 202);
  EXPECT_EQ(HttpRequest(lode.port(), "DELETE", "/api/prom/rules/team-b").status, 404);
  EXPECT_EQ(HttpRequest(lode.port(), "DELETE", "/api/prom/rules/" + Q("odd: name")).status, 202);
  lode.Kill9();
  ASSERT_TRUE(lode.Start());
  EXPECT_EQ(lode.Get("/loki/api/v1/rules").status, 404);
}

TEST(RulerE2ETest, PendingStateSurvivesRestart) {
  TempDir d;
  WriteFile(d.path + "/rules/fake/slow.yaml",
            "groups:\n  - name: slow\n    rules:\n      - alert: Slow\n        expr: vector(1) > "
            "0\n        for: 1h\n");
  WriteFile(d.path + "/lode.yaml", RulerConfig(d.path, ""));
  LodeProcess lode({"--config", d.path + "/lode.yaml"});
  ASSERT_TRUE(lode.Ready());
  std::string body;
  ASSERT_TRUE(WaitFor(10, [&] {
    body = lode.Get("/prometheus/api/v1/alerts").body;
    return body.find("\"state\":\"pending\"") != std::string::npos;
  })) << body;
  size_t at = body.find("\"activeAt\":\"");
  ASSERT_NE(at, std::string::npos);
  std::string active_at = body.substr(at, 40);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  lode.Kill9();
  ASSERT_TRUE(lode.Start());
  ASSERT_TRUE(WaitFor(10, [&] {
    body = lode.Get("/prometheus/api/v1/alerts").body;
    return body.find("\"state\":\"pending\"") != std::string::npos;
  })) << body;
  EXPECT_NE(body.find(active_at), std::string::npos)
      << "activeAt changed across the restart: " << active_at << " vs " << body;
}

// What Grafana's alerting pages send to a Loki data source with
// manageAlerts (through its lotex proxy: ruler at /api/prom/rules, status at
// /prometheus/api/v1/rules), with auth on: tenants are kept apart.
TEST(RulerE2ETest, GrafanaAlertingSequence) {
  TempDir d;
  WriteFile(d.path + "/lode.yaml", "auth_enabled: true\n" + RulerConfig(d.path, ""));
  LodeProcess lode({"--config", d.path + "/lode.yaml"});
  ASSERT_TRUE(lode.Ready());
  std::map<std::string, std::string> a = {{"X-Scope-OrgID", "team-a"}},
                                     b = {{"X-Scope-OrgID", "team-b"}};
  EXPECT_EQ(lode.Get("/api/prom/rules").status, 401);
  HttpResult r = lode.Get("/api/prom/rules?subtype=cortex", a);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "no rule groups found\n");
  r = lode.Get("/prometheus/api/v1/rules", a);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"data\":{\"groups\":[]},\"status\":\"success\"}");
  // Grafana's rule editor posts the group as Go's yaml.Marshal writes it.
  const std::string posted =
      "name: grafana-group\ninterval: 1s\nrules:\n    - alert: FromGrafana\n"
      "      expr: sum(count_over_time({app=\"x\"}[1m])) >= 0 or vector(1)\n      for: 0s\n"
      "      labels:\n        team: a\n      annotations:\n        summary: hello {{ $value }}\n";
  r = HttpRequest(lode.port(), "POST", "/api/prom/rules/grafana-ns", posted,
                  {{"X-Scope-OrgID", "team-a"}, {"Content-Type", "application/yaml"}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.body, "{\"status\":\"success\",\"data\":null,\"errorType\":\"\",\"error\":\"\"}");
  r = lode.Get("/api/prom/rules/grafana-ns/grafana-group", a);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("alert: FromGrafana"), std::string::npos) << r.body;
  EXPECT_EQ(lode.Get("/api/prom/rules", b).status, 404);  // team-b sees nothing
  std::string status;
  ASSERT_TRUE(WaitFor(10, [&] {
    status = lode.Get("/prometheus/api/v1/rules", a).body;
    return status.find("\"state\":\"firing\"") != std::string::npos;
  })) << status;
  EXPECT_NE(status.find("\"name\":\"grafana-group\""), std::string::npos);
  EXPECT_NE(status.find("\"file\":\"grafana-ns\""), std::string::npos);
  EXPECT_NE(status.find("\"type\":\"alerting\""), std::string::npos);
  EXPECT_NE(status.find("\"health\":\"ok\""), std::string::npos);
  EXPECT_NE(status.find("\"summary\":\"hello 1\""), std::string::npos) << status;
  EXPECT_EQ(lode.Get("/prometheus/api/v1/rules", b).body.find("grafana-group"), std::string::npos);
  EXPECT_NE(lode.Get("/prometheus/api/v1/alerts", a).body.find("FromGrafana"), std::string::npos);
  EXPECT_EQ(
      HttpRequest(lode.port(), "DELETE", "/api/prom/rules/grafana-ns/grafana-group", "", a).status,
      202);
  EXPECT_EQ(lode.Get("/api/prom/rules", a).status, 404);
}

std::string RunCmd(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  *rc = WEXITSTATUS(st);
  return out;
}

TEST(RulerE2ETest, RulesCheckAndBadFileAtStart) {
  TempDir d;
  WriteFile(d.path + "/good.yaml", kRules);
  WriteFile(d.path + "/bad.yaml",
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: 'rate({a=\"b\"}'\n");
  int rc;
  std::string out = RunCmd(std::string(LODE_BINARY) + " rules check " + d.path + "/good.yaml", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("good.yaml: SUCCESS: 1 groups, 2 rules found"), std::string::npos) << out;
  out = RunCmd(
      std::string(LODE_BINARY) + " rules check " + d.path + "/good.yaml " + d.path + "/bad.yaml",
      &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("bad.yaml: group \"g\", rule \"A\": could not parse expression: parse error"),
            std::string::npos)
      << out;
  // The example rules shipped in grafana/rules/ are valid.
  out = RunCmd(std::string(LODE_BINARY) + " rules check " LODE_SOURCE_DIR "/grafana/rules/*.yaml",
               &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("SUCCESS"), std::string::npos) << out;
  // lode refuses to start with a bad rule file, naming it.
  WriteFile(d.path + "/rules/fake/bad.yaml",
            "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: '{a=\"b\"}'\n");
  WriteFile(d.path + "/lode.yaml", RulerConfig(d.path, ""));
  out = RunCmd(std::string(LODE_BINARY) + " --config " + d.path + "/lode.yaml --data-dir " +
                   d.path + "/db --listen 127.0.0.1:0",
               &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("bad.yaml: group \"g\", rule \"r\": expression must be a metric query"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace lode::testing

#include "server/config.h"

namespace lode::server {
namespace {

TEST(RulerConfigTest, LokiKeysAndErrors) {
  Config c;
  ASSERT_TRUE(ApplyConfigYaml(
                  "ruler:\n  storage:\n    type: local\n    local:\n      directory: /r\n"
                  "  rule_path: /s\n  alertmanager_url: 'http://a:9093, http://b:9093'\n"
                  "  evaluation_interval: 15s\n  resend_delay: 2m\n  external_url: http://g:3000\n"
                  "  remote_write:\n    enabled: true\n    client:\n      url: "
                  "http://p:9090/api/v1/write\n",
                  &c)
                  .ok());
  EXPECT_TRUE(c.ruler.Enabled());
  EXPECT_EQ(c.ruler.directory, "/r");
  EXPECT_EQ(c.ruler.rule_path, "/s");
  ASSERT_EQ(c.ruler.alertmanager_urls.size(), 2u);
  EXPECT_EQ(c.ruler.alertmanager_urls[1], "http://b:9093");
  EXPECT_EQ(c.ruler.evaluation_interval_ns, 15LL * 1000000000);
  EXPECT_EQ(c.ruler.resend_delay_ns, 120LL * 1000000000);
  EXPECT_TRUE(c.ruler.remote_write_enabled);
  EXPECT_EQ(c.ruler.remote_write_url, "http://p:9090/api/v1/write");
  EXPECT_NE(ConfigToYaml(c).find("alertmanager_url: http://a:9093,http://b:9093"),
            std::string::npos);
  Config d;
  EXPECT_FALSE(d.ruler.Enabled());  // off by default
  EXPECT_EQ(ApplyConfigYaml("ruler:\n  storage:\n    type: s3\n", &d).message(),
            "config: ruler.storage.type: only \"local\" is supported, got \"s3\"");
  EXPECT_EQ(ApplyConfigYaml("ruler:\n  evaluation_interval: 0s\n", &d).message(),
            "config: ruler.evaluation_interval: invalid duration \"0s\"");
  EXPECT_EQ(ApplyConfigYaml("ruler:\n  alertmanager_url: https://x\n", &d).message(),
            "config: ruler.alertmanager_url: invalid URL (plain http:// only) \"https://x\"");
  EXPECT_EQ(ApplyConfigYaml("ruler:\n  bogus: 1\n", &d).message(),
            "config: unknown key \"ruler.bogus\"");
  Config e;
  ASSERT_TRUE(ApplyConfigYaml("ruler:\n  remote_write:\n    enabled: true\n", &e).ok());
  EXPECT_EQ(ValidateRulerConfig(e.ruler).message(),
            "config: ruler.remote_write.enabled needs ruler.remote_write.client.url");
}

}  // namespace
}  // namespace lode::server
