#include "storage/store.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>
#include <utility>

#include "base/crc32c.h"
#include "storage/inspect.h"

#if defined(LODE_ROCKSDB_CRC_WRAPPED)
// RocksDB's own crc32c::Extend (its table loop), which the linker's --wrap
// keeps under this name (storage/rocksdb_crc.h).
extern "C" uint32_t __real__ZN7rocksdb6crc32c6ExtendEjPKcm(uint32_t crc, const char* p, size_t n);
#endif

namespace lode {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lode-store-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    StoreOptions o;
    o.dir = dir_;
    o.background_flush = false;
    ASSERT_TRUE(Store::Open(o, &store_).ok());
  }
  Labels L(const std::string& s) {
    Labels l;
    EXPECT_TRUE(ParseLabels(s, &l).ok()) << s;
    return l;
  }
  void Push(const std::string& labels, std::vector<std::pair<int64_t, std::string>> es) {
    std::vector<EntryRef> refs;
    for (auto& [ts, line] : es) refs.push_back({ts, line, nullptr, 0});
    ASSERT_TRUE(store_->Append("fake", L(labels), refs).ok());
  }
  std::vector<std::pair<int64_t, std::string>> Scan(uint64_t id, int64_t s, int64_t e,
                                                    Direction d) {
    std::vector<std::pair<int64_t, std::string>> out;
    auto st = store_->ScanStream(
        "fake", id, s, e, d,
        [&](const EntryBatch& b) {
          for (size_t i = 0; i < b.size(); ++i) out.push_back({b.ts[i], std::string(b.line[i])});
          return true;
        },
        nullptr);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  uint64_t IdOf(const std::string& sel_name, const std::string& sel_value) {
    MatcherPtr m;
    EXPECT_TRUE(LabelMatcher::Create(MatchType::kEqual, sel_name, sel_value, &m).ok());
    std::vector<StreamRef> refs;
    EXPECT_TRUE(store_->SelectStreams("fake", {m}, 0, INT64_MAX, &refs).ok());
    EXPECT_EQ(refs.size(), 1u);
    return refs.empty() ? 0 : refs[0].id;
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, OrdersDeduplicatesAndBoundsAcrossHeadAndChunks) {
  Push(R"({app="a"})", {{30, "c"}, {10, "a"}, {20, "b"}});
  Push(R"({app="a"})", {{20, "b"}, {20, "b2"}});  // exact duplicate + same-ts entry
  uint64_t id = IdOf("app", "a");
  using V = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(Scan(id, 0, 100, Direction::kForward),
            (V{{10, "a"}, {20, "b"}, {20, "b2"}, {30, "c"}}));
  EXPECT_EQ(Scan(id, 10, 30, Direction::kBackward), (V{{20, "b2"}, {20, "b"}, {10, "a"}}));
  ASSERT_TRUE(store_->Flush().ok());
  Push(R"({app="a"})", {{25, "late"}, {20, "b"}});  // out of order, overlapping the chunk
  EXPECT_EQ(Scan(id, 0, 100, Direction::kForward),
            (V{{10, "a"}, {20, "b"}, {20, "b2"}, {25, "late"}, {30, "c"}}));
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Scan(id, 0, 100, Direction::kForward),
            (V{{10, "a"}, {20, "b"}, {20, "b2"}, {25, "late"}, {30, "c"}}));
}

TEST_F(StoreTest, SurvivesReopenWithUnflushedHead) {
  Push(R"({app="a", env="prod"})", {{1, "one"}, {2, "two"}});
  ASSERT_TRUE(store_->Flush().ok());
  Push(R"({app="a", env="prod"})", {{3, "three"}});
  store_.reset();
  Open();
  uint64_t id = IdOf("env", "prod");
  EXPECT_EQ(Scan(id, 0, 10, Direction::kForward).size(), 3u);
  Push(R"({app="b"})", {{5, "new stream after reopen"}});
  EXPECT_NE(IdOf("app", "b"), id);
}

