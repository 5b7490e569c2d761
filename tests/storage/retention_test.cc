// Retention: Loki's rule selection, read-time hiding of expired data, and
// compaction runs that drop chunks, head records and index days and release
// disk space.
#include "storage/retention.h"

#include <gtest/gtest.h>

#include <atomic>
#include <climits>
#include <filesystem>
#include <random>

#include "storage/store.h"

namespace lode {
namespace {

constexpr int64_t kDay = 86400LL * 1000000000LL;
constexpr int64_t kNow = 20000 * kDay + 12 * 3600LL * 1000000000LL;  // midday

Labels L(const std::string& s) {
  Labels l;
  EXPECT_TRUE(ParseLabels(s, &l).ok()) << s;
  return l;
}

RetentionStreamRule Rule(const std::string& name, const std::string& value, int priority,
                         int64_t period) {
  RetentionStreamRule r;
  r.selector = "{" + name + "=\"" + value + "\"}";
  MatcherPtr m;
  EXPECT_TRUE(LabelMatcher::Create(MatchType::kEqual, name, value, &m).ok());
  r.matchers.push_back(m);
  r.priority = priority;
  r.period_ns = period;
  return r;
}

TEST(RetentionPolicyTest, HighestPriorityThenShortestPeriodThenTenantDefault) {
  TenantRetention defaults;
  defaults.period_ns = 7 * kDay;
  defaults.streams = {Rule("ns", "dev", 1, 2 * kDay), Rule("app", "x", 1, 3 * kDay),
                      Rule("app", "y", 5, 30 * kDay)};
  TenantRetention tenant_a;
  tenant_a.period_ns = 30 * kDay;
  TenantRetention forever;
  RetentionPolicy p(defaults, {{"a", tenant_a}, {"forever", forever}});
  EXPECT_EQ(p.PeriodFor("other", L(R"({ns="prod"})")), 7 * kDay);
  EXPECT_EQ(p.PeriodFor("other", L(R"({ns="dev"})")), 2 * kDay);
  // Same priority: the shortest period wins.
  EXPECT_EQ(p.PeriodFor("other", L(R"({app="x", ns="dev"})")), 2 * kDay);
  // Higher priority wins even with a longer period.
  EXPECT_EQ(p.PeriodFor("other", L(R"({app="y", ns="dev"})")), 30 * kDay);
  // Per-tenant overrides replace the defaults, rules included.
  EXPECT_EQ(p.PeriodFor("a", L(R"({ns="dev"})")), 30 * kDay);
  EXPECT_EQ(p.CutoffFor("a", L(R"({ns="dev"})"), kNow), kNow - 30 * kDay);
  EXPECT_EQ(p.CutoffFor("forever", L(R"({ns="dev"})"), kNow), INT64_MIN);
  EXPECT_FALSE(p.KeepsEverything());
  EXPECT_TRUE(RetentionPolicy().KeepsEverything());
}

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lode-retention-XXXXXX";
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
    o.clock = [this] { return now_.load(); };
    ASSERT_TRUE(Store::Open(o, &store_).ok());
  }
  void SetPolicy(int64_t period, std::vector<RetentionStreamRule> rules = {}) {
    TenantRetention t;
    t.period_ns = period;
    t.streams = std::move(rules);
    store_->SetRetentionPolicy(std::make_shared<RetentionPolicy>(
        t, std::map<std::string, TenantRetention, std::less<>>{}));
  }
  void Push(const std::string& labels, std::vector<std::pair<int64_t, std::string>> es) {
    std::vector<EntryRef> refs;
    for (auto& [ts, line] : es) refs.push_back({ts, line, nullptr, 0});
    ASSERT_TRUE(store_->Append("fake", L(labels), refs).ok());
  }
  std::vector<StreamRef> Select(const std::string& name, const std::string& value, int64_t s,
                                int64_t e) {
    MatcherPtr m;
    EXPECT_TRUE(LabelMatcher::Create(MatchType::kEqual, name, value, &m).ok());
    std::vector<StreamRef> refs;
    EXPECT_TRUE(store_->SelectStreams("fake", {m}, s, e, &refs).ok());
    return refs;
  }
  std::vector<int64_t> Timestamps(const std::string& name, const std::string& value) {
    std::vector<int64_t> out;
    // Select over all time with everything kept, so that hidden-but-present
    // data and physically deleted data can be told apart by the caller.
    for (const auto& ref : Select(name, value, 0, INT64_MAX)) {
      auto st = store_->ScanStream(
          "fake", ref.id, 0, INT64_MAX, Direction::kForward,
          [&](const EntryBatch& b) {
            out.insert(out.end(), b.ts.begin(), b.ts.end());
            return true;
          },
          nullptr);
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    return out;
  }
  uint64_t DirBytes() {
    uint64_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_))
      if (e.is_regular_file()) n += e.file_size();
    return n;
  }

  std::string dir_;
  std::atomic<int64_t> now_{kNow};
  std::unique_ptr<Store> store_;
};

