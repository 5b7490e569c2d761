// End-to-end tests of `lode agent`: the agent and its target are real
// processes (build/lode twice; Grafana Loki 2.7.5 from ../shared/anchors in
// AgentLoki.*), and every check reads what the target stored.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/collector/collector_harness.h"

namespace lode::testing {
namespace {

std::string Sources() {
  return "log_sources:\n  - name: app\n    path: logs\n    labels: {job: app}\n"
         "    labels_from_path: '(?P<service>[^/]+)\\.log$'\n";
}

std::string PushUrl(int port) {
  return "http://127.0.0.1:" + std::to_string(port) + "/loki/api/v1/push";
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A running agent: `lode agent` on a free port (its /metrics and /ready),
// with its buffer in its own temporary directory.
LodeProcess Agent(const TempDir& d, int target_port, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"agent", "--log-sources", d / "log-sources.yml", "--push-url",
                                   PushUrl(target_port)};
  args.insert(args.end(), extra.begin(), extra.end());
  return LodeProcess(args);
}

// Every line of {job="app"} in the target, in time order, via several
// queries (lode answers at most 5000 entries per query).
std::vector<std::string> AllLines(LodeProcess& target, const std::string& query = "{job=\"app\"}") {
  std::vector<std::string> out;
  for (auto& e : QueryEntries(target, query, 5000)) out.push_back(e.line);
  return out;
}

// Sorted numbers n=... and the count of duplicates among them.
std::vector<int> Distinct(const std::vector<int>& v, size_t* dups) {
  std::set<int> s(v.begin(), v.end());
  *dups = v.size() - s.size();
  return std::vector<int>(s.begin(), s.end());
}

TEST(AgentE2E, LinesArriveExactlyAsWrittenWithLabels) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  WriteFile(d / "agent.yaml", "agent:\n  external_labels: {host: web-1, job: ignored}\n");
  std::string long_line(20000, 'x');
  std::vector<std::string> lines = {"first line", "tabs\tand \"quotes\" and \\backslashes",
                                    "unicode: grüße 日本語 🚀", long_line, "  leading spaces"};
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  WriteFile(d / "logs/web.log", text);
  LodeProcess target;
  ASSERT_TRUE(target.Ready());
  LodeProcess agent = Agent(d, target.port(), {"--config", d / "agent.yaml"});
  ASSERT_TRUE(agent.Ready()) << ReadAll(agent.data_dir() + "/lode.log");
  ASSERT_TRUE(WaitFor([&] { return AllLines(target).size() == lines.size(); }))
      << ReadAll(agent.data_dir() + "/lode.log");
  auto e = QueryEntries(target, "{job=\"app\"}");
  ASSERT_EQ(e.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(e[i].line, lines[i]);
    EXPECT_EQ(e[i].labels["service"], "web");
    EXPECT_EQ(e[i].labels["job"], "app");  // the stream's own label wins
    EXPECT_EQ(e[i].labels["host"], "web-1");
    EXPECT_EQ(e[i].labels["filename"], d / "logs/web.log");
  }
  // Appended lines follow within about batch_wait.
  auto t0 = std::chrono::steady_clock::now();
  AppendFile(d / "logs/web.log", "appended\n");
  ASSERT_TRUE(WaitFor([&] { return AllLines(target).size() == lines.size() + 1; }, 5000));
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(ms, 2500) << "batch_wait is 1s";
  EXPECT_EQ(Metric(agent, "lode_agent_acked_lines_total"), lines.size() + 1);
  EXPECT_EQ(Metric(agent, "lode_agent_buffer_bytes"), 0);
  EXPECT_NE(agent.Get("/metrics").body.find("lode_collector_"), std::string::npos);
}

TEST(AgentE2E, TenantIsSentAsOrgId) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  WriteFile(d / "lode.yaml", "auth_enabled: true\n");
  WriteFile(d / "logs/a.log", "for team-a\n");
  LodeProcess target({"--config", d / "lode.yaml"});
  ASSERT_TRUE(target.Ready());
  LodeProcess agent = Agent(d, target.port(), {"--tenant", "team-a"});
  ASSERT_TRUE(agent.Ready());
  auto count = [&](const std::string& tenant) {
    auto r = target.Get("/loki/api/v1/query_range?query=" + Q("{job=\"app\"}") + "&since=1h",
                        {{"X-Scope-OrgID", tenant}});
    return r.body.find("for team-a") != std::string::npos;
  };
  ASSERT_TRUE(WaitFor([&] { return count("team-a"); }));
  EXPECT_FALSE(count("team-b"));
}

