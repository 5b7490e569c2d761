#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "ingest/collector/file_tailer.h"
#include "ingest/collector/timestamp.h"

namespace lode::collector {
namespace {

std::string TempFile(const std::string& content) {
  char tmpl[] = "/tmp/lode-tailer-XXXXXX";
  int fd = mkstemp(tmpl);
  EXPECT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(fd);
  return tmpl;
}

void Append(const std::string& path, const std::string& s) {
  std::ofstream f(path, std::ios::app | std::ios::binary);
  f << s;
}

std::vector<std::string> Take(FileTailer* t, const AssemblyOptions& o, int64_t now) {
  bool trunc;
  EXPECT_TRUE(t->Stat(&trunc).ok());
  size_t n;
  EXPECT_TRUE(t->Read(1 << 20, &n).ok());
  std::vector<std::string> out;
  t->TakeEntries(o, now, [&](std::string_view l) { out.emplace_back(l); });
  return out;
}

TEST(FileTailer, HoldsAPartialLineUntilCompletedOrMaxWait) {
  std::string p = TempFile("one\ntw");
  std::unique_ptr<FileTailer> t;
  ASSERT_TRUE(FileTailer::Open(p, 0, &t).ok());
  AssemblyOptions o;
  o.max_wait_ns = 1000;
  EXPECT_EQ(Take(t.get(), o, 0), std::vector<std::string>({"one"}));
  EXPECT_EQ(t->offset(), 4u);
  Append(p, "o\r\nthr");
  EXPECT_EQ(Take(t.get(), o, 10), std::vector<std::string>({"two"}));
  EXPECT_EQ(t->offset(), 9u);
  EXPECT_TRUE(Take(t.get(), o, 500).empty());                            // held
  EXPECT_EQ(Take(t.get(), o, 2000), std::vector<std::string>({"thr"}));  // max_wait passed
  EXPECT_EQ(t->offset(), 12u);
  unlink(p.c_str());
}

TEST(FileTailer, MultilineFirstline) {
  std::string p = TempFile(
      "2026-12-04 10:00:00,000 ERROR boom\nTraceback (most recent call last):\n  File \"x.py\", "
      "line 1\nValueError: x\n"
      "2026-12-04 10:00:01,000 INFO ok\n");
  std::unique_ptr<FileTailer> t;
  ASSERT_TRUE(FileTailer::Open(p, 0, &t).ok());
  RE2 re("^\\d{4}-\\d{2}-\\d{2}");
  AssemblyOptions o;
  o.firstline = &re;
  o.max_wait_ns = 1000;
  auto got = Take(t.get(), o, 0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0],
            "2026-12-04 10:00:00,000 ERROR boom\nTraceback (most recent call last):\n  File "
            "\"x.py\", line 1\nValueError: x");
  got = Take(t.get(), o, 5000);  // the last entry completes after max_wait
  EXPECT_EQ(got, std::vector<std::string>({"2026-12-04 10:00:01,000 INFO ok"}));
  unlink(p.c_str());
}

TEST(FileTailer, TruncationStartsOver) {
  std::string p = TempFile("aaaa\nbbbb\n");
  std::unique_ptr<FileTailer> t;
  ASSERT_TRUE(FileTailer::Open(p, 0, &t).ok());
  AssemblyOptions o;
  EXPECT_EQ(Take(t.get(), o, 0).size(), 2u);
  ASSERT_EQ(truncate(p.c_str(), 0), 0);
  Append(p, "c\n");
  bool trunc;
  ASSERT_TRUE(t->Stat(&trunc).ok());
  EXPECT_TRUE(trunc);
  EXPECT_EQ(Take(t.get(), o, 1), std::vector<std::string>({"c"}));
  unlink(p.c_str());
}

TEST(FileTailer, InvalidUtf8AndLongLines) {
  std::string bad = "\xff\xfe\x80 x\n";
  std::string p = TempFile(bad + std::string(300, 'x'));
  std::unique_ptr<FileTailer> t;
  ASSERT_TRUE(FileTailer::Open(p, 0, &t).ok());
  AssemblyOptions o;
  o.max_entry_bytes = 100;
  auto got = Take(t.get(), o, 0);
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got[0], "\xff\xfe\x80 x");
  EXPECT_EQ(got[1].size(), 100u);  // a held line longer than the bound is cut
  unlink(p.c_str());
}

TEST(Timestamp, Auto) {
  TimestampOptions a;
  int64_t ns = 0;
  ASSERT_TRUE(ExtractTimestamp(a, "2026-12-04T15:04:05.123Z level=info", &ns));
  EXPECT_EQ(ns, 1796396645123000000);
  ASSERT_TRUE(ExtractTimestamp(a, "2026-12-04T16:04:05+01:00 x", &ns));
  EXPECT_EQ(ns, 1796396645000000000);
  setenv("TZ", "UTC", 1);
  tzset();
  ASSERT_TRUE(ExtractTimestamp(a, "2026-12-04 15:04:05,123 INFO app: hi", &ns));
  EXPECT_EQ(ns, 1796396645123000000);
  ASSERT_TRUE(
      ExtractTimestamp(a, R"({"level":"info","ts":"2026-12-04T15:04:05Z","msg":"x"})", &ns));
  EXPECT_EQ(ns, 1796396645000000000);
  ASSERT_TRUE(ExtractTimestamp(a, R"({"@timestamp": 1796396645.5, "msg":"x"})", &ns));
  EXPECT_EQ(ns, 1796396645500000000);
  ASSERT_TRUE(ExtractTimestamp(a, R"(level=info time="2026-12-04T15:04:05Z" msg=x)", &ns));
  EXPECT_EQ(ns, 1796396645000000000);
  ASSERT_TRUE(ExtractTimestamp(a, "level=info ts=1796396645123 msg=x", &ns));
  EXPECT_EQ(ns, 1796396645123000000);
  EXPECT_FALSE(ExtractTimestamp(a, "just a line", &ns));
  EXPECT_FALSE(ExtractTimestamp(a, "2026-13-04 99:00:00 bad", &ns));
  TimestampOptions rt;
  rt.mode = TimestampOptions::Mode::kReadTime;
  EXPECT_FALSE(ExtractTimestamp(rt, "2026-12-04T15:04:05Z", &ns));
}

}  // namespace
}  // namespace lode::collector
