// `lode promtail-config` against the real Promtail 2.7.5 (../shared/anchors):
// the same files go to one lode through its own collector and to another
// through Promtail with the generated configuration; both must hold the same
// lines with the same labels.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <set>

#include "tests/collector/collector_harness.h"

namespace lode::testing {
namespace {

std::string RunCapture(const std::string& cmd, int* rc) {
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *rc = pclose(p);
  return out;
}

using LabeledLines = std::multiset<std::pair<std::string, std::string>>;  // (labels, line)

LabeledLines All(LodeProcess& lode, const std::string& query) {
  LabeledLines out;
  for (const auto& e : QueryEntries(lode, query)) {
    std::string labels;
    for (const auto& [k, v] : e.labels) labels += k + "=" + v + ",";
    out.insert({labels, e.line});
  }
  return out;
}

TEST(CollectorPromtail, GeneratedConfigShipsTheSameLinesAndLabels) {
  std::string anchors = std::string(LODE_SOURCE_DIR) + "/../shared/anchors";
  if (!std::filesystem::exists(anchors + "/promtail.xz"))
    GTEST_SKIP() << "../shared/anchors/promtail.xz missing";
  if (system("command -v xz >/dev/null 2>&1") != 0) GTEST_SKIP() << "xz (xz-utils) missing";
  int rc = 0;
  std::string bin_dir = std::filesystem::path(LODE_BINARY).parent_path().string() + "/anchors";
  std::string dir = RunCapture(anchors + "/unpack.sh " + bin_dir, &rc);
  ASSERT_EQ(rc, 0) << dir;
  while (!dir.empty() && dir.back() == '\n') dir.pop_back();

  TempDir d;
  WriteFile(
      d / "apps/log-sources.yml",
      "log_sources:\n"
      "  - name: store\n    path: ../store/logs\n    labels: {miniapp: stock, module: store}\n"
      "    labels_from_path: '(?P<service>[^/]+)\\.log$'\n"
      "  - name: worker\n    path: ../worker/logs\n    labels: {miniapp: stock, module: worker}\n"
      "    patterns: ['*.log']\n    exclude: ['debug*']\n"
      "    multiline: {firstline: '^\\d{4}-\\d{2}-\\d{2}', max_wait: 1s}\n");
  WriteFile(d / "store/logs/data-store.log",
            "level=info msg=\"started\"\nlevel=warn msg=\"slow\" ms=812\n");
  WriteFile(d / "store/logs/orchestrator.log", "{\"level\":\"info\",\"msg\":\"tick\"}\n");
  time_t now = time(nullptr) - 60;
  char asctime[64];
  strftime(asctime, sizeof asctime, "%Y-%m-%d %H:%M:%S",
           localtime(&now));  // Python logging's local time
  WriteFile(
      d / "worker/logs/worker.log",
      std::string(asctime) +
          ",001 ERROR job failed\nTraceback (most recent call last):\n  File \"w.py\", line 9\n" +
          "ValueError: bad\n" + asctime + ",500 INFO next job\n");
  WriteFile(d / "worker/logs/debug-x.log", "excluded\n");

  LodeProcess own({"--log-sources", d / "apps/log-sources.yml"});
  LodeProcess viaPromtail;
  ASSERT_TRUE(own.Ready());
  ASSERT_TRUE(viaPromtail.Ready());
  std::string cfg = RunCapture(
      std::string(LODE_BINARY) + " promtail-config --http-port 0 --positions " +
          (d / "positions.yaml") + " --url http://127.0.0.1:" + std::to_string(viaPromtail.port()) +
          "/loki/api/v1/push " + (d / "apps/log-sources.yml"),
      &rc);
  ASSERT_EQ(rc, 0) << cfg;
  WriteFile(d / "promtail.yml", cfg);
  pid_t pid = fork();
  if (pid == 0) {
    std::string log = d / "promtail.log";
    FILE* f = freopen(log.c_str(), "w", stderr);
    (void)f;
    std::string bin = dir + "/promtail", arg = "-config.file=" + (d / "promtail.yml");
    execl(bin.c_str(), bin.c_str(), arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const std::string q = "{miniapp=\"stock\"}";
  // 4 single lines + 2 multiline entries.
  bool arrived =
      WaitFor([&] { return All(viaPromtail, q).size() >= 5 && All(own, q).size() >= 5; }, 30000);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(2500));  // Promtail flushes the last multiline entry after max_wait
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  std::ifstream plog(d / "promtail.log");
  std::string plog_text((std::istreambuf_iterator<char>(plog)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(arrived) << "own: " << All(own, q).size()
                       << " via promtail: " << All(viaPromtail, q).size() << "\npromtail config:\n"
                       << cfg << "\npromtail log:\n"
                       << plog_text.substr(0, 3000);
  LabeledLines a = All(own, q), b = All(viaPromtail, q);
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(a, b) << "promtail config:\n" << cfg;
  EXPECT_TRUE(a.count({"filename=" + (d / "store/logs/data-store.log") +
                           ",miniapp=stock,module=store,service=data-store,",
                       "level=warn msg=\"slow\" ms=812"}));
}

}  // namespace
}  // namespace lode::testing
