// End-to-end tests of the built-in file collector: each starts build/lode
// with --log-sources and checks what the query API returns.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "tests/collector/collector_harness.h"

namespace lode::testing {
namespace {

std::string Sources(const std::string& extra = "") {
  return "log_sources:\n  - name: app\n    path: logs\n    labels: {job: app}\n"
         "    labels_from_path: '(?P<service>[^/]+)\\.log$'\n" +
         extra;
}

TEST(CollectorE2E, LinesAppearWithinASecondWithLabels) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  WriteFile(d / "logs/data-store.log", "first line\n");
  WriteFile(d / "logs/ignored.txt", "not matched\n");
  LodeProcess lode({"--log-sources", d / "log-sources.yml"});
  ASSERT_TRUE(lode.Ready());
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"app\"}").size() == 1; }));
  auto t0 = std::chrono::steady_clock::now();
  AppendFile(d / "logs/data-store.log", "second line\n");
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"app\"}").size() == 2; }, 5000));
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(ms, 1000) << "a line took " << ms << " ms to become queryable";
  // A new file appears within a second too.
  t0 = std::chrono::steady_clock::now();
  WriteFile(d / "logs/orchestrator.log", "from the orchestrator\n");
  ASSERT_TRUE(
      WaitFor([&] { return QueryLines(lode, "{service=\"orchestrator\"}").size() == 1; }, 5000));
  ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
           .count();
  EXPECT_LT(ms, 1000) << "a new file took " << ms << " ms";
  auto e = QueryEntries(lode, "{service=\"data-store\"}");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].line, "first line");
  EXPECT_EQ(e[0].labels["filename"], d / "logs/data-store.log");
  EXPECT_EQ(e[0].labels["job"], "app");
  EXPECT_TRUE(QueryLines(lode, "{job=\"app\"} |= \"not matched\"").empty());
}

