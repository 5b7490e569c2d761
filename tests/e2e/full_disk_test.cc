// FullDiskTest: lode on a small tmpfs that the test mounts itself. When the
// disk fills up, pushes answer 5xx (retryable) and queries keep working;
// nothing acknowledged is lost; ingest recovers by itself when space returns;
// a restart while the disk is full serves queries read-only and turns
// read-write by itself once space is back. "Full" is below the free-space
// reserve (storage.min_free_space), which keeps RocksDB itself from ever
// hitting ENOSPC. Needs root (mount); skipped otherwise.

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>

#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

namespace fs = std::filesystem;

class Tmpfs {
 public:
  explicit Tmpfs(const std::string& size) {
    dir_ = fs::temp_directory_path() / ("lode-fulldisk-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    mounted_ = mount("tmpfs", dir_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~Tmpfs() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  bool mounted() const { return mounted_; }
  bool Resize(const std::string& size) {
    return mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
  }
  std::string path(const std::string& sub) const { return (dir_ / sub).string(); }

 private:
  fs::path dir_;
  bool mounted_ = false;
};

constexpr int kLinesPerPush = 200;

// A 16 MiB free-space reserve (the default is the head memtable + 16 MiB).
std::string Config() {
  static const std::string path = [] {
    std::string p =
        (fs::temp_directory_path() / ("lode-fulldisk-" + std::to_string(getpid()) + ".yaml"))
            .string();
    FILE* f = fopen(p.c_str(), "w");
    fputs("storage:\n  min_free_space: 16MiB\n  rocksdb:\n    head_write_buffer_size: 4MiB\n", f);
    fclose(f);
    return p;
  }();
  return path;
}

// One push of incompressible lines; returns the HTTP status.
int PushBatch(LodeProcess& lode, int batch) {
  static std::mt19937_64 rng(42);
  std::vector<PushEntry> entries;
  static const int64_t start = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count() -
                               600LL * 1000000000;
  const int64_t base = start + static_cast<int64_t>(batch) * kLinesPerPush;
  for (int i = 0; i < kLinesPerPush; ++i) {
    std::string line = "batch=" + std::to_string(batch) + " ";
    while (line.size() < 600) line += std::to_string(rng());
    entries.push_back({base + i, line, {}});
  }
  HttpResult r = lode.Post("/loki/api/v1/push", EncodePush({{"{app=\"fill\"}", entries}}),
                           {{"Content-Type", "application/x-protobuf"}});
  // 0: the connection failed (the client's exception text is the body).
  if (r.status != 204 && r.status != 503)
    fprintf(stderr, "push %d: HTTP %d: %s\n", batch, r.status, r.body.c_str());
  return r.status;
}

int64_t StoredLines(LodeProcess& lode) {
  HttpResult r =
      lode.Get("/loki/api/v1/query?query=" + Q("sum(count_over_time({app=\"fill\"}[1h]))"));
  if (r.status != 200) return -1;
  auto at = r.body.find("\"value\":[");
  if (at == std::string::npos) return 0;
  at = r.body.find(",\"", at);
  return std::atoll(r.body.c_str() + at + 2);
}

// Pushes until the disk is full; returns the number of acknowledged batches.
int FillUp(LodeProcess& lode, int* next_batch) {
  int acked = 0;
  for (int i = 0; i < 2000; ++i) {
    int status = PushBatch(lode, (*next_batch)++);
    if (status == 204) {
      ++acked;
      continue;
    }
    EXPECT_EQ(status, 503) << "a full disk must be a retryable 503";
    if (status != 503) {
      // What lode said meanwhile (its stdout and stderr), for a post-mortem.
      std::ifstream log(lode.data_dir() + "/lode.log");
      std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      fprintf(stderr, "lode.log (last 4 KiB):\n%s\n",
              text.substr(text.size() > 4096 ? text.size() - 4096 : 0).c_str());
    }
    return acked;
  }
  ADD_FAILURE() << "the disk never filled up";
  return acked;
}

bool PushSucceedsWithin(LodeProcess& lode, int* next_batch, int* acked,
                        std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (PushBatch(lode, (*next_batch)++) == 204) {
      ++*acked;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

TEST(FullDiskTest, PushesFailQueriesWorkAndIngestRecovers) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  Tmpfs disk("48m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount tmpfs here";
  LodeProcess lode({"--config", Config()}, disk.path("."));
  ASSERT_TRUE(lode.Ready());

  int next = 0;
  int acked = FillUp(lode, &next);
  ASSERT_GT(acked, 0);
  // Still full: every push fails, queries answer, nothing acknowledged is lost.
  EXPECT_EQ(PushBatch(lode, next++), 503);
  EXPECT_EQ(StoredLines(lode), int64_t{acked} * kLinesPerPush);

  // Space returns (RocksDB resumes once about a memtable of space is free).
  ASSERT_TRUE(disk.Resize("200m"));
  ASSERT_TRUE(PushSucceedsWithin(lode, &next, &acked, std::chrono::seconds(30)))
      << "ingest did not recover after space returned";
  EXPECT_EQ(StoredLines(lode), int64_t{acked} * kLinesPerPush);
}

TEST(FullDiskTest, RestartOnAFullDiskServesReadOnlyThenRecovers) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  Tmpfs disk("48m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount tmpfs here";
  LodeProcess lode({"--config", Config()}, disk.path("."));
  ASSERT_TRUE(lode.Ready());
  int next = 0;
  int acked = FillUp(lode, &next);
  ASSERT_GT(acked, 0);

  lode.Kill9();
  ASSERT_TRUE(lode.Start()) << "lode must start on a full disk";
  EXPECT_EQ(StoredLines(lode), int64_t{acked} * kLinesPerPush);
  EXPECT_EQ(PushBatch(lode, next++), 503);

  ASSERT_TRUE(disk.Resize("200m"));
  // lode restarts itself read-write (same pid and port) within a few seconds.
  ASSERT_TRUE(PushSucceedsWithin(lode, &next, &acked, std::chrono::seconds(30)))
      << "lode did not turn read-write after space returned";
  EXPECT_EQ(StoredLines(lode), int64_t{acked} * kLinesPerPush);
  lode.Stop();
}

}  // namespace
}  // namespace lode::testing