TEST_F(RetentionTest, ReadsHideExpiredDataBeforeAnyCompaction) {
  Push(R"({app="a"})", {{kNow - 10 * kDay, "old"}, {kNow - kDay, "recent"}});
  ASSERT_TRUE(store_->Flush().ok());
  Push(R"({app="a"})",
       {{kNow - 9 * kDay, "old head"}, {kNow - 3600LL * 1000000000, "recent head"}});
  Push(R"({app="gone"})", {{kNow - 9 * kDay, "only old"}});
  EXPECT_EQ(Timestamps("app", "a").size(), 4u);
  SetPolicy(7 * kDay);
  EXPECT_EQ(Timestamps("app", "a"),
            (std::vector<int64_t>{kNow - kDay, kNow - 3600LL * 1000000000}));
  // A stream whose data all expired disappears from selections over old days.
  EXPECT_TRUE(Select("app", "gone", kNow - 10 * kDay, kNow - 8 * kDay).empty());
  std::vector<std::string> names;
  ASSERT_TRUE(store_->LabelNames("fake", {}, kNow - 10 * kDay, kNow - 8 * kDay, &names).ok());
  EXPECT_TRUE(names.empty());
  EXPECT_EQ(store_->RetentionCutoff("fake", L(R"({app="a"})")), kNow - 7 * kDay);
  // Nothing was deleted: with retention off the data is back.
  SetPolicy(0);
  EXPECT_EQ(Timestamps("app", "a").size(), 4u);
}