TEST(AgentE2E, TargetOutageLosesNothing) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  WriteFile(d / "agent.yaml", "agent:\n  min_backoff: 100ms\n  max_backoff: 1s\n");
  WriteFile(d / "logs/svc.log", NumberedLines("svc", 0, 100));
  LodeProcess target;
  ASSERT_TRUE(target.Ready());
  LodeProcess agent = Agent(d, target.port(), {"--config", d / "agent.yaml"});
  ASSERT_TRUE(agent.Ready());
  ASSERT_TRUE(WaitFor([&] { return AllLines(target).size() == 100; }));
  // The target dies (kill -9); the files keep growing for a while.
  target.Kill9();
  for (int i = 1; i < 20; ++i) {
    AppendFile(d / "logs/svc.log", NumberedLines("svc", i * 100, i * 100 + 100));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  ASSERT_TRUE(WaitFor([&] { return Metric(agent, "lode_agent_retries_total") > 0; }));
  EXPECT_GT(Metric(agent, "lode_agent_buffer_bytes"), 0);
  // The agent itself restarts during the outage: its buffer is on disk.
  agent.Stop();
  ASSERT_TRUE(agent.Start());
  AppendFile(d / "logs/svc.log", NumberedLines("svc", 2000, 2100));
  ASSERT_TRUE(target.Start());
  ASSERT_TRUE(WaitFor([&] { return AllLines(target).size() >= 2100; }, 30000))
      << AllLines(target).size() << " lines\n"
      << ReadAll(agent.data_dir() + "/lode.log");
  size_t dups;
  EXPECT_EQ(Distinct(Numbers(AllLines(target)), &dups), Range(0, 2100));
  EXPECT_EQ(dups, 0u);
  EXPECT_EQ(Numbers(AllLines(target)), Range(0, 2100)) << "in order";
  EXPECT_TRUE(WaitFor([&] { return Metric(agent, "lode_agent_buffer_bytes") == 0; }));
  EXPECT_NE(ReadAll(agent.data_dir() + "/lode.log").find("retrying"), std::string::npos);
}

TEST(AgentE2E, Kill9OfTheAgentWhileShippingLosesNothing) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  WriteFile(d / "logs/a.log", "");
  WriteFile(d / "logs/b.log", "");
  // Small segments (buffer_max_bytes / 8, here 128 KiB): the journal
  // rotates and deletes segments many times during the test.
  WriteFile(d / "agent.yaml", "agent:\n  buffer_max_bytes: 1MiB\n");
  LodeProcess target;
  ASSERT_TRUE(target.Ready());
  LodeProcess agent = Agent(d, target.port(), {"--config", d / "agent.yaml"});
  ASSERT_TRUE(agent.Ready());
  std::atomic<bool> done{false};
  const int kLines = 2000;  // per file
  std::thread writer([&] {
    std::string pad(100, '-');
    for (int i = 0; i < kLines; i += 20) {
      std::string a, b;
      for (int k = i; k < i + 20; ++k) {
        a += "a n=" + std::to_string(k) + " " + pad + "\n";
        b += "b n=" + std::to_string(k) + " " + pad + "\n";
      }
      AppendFile(d / "logs/a.log", a);
      AppendFile(d / "logs/b.log", b);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    done = true;
  });
  for (int k = 0; k < 4; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + 150 * k));
    agent.Kill9();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(agent.Start());
  }
  writer.join();
  for (const char* s : {"a", "b"}) {
    std::string q = "{service=\"" + std::string(s) + "\"}";
    ASSERT_TRUE(WaitFor(
        [&] {
          size_t dups;
          return Distinct(Numbers(AllLines(target, q)), &dups).size() == kLines;
        },
        30000))
        << s << ": " << AllLines(target, q).size() << " lines\n"
        << ReadAll(agent.data_dir() + "/lode.log");
    size_t dups;
    EXPECT_EQ(Distinct(Numbers(AllLines(target, q)), &dups), Range(0, kLines));
    // At least once: lines read but not yet committed to the buffer when the
    // agent died are read again (new read-time timestamps: visible twice).
    printf("[ agent ] %s: %zu duplicates after 4 kill -9\n", s, dups);
  }
  // Segments were deleted (their positions folded into the state file).
  EXPECT_TRUE(std::filesystem::exists(agent.data_dir() + "/db/state"));
}