TEST(CollectorE2E, RenameRotationInRunAndWhileStopped) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  std::string log = d / "logs/svc.log";
  WriteFile(log, NumberedLines("svc", 0, 10));
  LodeProcess lode({"--log-sources", d / "log-sources.yml"});
  ASSERT_TRUE(lode.Ready());
  auto numbers = [&] { return Numbers(QueryLines(lode, "{service=\"svc\"}")); };
  ASSERT_TRUE(WaitFor([&] { return numbers().size() == 10; }));
  // logrotate `create`: rename, create the new file; the program still
  // writes to the old one until it reopens.
  {
    int old_fd = open(log.c_str(), O_WRONLY | O_APPEND);
    std::filesystem::rename(log, log + ".1");
    WriteFile(log, "");
    std::string s = NumberedLines("svc", 10, 15);
    ASSERT_EQ(write(old_fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
    close(old_fd);
    AppendFile(log, NumberedLines("svc", 15, 20));
  }
  ASSERT_TRUE(WaitFor([&] { return numbers().size() == 20; }));
  EXPECT_EQ(numbers(), Range(0, 20));
  // RotatingFileHandler: .1 -> .2, svc.log -> .1, new svc.log.
  AppendFile(log, NumberedLines("svc", 20, 25));
  ShiftRotate(log);
  WriteFile(log, NumberedLines("svc", 25, 30));
  ASSERT_TRUE(WaitFor([&] { return numbers().size() == 30; }));
  EXPECT_EQ(numbers(), Range(0, 30));
  // Two rotations while lode is stopped.
  lode.Stop();
  AppendFile(log, NumberedLines("svc", 30, 35));
  ShiftRotate(log);
  WriteFile(log, NumberedLines("svc", 35, 40));
  ShiftRotate(log);
  WriteFile(log, NumberedLines("svc", 40, 45));
  ASSERT_TRUE(lode.Start());
  ASSERT_TRUE(WaitFor([&] { return numbers().size() >= 45; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(numbers(), Range(0, 45));
  auto st = Status(lode);
  EXPECT_GE(st["sources"][0]["rotations"].get<int>(), 2);
}

TEST(CollectorE2E, CopyTruncateInRunAndWhileStopped) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  std::string log = d / "logs/ct.log";
  WriteFile(log, NumberedLines("ct", 0, 10));
  LodeProcess lode({"--log-sources", d / "log-sources.yml"});
  ASSERT_TRUE(lode.Ready());
  auto numbers = [&] { return Numbers(QueryLines(lode, "{service=\"ct\"}")); };
  ASSERT_TRUE(WaitFor([&] { return numbers().size() == 10; }));
  CopyTruncate(log);
  AppendFile(log, NumberedLines("ct", 10, 13));
  ASSERT_TRUE(WaitFor([&] { return numbers().size() >= 13; }));
  EXPECT_EQ(numbers(), Range(0, 13));
  // Lines written just before a copytruncate are read from the copy.
  lode.Stop();
  AppendFile(log, NumberedLines("ct", 13, 20));
  CopyTruncate(log);
  AppendFile(log, NumberedLines("ct", 20, 22));
  ASSERT_TRUE(lode.Start());
  ASSERT_TRUE(WaitFor([&] { return numbers().size() >= 22; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(numbers(), Range(0, 22));
  EXPECT_GE(Metric(lode, "lode_collector_truncations_total{source=\"app\"}"),
            1);  // since the restart
}

TEST(CollectorE2E, PartialLinesMultilineAndTimestamps) {
  TempDir d;
  WriteFile(d / "log-sources.yml",
            Sources("  - name: py\n    path: py\n    labels: {job: py}\n"
                    "    multiline: {firstline: '^\\d{4}-\\d{2}-\\d{2}', max_wait: 500ms}\n"));
  LodeProcess lode({"--log-sources", d / "log-sources.yml"});
  ASSERT_TRUE(lode.Ready());
  // A line without its newline is held until it is completed.
  AppendFile(d / "logs/p.log", "half");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_TRUE(QueryLines(lode, "{job=\"app\"}").empty());
  AppendFile(d / "logs/p.log", " done\n");
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"app\"}").size() == 1; }))
      << ::testing::PrintToString(QueryLines(lode, "{job=\"app\"}"));
  EXPECT_EQ(QueryLines(lode, "{job=\"app\"}")[0], "half done");
  // A Python traceback is one entry, with the asctime of its first line (UTC
  // here: the test runs lode with the environment's TZ; use an RFC 3339 line to be TZ-proof).
  auto now = std::chrono::system_clock::now() - std::chrono::minutes(5);
  time_t t = std::chrono::system_clock::to_time_t(now);
  char ts[64];
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S.250Z", gmtime(&t));
  std::string entry =
      std::string(ts) +
      " ERROR failed\nTraceback (most recent call last):\n  File \"a.py\", line 3\nKeyError: 'x'";
  AppendFile(d / "py/worker.log", entry + "\n" + std::string(ts) + " INFO next\n");
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"py\"}").size() == 2; }));
  auto e = QueryEntries(lode, "{job=\"py\"}");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].line, entry);
  EXPECT_EQ(e[0].ts, static_cast<int64_t>(t) * 1000000000 + 250000000);
  EXPECT_EQ(e[1].line, std::string(ts) + " INFO next");
}

TEST(CollectorE2E, ReloadOnEditAndBadFileKeepsPreviousSources) {
  TempDir d;
  std::string ls = d / "log-sources.yml";
  WriteFile(ls, Sources());
  WriteFile(d / "logs/a.log", "a1\n");
  WriteFile(d / "more/b.log", "b1\n");
  LodeProcess lode({"--log-sources", ls});
  ASSERT_TRUE(lode.Ready());
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"app\"}").size() == 1; }));
  WriteFile(ls, Sources("  - name: more\n    path: more\n    labels: {job: more}\n"));
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"more\"}").size() == 1; }, 5000));
  // A bad edit: reported with path, line and key; the sources stay.
  WriteFile(ls, Sources("  - name: more\n    path: more\n    labels: {bad-name: x}\n"));
  ASSERT_TRUE(WaitFor([&] { return Status(lode)["config_error"].get<std::string>() != ""; }, 5000));
  std::string err = Status(lode)["config_error"];
  EXPECT_NE(err.find(ls + ":8: log_sources[1].labels: invalid label name \"bad-name\""),
            std::string::npos)
      << err;
  EXPECT_EQ(Metric(lode, "lode_collector_config_error"), 1);
  AppendFile(d / "more/b.log", "b2\n");
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"more\"}").size() == 2; }));
  // Fixing the file clears the error.
  WriteFile(ls, Sources());
  ASSERT_TRUE(WaitFor([&] { return Status(lode)["config_error"].get<std::string>() == ""; }, 5000));
  EXPECT_EQ(Status(lode)["sources"].size(), 1u);
}