// RocksDB's checksums (WAL records, SST blocks, blobs) are computed by
// lode's Crc32c: the same values as RocksDB's own code, so stores written
// before keep opening; a store written, flushed, reopened and read back
// passes RocksDB's checksum verification.
TEST_F(StoreTest, RocksDbChecksumsUseTheHardwareCrcAndMatchRocksDbs) {
#if defined(LODE_ROCKSDB_CRC_WRAPPED)
  std::mt19937_64 rng(3);
  std::string data(3000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t n : {0, 1, 7, 8, 100, 3000})
    EXPECT_EQ(Crc32c(0x1234u, data.data(), n),
              __real__ZN7rocksdb6crc32c6ExtendEjPKcm(0x1234u, data.data(), n));
  bool reported = false;
  for (const StoreMetric& m : store_->Metrics()) {
    if (m.name != "lode_rocksdb_crc32c_hardware") continue;
    reported = true;
    EXPECT_EQ(m.value, Crc32cInHardware() ? 1.0 : 0.0);
  }
  EXPECT_TRUE(reported);
#endif
  std::vector<std::pair<int64_t, std::string>> es;
  for (int i = 0; i < 5000; ++i) es.push_back({i + 1, "line " + std::to_string(i * 7919)});
  Push(R"({app="crc"})", es);
  ASSERT_TRUE(store_->Flush().ok());
  Push(R"({app="crc"})", {{9000, "in the WAL only"}});
  store_.reset();
  Open();
  EXPECT_EQ(Scan(IdOf("app", "crc"), 0, 10000, Direction::kForward).size(), 5001u);
}

// Runs this binary's StoreCrashChild.RotationCrash in `mode` on `dir`.
void RunCrashChild(const std::string& dir, const char* mode) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("LODE_ROTATION_CRASH_DIR", dir.c_str(), 1);
    setenv("LODE_ROTATION_CRASH_MODE", mode, 1);
    execl("/proc/self/exe", "storage_test", "--gtest_filter=StoreCrashChild.RotationCrash",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << mode << ": child status " << status;
}

// A crash in the middle of a head log rotation — after the anchor swap,
// before the cut reached the heads — loses nothing acknowledged: the WAL
// files the retired anchor held are still replayed. (RocksDB skips WAL
// files older than every column family's unflushed data even when they
// are kept on disk; here every other column family is empty, as after a
// rotation, so only the anchor keeps them.)
TEST_F(StoreTest, CrashDuringHeadLogRotationLosesNothing) {
  store_.reset();
  // The crash runs in a process of its own: RocksDB's thread pools do not
  // survive a fork, so the child execs this binary on the test below.
  RunCrashChild(dir_, "rotate");
  Open();
  EXPECT_EQ(Scan(IdOf("app", "pin"), 0, 1000, Direction::kForward).size(), 200u);
}

// Lines appended while a rotation ends — after its cut, before its
// flushes — are held by the new anchor when the next rotation crashes right
// after its swap. (When the pin was written at the start of a rotation,
// these lines were in WAL files older than it, and the crash test lost a
// push this way.)
TEST_F(StoreTest, LinesAppendedAtTheEndOfARotationSurviveACrashInTheNext) {
  store_.reset();
  RunCrashChild(dir_, "late");
  Open();
  EXPECT_EQ(Scan(IdOf("app", "pin"), 0, 1000, Direction::kForward).size(), 200u);
}

// However small the configured memtable budget, RocksDB's write buffer
// manager (which flushes the oldest memtable) never flushes an anchor: lines
// it alone holds survive a crash.
TEST_F(StoreTest, ASmallMemtableBudgetNeverFlushesTheAnchor) {
  store_.reset();
  RunCrashChild(dir_, "wbm");
  Open();
  EXPECT_EQ(Scan(IdOf("app", "pin"), 0, 1000, Direction::kForward).size(), 200u);
}

