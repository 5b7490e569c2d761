// Docker containers end to end: a real dockerd started by the test (see
// docker_harness.h), build/lode with a docker source pointing at its socket,
// containers writing numbered lines to stdout and stderr, a restarted
// container, a TTY container, a removed and recreated one, and lode killed
// with SIGKILL and stopped in the middle. Checks what lode stored, with which
// labels, exactly once.
//
// The CTest entry docker_e2e runs these with LODE_DOCKER_E2E=1: where dockerd
// cannot start the binary prints why and exits 77 (skipped). Without the
// variable (a plain run of collector_test) they skip themselves.
#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "tests/collector/collector_harness.h"
#include "tests/collector/docker_harness.h"

namespace lode::testing {
namespace {

Dockerd* g_dockerd = nullptr;

// Where dockerd cannot run: skipped (exit 77) under the docker_e2e CTest
// entry, a failure otherwise.
[[noreturn]] void NoDocker(const std::string& why) {
  std::cout << "SKIPPED: cannot run dockerd here: " << why << std::endl;
  if (g_dockerd) {
    g_dockerd->Stop();
    std::error_code ec;
    std::filesystem::remove_all(g_dockerd->dir(), ec);
  }
  std::_Exit(77);
}

// The suite's daemon, started (with the busybox image) on first use; null
// with *why when it cannot start.
Dockerd* Daemon(bool start, std::string* why = nullptr) {
  static Dockerd d;
  static bool imported = false;
  g_dockerd = &d;
  if (!start) return &d;
  std::string w;
  if (!d.Start(&w) || (!imported && !(imported = d.ImportBusybox(&w)))) {
    if (why) *why = w;
    return nullptr;
  }
  return &d;
}

class DockerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!getenv("LODE_DOCKER_E2E")) GTEST_SKIP() << "run by the docker_e2e CTest entry";
  }
  static void TearDownTestSuite() {
    if (g_dockerd) g_dockerd->Stop();
  }
};

std::string Config(const std::string& host, const std::string& extra = "") {
  return "docker_sources:\n  - name: dk\n    host: " + host +
         "\n    refresh: 2s\n    labels: {env: e2e}\n"
         "    labels_from_container_labels: {app: org.example.app}\n" +
         extra;
}

std::string RunContainer(Dockerd* d, const std::string& args) {
  bool ok = false;
  std::string id = d->Docker("run -d --network none " + args, &ok);
  EXPECT_TRUE(ok) << args << ": " << d->LastError();
  return id;
}

size_t Count(LodeProcess& lode, const std::string& q) { return QueryLines(lode, q).size(); }

TEST_F(DockerE2E, MissingSocketIsReportedThenDockerdAppears) {
  Dockerd* d = Daemon(false);
  TempDir t;
  WriteFile(t / "lode.yaml",
            Config(d->host(), "    multiline: {firstline: '^\\S', max_wait: 1s}\n"));
  LodeProcess lode({"--config", t / "lode.yaml"});
  ASSERT_TRUE(lode.Ready()) << "lode must start without dockerd";
  std::string err;
  EXPECT_TRUE(WaitFor([&] {
    auto s = Status(lode);
    if (!s.contains("docker_sources") || s["docker_sources"].empty()) return false;
    err = s["docker_sources"][0]["last_error"].get<std::string>();
    return !s["docker_sources"][0]["connected"].get<bool>() && !err.empty();
  }));
  EXPECT_NE(err.find("cannot connect to the Docker daemon at " + d->host()), std::string::npos)
      << err;
  EXPECT_NE(err.find("no such socket"), std::string::npos) << err;
  EXPECT_EQ(Metric(lode, "lode_collector_docker_up{source=\"dk\"}"), 0);
  EXPECT_GE(Metric(lode, "lode_collector_errors_total{source=\"dk\"}"), 1);

  std::string why;
  if (!Daemon(true, &why)) {
    lode.Stop();
    NoDocker(why);
  }
  RunContainer(d,
               "--name late --label com.docker.compose.service=worker lode-busybox:test sh -c "
               "'printf \"late hello\\n  at frame1\\n  at frame2\\n\"; echo late oops >&2; "
               "head -c 40000 /dev/zero | tr \"\\0\" x; echo; sleep 3600'");
  // A traceback as one entry (multiline), a 40000-byte line that Docker
  // split at 16 KiB joined again, and the stderr line.
  EXPECT_TRUE(WaitFor([&] { return Count(lode, "{container=\"late\"}") == 3; }, 30000))
      << Status(lode).dump();
  auto late = QueryEntries(lode, "{container=\"late\"}");
  std::set<std::string> lines;
  for (const auto& e : late) lines.insert(e.labels.at("stream") + " " + e.line);
  EXPECT_TRUE(lines.count("stdout late hello\n  at frame1\n  at frame2"));
  EXPECT_TRUE(lines.count("stderr late oops"));
  EXPECT_TRUE(lines.count("stdout " + std::string(40000, 'x')));
  auto s = Status(lode);
  EXPECT_TRUE(s["docker_sources"][0]["connected"].get<bool>()) << s.dump();
  EXPECT_EQ(s["docker_sources"][0]["last_error"], "");
  EXPECT_EQ(Metric(lode, "lode_collector_docker_up{source=\"dk\"}"), 1);

  // dockerd goes away and comes back: reported, then reconnected.
  d->Stop();
  EXPECT_TRUE(WaitFor([&] {
    auto st = Status(lode);
    return !st["docker_sources"][0]["connected"].get<bool>() &&
           !st["docker_sources"][0]["last_error"].get<std::string>().empty();
  }));
  ASSERT_NE(Daemon(true, &why), nullptr) << why;
  RunContainer(d, "--name again lode-busybox:test sh -c 'echo back again; sleep 3600'");
  EXPECT_TRUE(WaitFor([&] { return Count(lode, "{container=\"again\"}") == 1; }, 30000))
      << Status(lode).dump();
  EXPECT_TRUE(Status(lode)["docker_sources"][0]["connected"].get<bool>());
  d->Docker("rm -f again");
}