// The label browser answers from per-day label sets only where no stream's
// retention ends inside the range; a stream rule shorter than the tenant's
// period must still hide what it expired.
TEST_F(RetentionTest, LabelBrowserHonoursStreamRulesShorterThanTheDefault) {
  Push(R"({app="a", zone="z1"})", {{kNow - 9 * kDay, "a old"}, {kNow - kDay, "a recent"}});
  Push(R"({app="gone", zone="z2"})", {{kNow - 9 * kDay, "only old"}});
  auto values = [&](const std::string& name, int64_t s, int64_t e) {
    std::vector<std::string> out;
    EXPECT_TRUE(store_->LabelValues("fake", name, {}, s, e, &out).ok());
    return out;
  };
  SetPolicy(30 * kDay);
  EXPECT_EQ(values("app", kNow - 10 * kDay, kNow), (std::vector<std::string>{"a", "gone"}));
  SetPolicy(30 * kDay, {Rule("app", "gone", 1, 7 * kDay)});
  EXPECT_EQ(values("app", kNow - 10 * kDay, kNow), (std::vector<std::string>{"a"}));
  EXPECT_EQ(values("zone", kNow - 10 * kDay, kNow - 8 * kDay), (std::vector<std::string>{"z1"}));
  std::vector<std::string> names;
  ASSERT_TRUE(store_->LabelNames("fake", {}, kNow - 2 * kDay, kNow, &names).ok());
  EXPECT_EQ(names, (std::vector<std::string>{"app", "zone"}));
  // Days wholly inside every period: the day-wide sets, merged over days.
  Push(R"({app="b", host="h"})", {{kNow - 2 * kDay, "b"}});
  EXPECT_EQ(values("app", kNow - 3 * kDay, kNow), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(values("host", kNow - 3 * kDay, kNow), (std::vector<std::string>{"h"}));
  EXPECT_TRUE(values("host", kNow - kDay, kNow).empty());
  EXPECT_TRUE(values("nope", kNow - 3 * kDay, kNow).empty());
}

TEST_F(RetentionTest, CompactionDropsExpiredChunksHeadsAndIndexDays) {
  Push(R"({app="a"})", {{kNow - 10 * kDay, "old chunk"}});
  ASSERT_TRUE(store_->Flush().ok());
  Push(R"({app="a"})", {{kNow - 9 * kDay, "old head"}});  // stays in the head
  Push(R"({app="b"})", {{kNow - kDay, "b recent"}});
  // Reopen: the heads' oldest timestamps are recovered from the head records.
  store_.reset();
  Open();
  SetPolicy(7 * kDay);
  CompactionReport r;
  ASSERT_TRUE(store_->RunCompaction(&r).ok());
  EXPECT_EQ(r.heads_cut, 1u);
  EXPECT_EQ(r.chunks_deleted, 2u);
  EXPECT_EQ(r.streams_expired, 1u);
  EXPECT_EQ(r.index_keys_deleted, 4u);  // two days x (day key + one label key)
  // Physically gone: visible neither with retention off nor after reopening.
  SetPolicy(0);
  EXPECT_TRUE(Timestamps("app", "a").empty());
  EXPECT_TRUE(Select("app", "a", 0, INT64_MAX).empty());  // its index days are gone
  EXPECT_EQ(Timestamps("app", "b").size(), 1u);
  store_.reset();
  Open();
  EXPECT_TRUE(Timestamps("app", "a").empty());
  EXPECT_EQ(Timestamps("app", "b").size(), 1u);
  // A second run finds nothing left to do.
  SetPolicy(7 * kDay);
  ASSERT_TRUE(store_->RunCompaction(&r).ok());
  EXPECT_EQ(r.chunks_deleted + r.index_keys_deleted + r.heads_cut, 0u);
}

TEST_F(RetentionTest, StreamRulesAndStraddlingChunks) {
  const int64_t h = 3600LL * 1000000000;
  // One chunk per stream (same UTC day) from 2d-1h to 2d+1h ago.
  Push(R"({app="a", ns="dev"})",
       {{kNow - 2 * kDay - h, "dev old"}, {kNow - 2 * kDay + h, "dev new"}});
  Push(R"({app="a", ns="prod"})",
       {{kNow - 2 * kDay - h, "prod old"}, {kNow - 2 * kDay + h, "prod new"}});
  ASSERT_TRUE(store_->Flush().ok());
  SetPolicy(7 * kDay, {Rule("ns", "dev", 1, 2 * kDay)});
  CompactionReport r;
  ASSERT_TRUE(store_->RunCompaction(&r).ok());
  // The dev chunk straddles its cutoff: kept whole, its old entry hidden.
  EXPECT_EQ(r.chunks_deleted, 0u);
  EXPECT_EQ(Timestamps("ns", "dev"), (std::vector<int64_t>{kNow - 2 * kDay + h}));
  EXPECT_EQ(Timestamps("ns", "prod").size(), 2u);
  // Once the whole chunk is older than two days it goes.
  now_ += kDay;
  ASSERT_TRUE(store_->RunCompaction(&r).ok());
  EXPECT_EQ(r.chunks_deleted, 1u);
  SetPolicy(0);
  EXPECT_TRUE(Timestamps("ns", "dev").empty());
  EXPECT_EQ(Timestamps("ns", "prod").size(), 2u);
}

TEST_F(RetentionTest, HeadsAreCutIntoOneChunkPerDay) {
  // Old and new entries pushed together end up in separate chunks, so the
  // old ones can be dropped whole.
  Push(R"({app="a"})",
       {{kNow - 9 * kDay, "old"}, {kNow - kDay, "recent"}, {kNow - 9 * kDay + 1, "old 2"}});
  ASSERT_TRUE(store_->Flush().ok());
  SetPolicy(7 * kDay);
  CompactionReport r;
  ASSERT_TRUE(store_->RunCompaction(&r).ok());
  EXPECT_EQ(r.chunks_deleted, 1u);
  SetPolicy(0);
  EXPECT_EQ(Timestamps("app", "a"), (std::vector<int64_t>{kNow - kDay}));
}

TEST_F(RetentionTest, CompactionReleasesDiskSpace) {
  std::mt19937_64 rng(42);
  auto line = [&] {
    std::string s(1000, ' ');
    for (auto& c : s) c = static_cast<char>('!' + rng() % 90);
    return s;
  };
  // About 8 MB of incompressible lines, 10 days old, then a little recent data.
  for (int batch = 0; batch < 8; ++batch) {
    std::vector<std::pair<int64_t, std::string>> es;
    for (int i = 0; i < 1000; ++i)
      es.push_back({kNow - 10 * kDay + (batch * 1000 + i) * 1000000LL, line()});
    Push(R"({app="big"})", es);
    ASSERT_TRUE(store_->Flush().ok());
  }
  Push(R"({app="small"})", {{kNow - kDay, line()}});
  ASSERT_TRUE(store_->Flush().ok());
  uint64_t before = DirBytes();
  SetPolicy(7 * kDay);
  CompactionReport r;
  ASSERT_TRUE(store_->RunCompaction(&r).ok());
  EXPECT_GE(r.chunks_deleted, 8u);
  EXPECT_GT(r.disk_bytes_before, 6000000u);
  EXPECT_LT(r.disk_bytes_after, r.disk_bytes_before / 10)
      << r.disk_bytes_before << " -> " << r.disk_bytes_after;
  uint64_t after = DirBytes();
  EXPECT_LT(after, before / 2) << before << " -> " << after;
  EXPECT_EQ(Timestamps("app", "small").size(), 1u);
}

}  // namespace
}  // namespace lode