// The heads a crashed rotation left stay replayable across the runs that
// follow until a rotation cuts them: here the next run only flushes and
// compacts (as /compactor/run does) and is killed too. The crash test lost
// a push this way (the flush released the rotation's pin).
TEST_F(StoreTest, HeadsOfACrashedRotationSurviveTheNextRunsFlushes) {
  store_.reset();
  RunCrashChild(dir_, "rotate");
  RunCrashChild(dir_, "compact");
  RunCrashChild(dir_, "compact");
  Open();
  EXPECT_EQ(Scan(IdOf("app", "pin"), 0, 1000, Direction::kForward).size(), 200u);
  // A rotation that completes cuts them; nothing is lost or doubled then either.
  ASSERT_TRUE(store_->Flush().ok());
  store_.reset();
  RunCrashChild(dir_, "compact");
  Open();
  EXPECT_EQ(Scan(IdOf("app", "pin"), 0, 1000, Direction::kForward).size(), 200u);
}

// The crashing half of the tests above (skipped when run on its own): 100
// entries cut by a whole rotation (every memtable then empty), 100 more
// acknowledged into a head (in mode "late" while that rotation ends), then
// a rotation that exits right after its anchor swap, as a kill -9 there
// would (mode "wbm": fills memtables past a tiny budget and exits; mode
// "compact": only compacts and exits).
TEST(StoreCrashChild, RotationCrash) {
  const char* dir = std::getenv("LODE_ROTATION_CRASH_DIR");
  if (dir == nullptr) GTEST_SKIP() << "run by StoreTest.CrashDuringHeadLogRotationLosesNothing";
  bool armed = false;
  StoreOptions o;
  o.dir = dir;
  o.background_flush = false;
  std::unique_ptr<Store> store;
  std::function<void()> after_cut;
  o.testing_after_anchor_swap = [&armed] {
    if (armed) _exit(0);
  };
  o.testing_after_rotation_cut = [&after_cut] {
    if (after_cut) std::exchange(after_cut, nullptr)();
  };
  const char* mode_env = std::getenv("LODE_ROTATION_CRASH_MODE");
  const std::string_view mode = mode_env != nullptr ? mode_env : "rotate";
  if (mode == "wbm") o.rocksdb.db_write_buffer_size = 64 << 10;  // raised by the store
  ASSERT_TRUE(Store::Open(o, &store).ok());
  if (mode == "compact") {
    // A run that flushes every memtable it may and compacts (retention
    // drops an entry of another tenant), then is killed.
    TenantRetention short_lived;
    short_lived.period_ns = 3600LL * 1000000000;
    std::map<std::string, TenantRetention, std::less<>> tenants = {{"other", short_lived}};
    store->SetRetentionPolicy(std::make_shared<RetentionPolicy>(TenantRetention(), tenants));
    Labels old;
    ASSERT_TRUE(ParseLabels(R"({app="old"})", &old).ok());
    EntryRef e{1, "expired", nullptr, 0};
    ASSERT_TRUE(store->Append("other", old, std::span<const EntryRef>(&e, 1)).ok());
    CompactionReport report;
    ASSERT_TRUE(store->RunCompaction(&report).ok());
    ASSERT_GT(report.heads_cut + report.chunks_deleted, 0u);  // so it compacted
    _exit(0);
  }
  Labels l;
  ASSERT_TRUE(ParseLabels(R"({app="pin"})", &l).ok());
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) lines.push_back("line " + std::to_string(i));
  std::vector<EntryRef> first, second;
  for (int i = 0; i < 100; ++i) first.push_back({i + 1, lines[i], nullptr, 0});
  for (int i = 100; i < 200; ++i) second.push_back({i + 1, lines[i], nullptr, 0});
  ASSERT_TRUE(store->Append("fake", l, first).ok());
  if (mode == "late") {
    // The second half arrives while the rotation that cuts the first ends:
    // after its cut, before its flushes.
    after_cut = [&] { ASSERT_TRUE(store->Append("fake", l, second).ok()); };
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_FALSE(after_cut) << "the rotation did not reach the end of its cut";
  } else {
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->Append("fake", l, second).ok());
  }
  if (mode == "wbm") {
    // The second half is held by the new anchor only. Enough new streams
    // (registry and index keys) to pass a 64 KiB memtable budget many times
    // over: RocksDB's write buffer manager would flush the oldest memtable,
    // the anchor's. Then a crash.
    for (int i = 0; i < 3000; ++i) {
      Labels other;
      ASSERT_TRUE(ParseLabels("{app=\"filler\", n=\"" + std::to_string(i) +
                                  "\", pad=\"" + std::string(100, 'x') + "\"}",
                              &other).ok());
      EntryRef e{1000 + i, "filler", nullptr, 0};
      ASSERT_TRUE(store->Append("filler", other, std::span<const EntryRef>(&e, 1)).ok());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // background flushes
    _exit(0);
  }
  armed = true;
  (void)store->Flush();  // exits after the anchor swap
  FAIL() << "the rotation did not reach its anchor swap";
}