TEST(AgentE2E, RejectedPushIsLoggedDroppedAndCounted) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  WriteFile(d / "lode.yaml", "limits_config:\n  max_line_size: 1KB\n");
  LodeProcess target({"--config", d / "lode.yaml"});
  ASSERT_TRUE(target.Ready());
  WriteFile(d / "logs/a.log", "before\n");
  LodeProcess agent = Agent(d, target.port());
  ASSERT_TRUE(agent.Ready());
  ASSERT_TRUE(WaitFor([&] { return AllLines(target).size() == 1; }));
  AppendFile(d / "logs/a.log", std::string(4000, 'y') + "\n");
  ASSERT_TRUE(WaitFor([&] {
    return Metric(agent, "lode_agent_dropped_lines_total{reason=\"rejected\"}") == 1;
  })) << agent.Get("/metrics").body;
  std::string log = ReadAll(agent.data_dir() + "/lode.log");
  EXPECT_NE(log.find("rejected, dropped"), std::string::npos) << log;
  EXPECT_NE(log.find("HTTP 400"), std::string::npos) << log;
  EXPECT_NE(log.find("Max entry size '1000' bytes exceeded"), std::string::npos)
      << "the server's message\n"
      << log;
  EXPECT_EQ(Metric(agent, "lode_agent_retries_total"), 0);
  // Shipping goes on.
  AppendFile(d / "logs/a.log", "after\n");
  ASSERT_TRUE(WaitFor([&] { return AllLines(target).size() == 2; }));
  EXPECT_EQ(AllLines(target), (std::vector<std::string>{"before", "after"}));
}

TEST(AgentE2E, FullBufferDropsTheOldestAndSaysWhat) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  WriteFile(d / "agent.yaml",
            "agent:\n  buffer_max_bytes: 20KiB\n  min_backoff: 100ms\n  max_backoff: 200ms\n");
  LodeProcess target;
  ASSERT_TRUE(target.Ready());
  target.Stop();  // down from the start
  WriteFile(d / "logs/a.log", "");
  LodeProcess agent = Agent(d, target.port(), {"--config", d / "agent.yaml"});
  ASSERT_TRUE(agent.Ready());
  // 20 batches of 50 lines of ~100 bytes: about 100 KB, five times the bound.
  std::string pad(90, '.');
  for (int b = 0; b < 20; ++b) {
    std::string s;
    for (int i = b * 50; i < b * 50 + 50; ++i) s += "a n=" + std::to_string(i) + " " + pad + "\n";
    AppendFile(d / "logs/a.log", s);
    int want = b * 50 + 50;
    ASSERT_TRUE(WaitFor([&] {
      auto j = nlohmann::json::parse(agent.Get("/collector/status").body, nullptr, false);
      return !j.is_discarded() && j["sources"][0]["lines_read"].get<int>() == want;
    }));
  }
  ASSERT_TRUE(WaitFor(
      [&] { return Metric(agent, "lode_agent_dropped_lines_total{reason=\"buffer_full\"}") > 0; }));
  EXPECT_LE(Metric(agent, "lode_agent_buffer_bytes"), 20 * 1024);
  // On disk: the bound plus at most one segment (64 KiB at this size).
  uint64_t disk = 0;
  for (const auto& e : std::filesystem::directory_iterator(agent.data_dir() + "/db/journal"))
    disk += e.file_size();
  EXPECT_LE(disk, 20u * 1024 + 64 * 1024 + 4096);
  std::string log = ReadAll(agent.data_dir() + "/lode.log");
  EXPECT_NE(log.find("buffer_max_bytes (20480) exceeded"), std::string::npos) << log;
  EXPECT_NE(log.find("dropped the oldest"), std::string::npos) << log;
  EXPECT_NE(log.find("{filename=\"" + (d / "logs/a.log")), std::string::npos) << log;
  ASSERT_TRUE(target.Start());
  double dropped = Metric(agent, "lode_agent_dropped_lines_total{reason=\"buffer_full\"}");
  ASSERT_TRUE(WaitFor([&] { return Metric(agent, "lode_agent_buffer_bytes") == 0; }, 20000));
  auto n = Numbers(AllLines(target));
  ASSERT_FALSE(n.empty());
  // The newest arrived, the oldest were dropped, nothing in between is missing.
  EXPECT_EQ(n.back(), 999);
  EXPECT_EQ(n, Range(n.front(), 1000));
  EXPECT_GT(n.front(), 0);
  EXPECT_EQ(static_cast<double>(n.front()), dropped) << "dropped exactly the lines before";
}

// ---- Grafana Loki 2.7.5 as the target (../shared/anchors) ----

