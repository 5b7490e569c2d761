// Delete requests: persisted, applied to reads at once, rewritten out of
// chunks by compaction after the cancel period, cancellable until then.
#include "storage/deletes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <climits>
#include <filesystem>

#include "storage/store.h"

namespace lode {
namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kHour = 3600LL * 1000000000LL;
constexpr int64_t kNow = 1700000000000LL * kMs;

Labels L(const std::string& s) {
  Labels l;
  EXPECT_TRUE(ParseLabels(s, &l).ok()) << s;
  return l;
}

// `{a="b"}` or `{a="b"} |= "text"` (a stand-in for the server's LogQL compiler).
class TestQuery : public DeleteQuery {
 public:
  TestQuery(Labels sel, std::string needle) : sel_(std::move(sel)), needle_(std::move(needle)) {}
  bool MatchesStream(const Labels& s) const override {
    for (const auto& l : sel_) {
      const std::string* v = FindLabel(s, l.name);
      if (!v || *v != l.value) return false;
    }
    return true;
  }
  bool HasLineFilter() const override { return !needle_.empty(); }
  std::unique_ptr<DeleteLinePredicate> ForStream(const Labels&) const override {
    struct Contains : DeleteLinePredicate {
      std::string n;
      bool Deletes(int64_t, std::string_view line, const LabelView*, size_t) override {
        return line.find(n) != std::string_view::npos;
      }
    };
    auto p = std::make_unique<Contains>();
    p->n = needle_;
    return p;
  }