// Numbered lines: "<tag> run=R n=N" on stdout and "<tag> ERROR run=R n=N" on
// stderr; R counts the container's runs (a file in its own filesystem).
std::string Script(const std::string& tag, int lines) {
  return "sh -c 'r=$(cat /tmp/runs 2>/dev/null || echo 0); r=$((r+1)); echo $r > /tmp/runs; "
         "i=0; while [ $i -lt " +
         std::to_string(lines) + " ]; do echo \"" + tag + " run=$r n=$i\"; echo \"" + tag +
         " ERROR run=$r n=$i\" >&2; i=$((i+1)); if [ $((i % 25)) -eq 0 ]; then sleep 0.1; fi; "
         "done; echo \"" +
         tag + " done run=$r\"; sleep 3600'";
}

TEST_F(DockerE2E, ExactlyOnceAcrossRestartsWithComposeLabels) {
  std::string why;
  Dockerd* d = Daemon(true, &why);
  if (!d) NoDocker(why);
  TempDir t;
  WriteFile(t / "lode.yaml", Config(d->host()));
  LodeProcess lode({"--config", t / "lode.yaml"});
  ASSERT_TRUE(lode.Ready());
  constexpr int kLines = 300;
  RunContainer(
      d,
      "--name pg --label com.docker.compose.service=postgres "
      "--label com.docker.compose.project=aixcl --label org.example.app=db lode-busybox:test " +
          Script("pg", kLines));
  // A TTY container (raw stream, CRLF) that exits, and one that is removed and
  // recreated under the same name (a new id starts at its beginning).
  RunContainer(d,
               "-t --name web --label com.docker.compose.service=web "
               "--label com.docker.compose.project=aixcl lode-busybox:test "
               "sh -c 'i=0; while [ $i -lt 100 ]; do echo \"web n=$i\"; i=$((i+1)); done'");
  RunContainer(d, "--name job -e G=1 lode-busybox:test sh -c 'echo \"job gen=$G\"; sleep 3600'");

  // SIGKILL while pg writes its first run.
  ASSERT_TRUE(WaitFor([&] { return Count(lode, "{container=\"pg\"}") >= 100; }, 30000))
      << Status(lode).dump();
  lode.Kill9();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(lode.Start());
  ASSERT_TRUE(
      WaitFor([&] { return Count(lode, "{container=\"pg\"} |= \"pg done run=1\"") == 1; }, 30000));
  bool ok = false;
  d->Docker("restart -t 1 pg", &ok);
  ASSERT_TRUE(ok) << d->LastError();
  d->Docker("rm -f job");
  RunContainer(d, "--name job -e G=2 lode-busybox:test sh -c 'echo \"job gen=$G\"; sleep 3600'");
  // A clean stop while the second run writes.
  ASSERT_TRUE(WaitFor([&] { return Count(lode, "{container=\"pg\"} |= \"run=2\"") >= 50; }, 30000))
      << Status(lode).dump();
  const int64_t stopped_at = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  lode.Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(lode.Start());

  const size_t want_pg = 2 * (2 * kLines + 1);
  EXPECT_TRUE(WaitFor([&] { return Count(lode, "{container=\"pg\"}") >= want_pg; }, 40000));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // anything extra would show now

  // Exactly once: every (stream, run, n) of pg once, with the labels.
  auto pg = QueryEntries(lode, "{container=\"pg\"}");
  EXPECT_EQ(pg.size(), want_pg);
  std::map<std::string, int> seen;
  for (const auto& e : pg) {
    ++seen[e.labels.at("stream") + " " + e.line];
    EXPECT_EQ(e.labels.at("compose_service"), "postgres");
    EXPECT_EQ(e.labels.at("compose_project"), "aixcl");
    EXPECT_EQ(e.labels.at("env"), "e2e");
    EXPECT_EQ(e.labels.at("app"), "db");
    EXPECT_EQ(e.labels.size(), 6u);
  }
  for (int run = 1; run <= 2; ++run) {
    for (int n = 0; n < kLines; ++n) {
      std::string rn = "run=" + std::to_string(run) + " n=" + std::to_string(n);
      EXPECT_EQ(seen["stdout pg " + rn], 1) << rn;
      EXPECT_EQ(seen["stderr pg ERROR " + rn], 1) << rn;
    }
    EXPECT_EQ(seen["stdout pg done run=" + std::to_string(run)], 1);
  }
  // The positions, not the store's removal of exact duplicates, keep the
  // lines once: the lode started last read only what came after the clean
  // stop (lode reads within milliseconds; 2 s of slack), not every
  // container's history again.
  uint64_t read_since_restart = Status(lode)["sources"][0]["lines_read"].get<uint64_t>();
  size_t newer = 0;
  for (const auto& e : QueryEntries(lode, "{env=\"e2e\"}"))
    newer += e.ts >= stopped_at - 2000000000LL;
  EXPECT_LE(read_since_restart, newer);

  // Docker's timestamps: pg's entries are not stamped by lode's read time
  // (lode was down for a while): each run's lines are within its run.
  ASSERT_FALSE(pg.empty());
  EXPECT_LT(pg.back().ts - pg.front().ts, 120LL * 1000000000);

  // The TTY container: stdout only, no CR, once each although it exited.
  auto web = QueryLines(lode, "{container=\"web\", stream=\"stdout\", compose_service=\"web\"}");
  EXPECT_EQ(web.size(), 100u);
  std::set<std::string> distinct(web.begin(), web.end());
  EXPECT_EQ(distinct.size(), 100u);
  EXPECT_TRUE(distinct.count("web n=99"));

  // Removed and recreated under the same name: both generations, once each.
  EXPECT_TRUE(WaitFor([&] { return Count(lode, "{container=\"job\"}") == 2; }, 20000));
  auto job = QueryLines(lode, "{container=\"job\"}");
  EXPECT_EQ(std::set<std::string>(job.begin(), job.end()),
            (std::set<std::string>{"job gen=1", "job gen=2"}));

  // The query.
  auto errors = QueryEntries(lode, "{compose_service=\"postgres\"} |~ \"(?i)error\"");
  EXPECT_EQ(errors.size(), 2u * kLines);
  for (const auto& e : errors) EXPECT_EQ(e.labels.at("stream"), "stderr");

  // Status lists the containers.
  auto s = Status(lode);
  std::set<std::string> names;
  for (const auto& c : s["containers"]) names.insert(c["name"].get<std::string>());
  EXPECT_TRUE(names.count("pg") && names.count("web") && names.count("job")) << s.dump();
  EXPECT_EQ(s["sources"][0]["type"], "docker");

  // Within a second: a followed container's new line, measured from Docker's
  // timestamp to the first query that returns it.
  d->Docker("exec pg sh -c 'echo marker > /proc/1/fd/1'", &ok);
  ASSERT_TRUE(ok) << d->LastError();
  auto start = std::chrono::system_clock::now();
  ASSERT_TRUE(WaitFor([&] { return Count(lode, "{container=\"pg\"} |= \"marker\"") == 1; }, 5000));
  auto seen_at = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  auto marker = QueryEntries(lode, "{container=\"pg\"} |= \"marker\"");
  ASSERT_EQ(marker.size(), 1u);
  int64_t latency_ms = (seen_at - marker[0].ts) / 1000000;
  std::cout << "marker visible " << latency_ms << " ms after Docker stamped it ("
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now() - start)
                   .count()
            << " ms after docker exec returned)" << std::endl;
  EXPECT_LT(latency_ms, 1000);
}

}  // namespace
}  // namespace lode::testing