struct Loki {
  int pid = -1;
  int port = 0;
  std::string bin, config, log;
  bool Start() {
    pid = fork();
    if (pid == 0) {
      FILE* f = freopen(log.c_str(), "a", stderr);
      f = freopen(log.c_str(), "a", stdout);
      (void)f;
      execl(bin.c_str(), bin.c_str(), ("-config.file=" + config).c_str(), nullptr);
      _exit(127);
    }
    return WaitFor([&] { return HttpRequest(port, "GET", "/ready").status == 200; }, 90000);
  }
  void Stop(int sig = SIGTERM) {
    if (pid <= 0) return;
    kill(pid, sig);
    int st;
    waitpid(pid, &st, 0);
    pid = -1;
  }
  std::vector<std::string> Lines(const std::string& query) {
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    auto r = HttpRequest(
        port, "GET",
        "/loki/api/v1/query_range?query=" + Q(query) +
            "&limit=5000&direction=forward&start=" + std::to_string(now - 3600LL * 1000000000) +
            "&end=" + std::to_string(now + 60LL * 1000000000));
    std::vector<std::pair<int64_t, std::string>> v;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.contains("data")) return {};
    for (const auto& s : j["data"]["result"]) {
      for (const auto& e : s["values"])
        v.push_back({std::stoll(e[0].get<std::string>()), e[1].get<std::string>()});
    }
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (auto& [ts, l] : v) out.push_back(l);
    return out;
  }
  ~Loki() { Stop(); }
};

int FreePort() {
  // A port lode would pick: start nothing, bind 0 and release.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(AgentLoki, ShipsToLokiAndSurvivesItsOutage) {
  std::string anchors = std::string(LODE_SOURCE_DIR) + "/../shared/anchors";
  if (!std::filesystem::exists(anchors + "/loki.xz")) GTEST_SKIP() << "../shared/anchors missing";
  if (system("command -v xz >/dev/null 2>&1") != 0) GTEST_SKIP() << "xz (xz-utils) missing";
  std::string bin_dir = std::filesystem::path(LODE_BINARY).parent_path().string() + "/anchors";
  FILE* p = popen((anchors + "/unpack.sh " + bin_dir).c_str(), "r");
  char buf[4096];
  std::string dir;
  while (fgets(buf, sizeof buf, p)) dir += buf;
  ASSERT_EQ(pclose(p), 0);
  while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) dir.pop_back();
  TempDir d;
  Loki loki;
  loki.port = FreePort();
  int grpc = FreePort();
  loki.bin = dir + "/loki";
  loki.config = d / "loki.yaml";
  loki.log = d / "loki.log";
  std::string cfg = ReadAll(anchors + "/loki-2.7.5.yaml");
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t pos; (pos = cfg.find(from)) != std::string::npos;)
      cfg.replace(pos, from.size(), to);
  };
  replace("LOKI_DATA_DIR", d / "loki-data");
  replace("3101", std::to_string(loki.port));
  replace("9096", std::to_string(grpc));
  WriteFile(loki.config, cfg);
  ASSERT_TRUE(loki.Start()) << ReadAll(loki.log);
  WriteFile(d / "log-sources.yml", Sources());
  WriteFile(d / "agent.yaml", "agent:\n  min_backoff: 200ms\n  max_backoff: 2s\n");
  WriteFile(d / "logs/svc.log", NumberedLines("svc", 0, 200));
  LodeProcess agent = Agent(d, loki.port, {"--config", d / "agent.yaml"});
  ASSERT_TRUE(agent.Ready());
  ASSERT_TRUE(WaitFor([&] { return loki.Lines("{job=\"app\"}").size() == 200; }, 30000))
      << ReadAll(agent.data_dir() + "/lode.log");
  EXPECT_EQ(Numbers(loki.Lines("{service=\"svc\", job=\"app\"}")), Range(0, 200));
  // Loki goes away; lines keep coming; Loki returns.
  loki.Stop();
  for (int i = 1; i < 10; ++i) {
    AppendFile(d / "logs/svc.log", NumberedLines("svc", i * 200, i * 200 + 200));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_TRUE(WaitFor([&] { return Metric(agent, "lode_agent_retries_total") > 0; }));
  ASSERT_TRUE(loki.Start()) << ReadAll(loki.log);
  ASSERT_TRUE(WaitFor([&] { return loki.Lines("{job=\"app\"}").size() >= 2000; }, 60000))
      << loki.Lines("{job=\"app\"}").size() << "\n"
      << ReadAll(agent.data_dir() + "/lode.log");
  size_t dups;
  EXPECT_EQ(Distinct(Numbers(loki.Lines("{job=\"app\"}")), &dups), Range(0, 2000));
  EXPECT_EQ(dups, 0u);
}

}  // namespace
}  // namespace lode::testing