// Quiet streams: many heads of a few lines each, cut in shared writes; the
// first ~2 MiB of small blocks train a zstd dictionary, persisted before any
// chunk uses it, that later chunks are compressed with (lode inspect lists
// it), and everything reads back after a reopen, dictionary and all.
TEST(StoreDictTest, QuietStreamsShareATrainedDictionaryAcrossReopens) {
  char tmpl[] = "/tmp/lode-store-XXXXXX";
  const std::string base = mkdtemp(tmpl);
  auto fill = [&](bool dictionary, uint64_t* chunk_bytes) {
    const std::string dir = base + (dictionary ? "/dict" : "/plain");
    StoreOptions o;
    o.dir = dir;
    o.background_flush = false;
    o.chunk_dictionary = dictionary;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(o, &store).ok());
    std::mt19937_64 rng(3);
    const int kStreams = 3000, kRounds = 9;
    auto round = [&](int r) {
      std::vector<Labels> labels(kStreams);
      std::vector<std::vector<std::string>> lines(kStreams);
      std::vector<std::vector<EntryRef>> refs(kStreams);
      std::vector<StreamEntries> streams(kStreams);
      for (int i = 0; i < kStreams; ++i) {
        ASSERT_TRUE(ParseLabels("{app=\"quiet\", pod=\"p" + std::to_string(i) + "\"}", &labels[i]).ok());
        for (int k = 0; k < 5; ++k)
          lines[i].push_back("level=info msg=\"request done\" round=" + std::to_string(r) +
                             " path=/api/v1/orders/" + std::to_string(rng() % 100000) +
                             " status=200 duration=" + std::to_string(rng() % 900) + "ms");
        for (int k = 0; k < 5; ++k)
          refs[i].push_back({1700000000000000000LL + r * 1000000000000LL + k, lines[i][k],
                             nullptr, 0});
        streams[i].labels = &labels[i];
        streams[i].entries = refs[i];
      }
      ASSERT_TRUE(store->AppendMany("fake", streams).ok());
      ASSERT_TRUE(store->Flush().ok());  // 3000 heads cut, in shared writes
    };
    for (int r = 0; r < kRounds; ++r) {
      round(r);
      if (::testing::Test::HasFatalFailure()) return;
    }
    store.reset();
    ASSERT_TRUE(Store::Open(o, &store).ok());
    // Every line of every stream, after the reopen.
    MatcherPtr m;
    ASSERT_TRUE(LabelMatcher::Create(MatchType::kEqual, "app", "quiet", &m).ok());
    std::vector<StreamRef> refs;
    ASSERT_TRUE(store->SelectStreams("fake", {m}, 0, INT64_MAX, &refs).ok());
    ASSERT_EQ(refs.size(), static_cast<size_t>(kStreams));
    size_t total = 0;
    for (const StreamRef& ref : refs) {
      Status s = store->ScanStream(
          "fake", ref.id, 0, INT64_MAX, Direction::kForward,
          [&](const EntryBatch& b) {
            total += b.size();
            return true;
          },
          nullptr);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
    EXPECT_EQ(total, static_cast<size_t>(kStreams) * 5 * kRounds);
    store.reset();
    std::string report;
    ASSERT_TRUE(InspectDataDir(dir, InspectOptions(), &report).ok());
    EXPECT_EQ(report.find("small-block zstd dictionaries: none") == std::string::npos, dictionary)
        << report;
    const size_t at = report.find("compressed");
    ASSERT_NE(at, std::string::npos) << report;
    const size_t begin = report.rfind(", ", at) + 2;
    *chunk_bytes = static_cast<uint64_t>(std::stod(report.substr(begin)) *
                                         (report.compare(report.find(' ', begin) + 1, 3, "MiB") == 0
                                              ? 1 << 20
                                              : 1 << 10));
  };
  uint64_t with = 0, without = 0;
  fill(true, &with);
  fill(false, &without);
  std::filesystem::remove_all(base);
  EXPECT_GT(with, 0u);
  // The rounds after the first ~2 MiB of samples use the dictionary.
  EXPECT_LT(with * 10, without * 9) << with << " vs " << without;
}