TEST(CollectorE2E, SighupReloads) {
  TempDir d;
  std::string ls = d / "log-sources.yml";
  WriteFile(ls, Sources());
  WriteFile(d / "other/c.log", "c1\n");
  LodeProcess lode({"--log-sources", ls});
  ASSERT_TRUE(lode.Ready());
  ASSERT_TRUE(WaitFor([&] { return Status(lode)["sources"].size() == 1; }));
  // An edit that keeps size and modification time is invisible to the
  // once-a-second check: only SIGHUP picks it up.
  struct stat before;
  ASSERT_EQ(stat(ls.c_str(), &before), 0);
  std::string text = Sources();
  text.replace(text.find("path: logs"), 10, "path: other");
  text.replace(text.find("job: app"), 8, "job: ap");
  ASSERT_EQ(text.size(), Sources().size());
  WriteFile(ls, text);
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, ls.c_str(), times, 0), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_TRUE(QueryLines(lode, "{job=\"ap\"}").empty());
  ASSERT_EQ(kill(lode.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor([&] { return QueryLines(lode, "{job=\"ap\"}").size() == 1; }, 5000));
}

TEST(CollectorE2E, BadFileAtStartExitsWithPathLineKey) {
  TempDir d;
  WriteFile(d / "ls.yml", "log_sources:\n  - name: x\n    path: logs\n    start_at: whenever\n");
  std::string cmd = std::string(LODE_BINARY) + " --listen 127.0.0.1:0 --data-dir " + (d / "db") +
                    " --log-sources " + (d / "ls.yml") + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_TRUE(p);
  std::string out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  int rc = pclose(p);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find(d / "ls.yml" + ":4: log_sources[0].start_at"), std::string::npos) << out;
}

TEST(CollectorE2E, StatusAndMetrics) {
  TempDir d;
  WriteFile(d / "log-sources.yml", Sources());
  WriteFile(d / "logs/m.log", "0123456789\nabc\n");
  LodeProcess lode({"--log-sources", d / "log-sources.yml"});
  ASSERT_TRUE(lode.Ready());
  ASSERT_TRUE(WaitFor(
      [&] { return Metric(lode, "lode_collector_lines_read_total{source=\"app\"}") == 2; }));
  EXPECT_EQ(Metric(lode, "lode_collector_bytes_read_total{source=\"app\"}"), 15);
  EXPECT_EQ(Metric(lode, "lode_collector_files_watched{source=\"app\"}"), 1);
  EXPECT_EQ(Metric(lode, "lode_collector_lag_bytes{source=\"app\"}"), 0);
  EXPECT_EQ(Metric(lode, "lode_collector_config_error"), 0);
  auto st = Status(lode);
  ASSERT_EQ(st["files"].size(), 1u);
  EXPECT_EQ(st["files"][0]["offset"], 15);
  EXPECT_EQ(st["files"][0]["size"], 15);
  EXPECT_EQ(st["files"][0]["filename"], d / "logs/m.log");
  EXPECT_NE(st["files"][0]["labels"].get<std::string>().find("service=\"m\""), std::string::npos);
  EXPECT_NE(st["files"][0]["last_read"].get<std::string>(), "");
  // An unreadable directory is reported, never fatal.
  WriteFile(d / "log-sources.yml", Sources("  - name: missing\n    path: does-not-exist\n"));
  ASSERT_TRUE(WaitFor(
      [&] { return Metric(lode, "lode_collector_errors_total{source=\"missing\"}") == 1; }, 5000));
  EXPECT_EQ(lode.Get("/ready").status, 200);
}

}  // namespace
}  // namespace lode::testing