 private:
  Labels sel_;
  std::string needle_;
};

Status Compile(std::string_view q, std::shared_ptr<const DeleteQuery>* out) {
  std::string needle;
  size_t f = q.find(" |= \"");
  std::string_view sel = q.substr(0, f);
  if (f != std::string_view::npos) needle = std::string(q.substr(f + 5, q.size() - f - 6));
  Labels ls;
  Status s = ParseLabels(sel, &ls);
  if (!s.ok()) return Status::InvalidArgument("invalid query expression: " + s.message());
  *out = std::make_shared<TestQuery>(std::move(ls), needle);
  return Status::OK();
}

class DeletesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lode-deletes-XXXXXX";
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
    o.delete_request_cancel_period_ns = cancel_period_;
    o.delete_compiler = Compile;
    ASSERT_TRUE(Store::Open(o, &store_).ok());
  }
  void Push(const std::string& labels, std::vector<std::pair<int64_t, std::string>> es) {
    std::vector<EntryRef> refs;
    for (auto& [ts, line] : es) refs.push_back({ts, line, nullptr, 0});
    ASSERT_TRUE(store_->Append("fake", L(labels), refs).ok());
  }
  std::vector<std::string> Lines(const std::string& value) {
    MatcherPtr m;
    EXPECT_TRUE(LabelMatcher::Create(MatchType::kEqual, "app", value, &m).ok());
    std::vector<StreamRef> refs;
    EXPECT_TRUE(store_->SelectStreams("fake", {m}, 0, INT64_MAX, &refs).ok());
    std::vector<std::string> out;
    for (const auto& ref : refs) {
      auto st = store_->ScanStream(
          "fake", ref.id, 0, INT64_MAX, Direction::kForward,
          [&](const EntryBatch& b) {
            for (auto l : b.line) out.emplace_back(l);
            return true;
          },
          nullptr);
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    return out;
  }
  DeleteRequest Add(const std::string& query, int64_t start, int64_t end) {
    DeleteRequest r;
    r.tenant = "fake";
    r.query = query;
    r.start_ns = start;
    r.end_ns = end;
    Status s = store_->AddDeleteRequest(&r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }
  void SetMode(bool filter, bool physical) {
    TenantRetention t;
    t.filter_deletes = filter;
    t.physical_deletes = physical;
    store_->SetRetentionPolicy(std::make_shared<RetentionPolicy>(
        t, std::map<std::string, TenantRetention, std::less<>>{}));
  }

  std::string dir_;
  std::atomic<int64_t> now_{kNow};
  int64_t cancel_period_ = 0;
  std::unique_ptr<Store> store_;
};

TEST_F(DeletesTest, HidesAtOnceThenRewritesChunksAndIsProcessed) {
  int64_t t = kNow - kHour;
  Push(R"({app="a"})", {{t, "keep 1"},
                        {t + kMs, "secret 2"},
                        {t + 2 * kMs, "keep 3"},
                        {t + 5 * kMs, "secret late"}});
  ASSERT_TRUE(store_->Flush().ok());
  Push(R"({app="a"})", {{t + 3 * kMs, "secret in head"}});
  Push(R"({app="b"})", {{t + kMs, "secret of b"}});
  // Inclusive range [t, t+3ms]: "secret late" (t+5ms) stays.
  DeleteRequest r = Add(R"({app="a"} |= "secret")", t, t + 3 * kMs);
  EXPECT_EQ(r.request_id.size(), 8u);
  EXPECT_EQ(r.created_at_ns, kNow);
  auto want = std::vector<std::string>{"keep 1", "keep 3", "secret late"};
  EXPECT_EQ(Lines("a"), want);
  EXPECT_EQ(Lines("b"), std::vector<std::string>{"secret of b"});

  CompactionReport rep;
  ASSERT_TRUE(store_->RunCompaction(&rep).ok());
  EXPECT_EQ(rep.delete_requests_processed, 1u);
  EXPECT_EQ(rep.entries_deleted, 2u);
  EXPECT_EQ(rep.heads_cut, 1u);
  EXPECT_EQ(rep.chunks_rewritten, 1u);
  EXPECT_EQ(rep.chunks_deleted, 1u);  // the chunk cut from the head held only a deleted entry
  std::vector<DeleteRequest> list;
  ASSERT_TRUE(store_->ListDeleteRequests("fake", &list).ok());
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(list[0].processed);
  // The entries are physically gone: still absent with query-time filtering off.
  SetMode(false, false);
  EXPECT_EQ(Lines("a"), want);
  // Processed requests cannot be cancelled.
  EXPECT_EQ(store_->CancelDeleteRequest("fake", r.request_id).code(),
            Status::Code::kInvalidArgument);
}

TEST_F(DeletesTest, CancelPeriodCancellationAndPersistence) {
  cancel_period_ = 24 * kHour;
  store_.reset();
  Open();
  int64_t t = kNow - kHour;
  Push(R"({app="a"})", {{t, "x1"}, {t + kMs, "x2"}});
  ASSERT_TRUE(store_->Flush().ok());
  DeleteRequest whole = Add(R"({app="a"})", t, t);
  now_ += kMs;  // listed in creation order
  DeleteRequest other = Add(R"({app="zzz"})", t, t + kHour);
  EXPECT_NE(whole.request_id, other.request_id);
  EXPECT_EQ(Lines("a"), std::vector<std::string>{"x2"});
  // Within the cancel period nothing is rewritten.
  CompactionReport rep;
  ASSERT_TRUE(store_->RunCompaction(&rep).ok());
  EXPECT_EQ(rep.delete_requests_processed, 0u);
  // Requests survive a restart and still apply.
  store_.reset();
  Open();
  std::vector<DeleteRequest> list;
  ASSERT_TRUE(store_->ListDeleteRequests("fake", &list).ok());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].query, R"({app="a"})");
  EXPECT_EQ(list[0].start_ns, t);
  EXPECT_FALSE(list[0].processed);
  EXPECT_EQ(Lines("a"), std::vector<std::string>{"x2"});
  ASSERT_TRUE(store_->ListDeleteRequests("other-tenant", &list).ok());
  EXPECT_TRUE(list.empty());
  // Cancelling brings the data back; unknown ids are 404s.
  ASSERT_TRUE(store_->CancelDeleteRequest("fake", whole.request_id).ok());
  EXPECT_EQ(Lines("a"), (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(store_->CancelDeleteRequest("fake", whole.request_id).code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->CancelDeleteRequest("other-tenant", other.request_id).code(),
            Status::Code::kNotFound);
  // After the cancel period the remaining request is processed.
  now_ += 25 * kHour;
  ASSERT_TRUE(store_->RunCompaction(&rep).ok());
  EXPECT_EQ(rep.delete_requests_processed, 1u);
  EXPECT_EQ(rep.entries_deleted, 0u);
}

TEST_F(DeletesTest, FilterOnlyModeNeverRewritesAndDisabledIgnores) {
  int64_t t = kNow - kHour;
  Push(R"({app="a"})", {{t, "x1"}, {t + kMs, "x2"}});
  ASSERT_TRUE(store_->Flush().ok());
  Add(R"({app="a"})", t, t + kMs);
  SetMode(true, false);
  CompactionReport rep;
  ASSERT_TRUE(store_->RunCompaction(&rep).ok());
  EXPECT_EQ(rep.delete_requests_processed, 0u);
  EXPECT_TRUE(Lines("a").empty());
  SetMode(false, false);
  EXPECT_EQ(Lines("a").size(), 2u);
}

TEST_F(DeletesTest, RejectsInvalidQueries) {
  DeleteRequest r;
  r.tenant = "fake";
  r.query = "{app=";
  Status s = store_->AddDeleteRequest(&r);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("invalid query expression: ", 0), 0u) << s.message();
  // The default compiler accepts plain equality selectors.
  std::shared_ptr<const DeleteQuery> q;
  ASSERT_TRUE(CompileSimpleDeleteQuery(R"({app="a", env="p"})", &q).ok());
  EXPECT_TRUE(q->MatchesStream(L(R"({app="a", env="p", x="y"})")));
  EXPECT_FALSE(q->MatchesStream(L(R"({app="a"})")));
  EXPECT_FALSE(q->HasLineFilter());
}

}  // namespace
}  // namespace lode
