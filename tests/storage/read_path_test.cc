// The read path's shortcuts: the needle pre-filter of ScanStreamContaining
// and the per-stream chunk list cache (store_read.cc), which must never
// hide or resurrect entries across cuts, retention and concurrent appends.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/needle_filter.h"
#include "storage/store.h"

namespace lode {
namespace {

EntryBatch BatchOf(const std::vector<std::string_view>& lines) {
  EntryBatch b;
  b.md_begin.push_back(0);
  for (size_t i = 0; i < lines.size(); ++i) {
    b.ts.push_back(static_cast<int64_t>(i));
    b.line.push_back(lines[i]);
    b.md_begin.push_back(0);
  }
  return b;
}

// Lines cut out of one buffer, as a decoded block hands them out.
std::vector<std::string_view> Split(const std::string& buf, const std::vector<size_t>& lens) {
  std::vector<std::string_view> out;
  size_t off = 0;
  for (size_t n : lens) {
    out.push_back(std::string_view(buf).substr(off, n));
    off += n;
  }
  return out;
}

std::vector<int64_t> Ts(const EntryBatch& b) { return b.ts; }

TEST(NeedleFilterTest, OneRunOfLinesForwardAndBackward) {
  // "needle" at the end of line 0, straddling lines 2/3, and inside line 4.
  const std::string buf =
      "aaneedle"
      "xx"
      "bbnee"
      "dlecc"
      "needle!"
      "";
  auto lines = Split(buf, {8, 2, 5, 5, 7, 0});
  NeedleFilter f("needle");
  EntryBatch fwd = BatchOf(lines);
  EXPECT_EQ(Ts(f.Apply(fwd)), (std::vector<int64_t>{0, 4}));
  // Backward batch: the same lines in reverse index order.
  std::vector<std::string_view> rev(lines.rbegin(), lines.rend());
  EntryBatch bwd = BatchOf(rev);
  const EntryBatch& got = f.Apply(bwd);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got.line[0], "needle!");
  EXPECT_EQ(got.line[1], "aaneedle");
}

TEST(NeedleFilterTest, ScatteredLinesAreSearchedOneByOne) {
  std::string a = "one needle", b = "none", c = "needle two";
  EntryBatch in = BatchOf({a, b, c});
  NeedleFilter f("needle");
  EXPECT_EQ(Ts(f.Apply(in)), (std::vector<int64_t>{0, 2}));
}

TEST(NeedleFilterTest, KeepsMetadataAndReturnsInputWhenAllMatch) {
  const std::string buf =
      "x needle"
      "no"
      "needle y";
  auto lines = Split(buf, {8, 2, 8});
  EntryBatch in = BatchOf(lines);
  LabelView md{"k", "v"};
  in.md = {md, md};
  in.md_begin = {0, 1, 1, 2};
  NeedleFilter f("needle");
  const EntryBatch& out = f.Apply(in);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out.md_begin, (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_EQ(out.md[1].value, "v");
  EntryBatch one = BatchOf({lines[0]});
  EXPECT_EQ(&f.Apply(one), &one);  // every line matches: the input itself
  NeedleFilter none("");
  EXPECT_EQ(&none.Apply(in), &in);
}

class ReadPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lode-readpath-XXXXXX";
    dir_ = mkdtemp(tmpl);
    StoreOptions o;
    o.dir = dir_;
    o.background_flush = false;
    o.clock = [this] { return now_.load(); };
    ASSERT_TRUE(Store::Open(o, &store_).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Push(int64_t ts, const std::string& line) {
    Labels l;
    ASSERT_TRUE(ParseLabels(R"({app="a"})", &l).ok());
    EntryRef e{ts, line, nullptr, 0};
    ASSERT_TRUE(store_->Append("fake", l, {&e, 1}).ok());
  }
  uint64_t Id() {
    std::vector<StreamRef> refs;
    EXPECT_TRUE(store_->SelectStreams("fake", {}, 0, INT64_MAX, &refs).ok());
    return refs.empty() ? 0 : refs[0].id;
  }
  std::vector<int64_t> Scan(std::string_view needle = {}) {
    std::vector<int64_t> out;
    Status s = store_->ScanStreamContaining(
        "fake", Id(), 0, INT64_MAX, Direction::kForward, needle,
        [&](const EntryBatch& b) {
          out.insert(out.end(), b.ts.begin(), b.ts.end());
          return true;
        },
        nullptr);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  // One compaction run with a 7-day retention, then retention off again
  // (so reads show what is physically left).
  CompactionReport CompactWithWeekRetention() {
    TenantRetention t;
    t.period_ns = 7 * kDay;
    store_->SetRetentionPolicy(std::make_shared<RetentionPolicy>(
        t, std::map<std::string, TenantRetention, std::less<>>{}));
    CompactionReport r;
    EXPECT_TRUE(store_->RunCompaction(&r).ok());
    store_->SetRetentionPolicy(nullptr);
    return r;
  }

  static constexpr int64_t kDay = 86400LL * 1000000000;
  static constexpr int64_t kNow = 20000 * kDay;
  std::string dir_;
  std::atomic<int64_t> now_{kNow};
  std::unique_ptr<Store> store_;
};

TEST_F(ReadPathTest, CachedChunkListFollowsCutsAndRetention) {
  Push(kNow - 10 * kDay, "old needle");
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Scan("needle"), (std::vector<int64_t>{kNow - 10 * kDay}));  // lists and caches
  Push(kNow - kDay, "new needle");
  EXPECT_EQ(Scan("needle").size(), 2u);  // from the head
  ASSERT_TRUE(store_->Flush().ok());     // a new chunk: the cached list is stale
  EXPECT_EQ(Scan("needle"), (std::vector<int64_t>{kNow - 10 * kDay, kNow - kDay}));
  EXPECT_EQ(Scan("absent"), (std::vector<int64_t>{}));
  // Retention deletes the old chunk: no scan may look for it any more.
  CompactionReport r = CompactWithWeekRetention();
  EXPECT_EQ(r.chunks_deleted, 1u);
  EXPECT_EQ(Scan(), (std::vector<int64_t>{kNow - kDay}));
  EXPECT_EQ(Scan("needle"), (std::vector<int64_t>{kNow - kDay}));
}

TEST_F(ReadPathTest, CachedDayStreamListsFollowNewStreamsAndPrunedDays) {
  auto names = [&](int64_t start, int64_t end) {
    std::vector<std::string> out;
    EXPECT_TRUE(store_->LabelNames("fake", {}, start, end, &out).ok());
    return out;
  };
  Push(kNow - 10 * kDay, "old");
  EXPECT_EQ(names(0, INT64_MAX), (std::vector<std::string>{"app"}));  // caches the day's list
  Labels b;
  ASSERT_TRUE(ParseLabels(R"({job="b", zone="z"})", &b).ok());
  EntryRef e{kNow - 10 * kDay + 1, "new stream, same day", nullptr, 0};
  ASSERT_TRUE(store_->Append("fake", b, {&e, 1}).ok());
  EXPECT_EQ(names(0, INT64_MAX), (std::vector<std::string>{"app", "job", "zone"}));
  std::vector<std::string> values;
  ASSERT_TRUE(store_->LabelValues("fake", "zone", {}, 0, INT64_MAX, &values).ok());
  EXPECT_EQ(values, (std::vector<std::string>{"z"}));
  // Retention prunes the day from the index: the cached list must go too.
  CompactionReport r = CompactWithWeekRetention();
  EXPECT_GT(r.index_keys_deleted, 0u);
  EXPECT_TRUE(names(0, INT64_MAX).empty());
}

// Scans racing head cuts: every entry acknowledged before a scan starts is
// in it exactly once (a cached list paired with a snapshot taken after a
// cut would miss the cut's chunk; one taken before would see it twice).
TEST_F(ReadPathTest, ScansRacingCutsSeeEveryAcknowledgedEntryOnce) {
  std::atomic<int64_t> acked{0};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int64_t i = 1; i <= 200; ++i) {
      Push(kNow - kDay + i, "line " + std::to_string(i));
      acked = i;
      if (i % 3 == 0) {
        EXPECT_TRUE(store_->Flush().ok());
      }
    }
    done = true;
  });
  int scans = 0;
  while (!done || scans < 5) {
    const int64_t before = acked.load();
    if (before == 0) continue;
    std::vector<int64_t> got = Scan();
    ASSERT_GE(got.size(), static_cast<size_t>(before)) << "after " << scans << " scans";
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(got[i], kNow - kDay + 1 + static_cast<int64_t>(i));
    ++scans;
  }
  writer.join();
  EXPECT_EQ(Scan().size(), 200u);
}

}  // namespace
}  // namespace lode