// The flusher and the compactor share a condition variable: head pressure
// (which wakes the flusher) must not start a compaction run before its
// interval.
TEST(StoreCompactorTest, HeadPressureDoesNotStartCompactions) {
  char tmpl[] = "/tmp/lode-store-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  StoreOptions o;
  o.dir = dir;
  o.max_head_bytes = 64 << 10;  // every few pushes are over it
  o.compaction_interval_ns = 3600LL * 1000000000;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(o, &store).ok());
  const std::string line(200, 'x');
  for (int i = 0; i < 2000; ++i) {
    Labels l;
    ASSERT_TRUE(ParseLabels("{app=\"a\", n=\"" + std::to_string(i % 500) + "\"}", &l).ok());
    std::vector<EntryRef> refs(8, EntryRef{1700000000000000000LL + i, line, nullptr, 0});
    for (int k = 0; k < 8; ++k) refs[k].ts += k;
    ASSERT_TRUE(store->Append("fake", l, refs).ok());
    if (i % 200 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  double runs = -1;
  for (const StoreMetric& m : store->Metrics())
    if (m.name == "lode_compaction_runs_total") runs = m.value;
  EXPECT_EQ(runs, 0);
  store.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(StoreTest, SelectsStreamsAndLabelsByTimeRange) {
  const int64_t day = 86400LL * 1000000000LL;
  Push(R"({app="a", env="prod"})", {{day * 10 + 5, "x"}});
  Push(R"({app="b", env="dev"})", {{day * 12 + 5, "y"}});
  MatcherPtr re;
  ASSERT_TRUE(LabelMatcher::Create(MatchType::kRegexMatch, "app", "a|b", &re).ok());
  std::vector<StreamRef> refs;
  ASSERT_TRUE(store_->SelectStreams("fake", {re}, day * 10, day * 11, &refs).ok());
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(LabelsToString(refs[0].labels), R"({app="a", env="prod"})");
  std::vector<std::string> vals;
  ASSERT_TRUE(store_->LabelValues("fake", "env", {}, 0, day * 13, &vals).ok());
  EXPECT_EQ(vals, (std::vector<std::string>{"dev", "prod"}));
  ASSERT_TRUE(store_->LabelValues("other-tenant", "env", {}, 0, day * 13, &vals).ok());
  EXPECT_TRUE(vals.empty());
}

TEST_F(StoreTest, LargeStreamSpansManyBlocksAndChunks) {
  std::vector<std::pair<int64_t, std::string>> es;
  std::mt19937 rng(1);
  for (int i = 0; i < 20000; ++i)
    es.push_back({int64_t(i) * 1000, "line " + std::to_string(rng()) + std::string(100, 'x')});
  Push(R"({app="big"})", es);
  ASSERT_TRUE(store_->Flush().ok());
  uint64_t id = IdOf("app", "big");
  auto all = Scan(id, 0, INT64_MAX, Direction::kForward);
  ASSERT_EQ(all.size(), es.size());
  EXPECT_EQ(all, es);
  auto mid = Scan(id, 5000 * 1000, 5010 * 1000, Direction::kBackward);
  ASSERT_EQ(mid.size(), 10u);
  EXPECT_EQ(mid[0].first, 5009 * 1000);
}

}  // namespace
}  // namespace lode
