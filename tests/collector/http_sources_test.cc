// log_sources_http: sources published over HTTP appear and disappear without
// a restart; an unreachable URL keeps its last answer and is reported.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "tests/collector/collector_harness.h"

namespace lode::testing {
namespace {

int FreeTcpPort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(s);
  return port;
}

// python3 -m http.server serving `dir` (the test's stand-in for an
// application that publishes its sources).
class StaticServer {
 public:
  StaticServer(const std::string& dir, int port) {
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = freopen("/dev/null", "w", stderr);
      FILE* g = freopen("/dev/null", "w", stdout);
      (void)f;
      (void)g;
      std::string p = std::to_string(port);
      execlp("python3", "python3", "-m", "http.server", p.c_str(), "--bind", "127.0.0.1",
             "--directory", dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~StaticServer() { Stop(); }
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

 private:
  int pid_ = -1;
};

std::string Source(const std::string& name, const std::string& dir) {
  return "{\"name\": \"" + name + "\", \"type\": \"file\", \"path\": \"" + dir +
         "\", \"labels\": {\"job\": \"" + name + "\"}, \"patterns\": [\"*.log\"]}";
}

TEST(CollectorHttpSources, AppearDisappearAndSurviveAnUnreachableUrl) {
  if (system("python3 -c 'import http.server' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3 missing";
  TempDir d;
  int port = FreeTcpPort();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/sources.json";
  WriteFile(d / "www/sources.json", "[" + Source("h1", d / "logs1") + "]");
  WriteFile(d / "logs1/a.log", "h1 line\n");
  WriteFile(d / "logs2/b.log", "h2 line\n");
  WriteFile(d / "lode.yaml",
            "log_sources_http: [\"" + url + "\"]\ncollector:\n  refresh_interval: 1s\n");
  StaticServer server(d / "www", port);
  ASSERT_TRUE(WaitFor([&] { return HttpRequest(port, "GET", "/sources.json").status == 200; }));
  LodeProcess lode({"--config", d / "lode.yaml"});
  ASSERT_TRUE(lode.Ready());
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"h1\"}").size() == 1; }));
  EXPECT_EQ(Metric(lode, "lode_collector_http_source_up{url=\"" + url + "\"}"), 1);
  // The application now publishes h2 instead of h1.
  WriteFile(d / "www/sources.json", "[" + Source("h2", d / "logs2") + "]");
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"h2\"}").size() == 1; }));
  ASSERT_TRUE(WaitFor([&] { return Status(lode)["sources"].size() == 1; }));
  EXPECT_EQ(Status(lode)["sources"][0]["name"], "h2");
  AppendFile(d / "logs1/a.log", "h1 after its source was removed\n");
  // Unreachable: the last answer stays in force and the URL is reported down.
  server.Stop();
  ASSERT_TRUE(WaitFor(
      [&] { return Metric(lode, "lode_collector_http_source_up{url=\"" + url + "\"}") == 0; }));
  AppendFile(d / "logs2/b.log", "h2 while the URL is down\n");
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"h2\"}").size() == 2; }));
  EXPECT_EQ(QueryLines(lode, "{job=\"h1\"}").size(), 1u);
  auto st = Status(lode);
  ASSERT_EQ(st["http_sources"].size(), 1u);
  EXPECT_NE(st["http_sources"][0]["error"].get<std::string>(), "");
}

}  // namespace
}  // namespace lode::testing
