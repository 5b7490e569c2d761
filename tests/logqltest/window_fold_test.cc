// Folding the samples of additive range functions between window edges
// (logql::WindowFold, EngineOptions::fold_windows) changes no answer: the
// same queries over the same store, with and without folding, give the same
// series and bit-identical values — instant and range queries, steps shorter
// and longer than the range, offsets, grouping, lines in chunks and heads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "logql/engine.h"
#include "logql/range_agg.h"
#include "logql/syntax/parser.h"
#include "storage/store.h"

namespace lode {
namespace {

constexpr int64_t kSec = 1000000000LL;
constexpr int64_t kT0 = 1700000000LL * kSec;

class WindowFoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lode-fold-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    StoreOptions o;
    o.dir = dir_;
    o.background_flush = false;
    o.clock = [] { return kT0 + 3600 * kSec; };
    ASSERT_TRUE(Store::Open(o, &store_).ok());
    // 6 streams over an hour, lines at random moments (some sharing a
    // timestamp, some exactly on a window edge), half cut into chunks.
    std::mt19937_64 rng(42);
    for (int round = 0; round < 2; ++round) {
      for (int s = 0; s < 6; ++s) {
        Labels l{{"app", s % 2 ? "api" : "web"}, {"pod", "p" + std::to_string(s)}};
        std::vector<std::string> lines;
        std::vector<int64_t> ts;
        for (int i = 0; i < 400; ++i) {
          int64_t t = kT0 + round * 1800 * kSec + static_cast<int64_t>(rng() % (1800 * kSec));
          if (i % 25 == 0) t = kT0 + (rng() % 60) * 60 * kSec;  // on a minute
          if (i % 40 == 1 && !ts.empty()) t = ts.back();
          ts.push_back(t);
          lines.push_back(std::string(1 + rng() % 50, 'x') + (i % 3 ? " level=info" : " level=error"));
        }
        std::sort(ts.begin(), ts.end());
        std::vector<EntryRef> es;
        for (size_t i = 0; i < ts.size(); ++i) es.push_back({ts[i], lines[i], nullptr, 0});
        ASSERT_TRUE(store_->Append("fake", l, es).ok());
      }
      if (round == 0) {
        ASSERT_TRUE(store_->Flush().ok());
      }
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  logql::QueryResult Run(const logql::QueryRequest& req, bool fold) {
    logql::EngineOptions o;
    o.fold_windows = fold;
    logql::Engine engine(store_.get(), o);
    logql::QueryResult r;
    Status st = engine.Query(req, &r);
    EXPECT_TRUE(st.ok()) << req.query << ": " << st.message();
    return r;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(WindowFoldTest, FoldedAndUnfoldedAnswersAreIdentical) {
  const char* queries[] = {
      "count_over_time({app=~\".+\"}[5m])",
      "sum by (app) (rate({app=~\".+\"} |= \"error\" [90s]))",
      "bytes_over_time({app=\"api\"}[7m])",
      "sum(bytes_rate({app=~\".+\"} | logfmt | level=\"info\" [1m]))",
      "count_over_time({app=\"web\"}[10m] offset 3m)",
      "absent_over_time({app=\"web\"}[1m])",
      "sum without (pod) (count_over_time({app=~\".+\"}[33s]))",
  };
  struct Shape {
    bool instant;
    int64_t start, end, step;
  };
  const Shape shapes[] = {
      {false, kT0, kT0 + 3600 * kSec, 60 * kSec},       // step == a minute, ranges around it
      {false, kT0 + 17 * kSec, kT0 + 3000 * kSec, 7 * kSec},  // step far below the range
      {false, kT0, kT0 + 3600 * kSec, 900 * kSec},      // step far above the range: gaps
      {false, kT0 + 600 * kSec, kT0 + 600 * kSec, 60 * kSec},  // one step
      {true, 0, kT0 + 1800 * kSec, 0},
      {true, 0, kT0 + 3599 * kSec, 0},
  };
  int folded_series = 0;
  for (const char* q : queries) {
    for (const Shape& sh : shapes) {
      logql::QueryRequest req;
      req.query = q;
      req.instant = sh.instant;
      req.start_ns = sh.instant ? sh.end : sh.start;
      req.end_ns = sh.end;
      req.step_ns = sh.step;
      SCOPED_TRACE(std::string(q) + (sh.instant ? " instant at " : " range from ") +
                   std::to_string((req.start_ns - kT0) / kSec) + " step " +
                   std::to_string(sh.step / kSec));
      logql::QueryResult a = Run(req, false), b = Run(req, true);
      ASSERT_EQ(a.type, b.type);
      ASSERT_EQ(a.metric.series.size(), b.metric.series.size());
      for (size_t i = 0; i < a.metric.series.size(); ++i) {
        const auto& x = a.metric.series[i];
        const auto& y = b.metric.series[i];
        ASSERT_EQ(LabelsToString(x.metric), LabelsToString(y.metric));
        ASSERT_EQ(x.points.size(), y.points.size()) << LabelsToString(x.metric);
        for (size_t k = 0; k < x.points.size(); ++k) {
          EXPECT_EQ(x.points[k].t_ns, y.points[k].t_ns);
          EXPECT_EQ(x.points[k].v, y.points[k].v) << "at " << (x.points[k].t_ns - kT0) / kSec;
        }
        if (!x.points.empty()) ++folded_series;
      }
    }
  }
  EXPECT_GT(folded_series, 50);  // the comparison saw answers
}

// Two samples fold only when every window holds both or neither, and do
// fold within one window edge interval.
TEST(WindowFold, SameIntervalMeansSameWindows) {
  logql::ExprPtr expr;
  ASSERT_TRUE(logql::ParseExpr("count_over_time({a=\"b\"}[50s] offset 5s)", &expr).ok());
  logql::EvalParams p;
  p.start_ns = 1000 * kSec;
  p.end_ns = 1300 * kSec;
  p.step_ns = 30 * kSec;
  logql::WindowFold fold(*expr, p);
  ASSERT_TRUE(fold.Enabled());
  auto windows = [&](int64_t ts) {
    std::vector<bool> in;
    for (int64_t t = p.start_ns; t <= p.end_ns; t += p.step_ns)
      in.push_back(ts > t - 5 * kSec - 50 * kSec && ts <= t - 5 * kSec);
    return in;
  };
  std::mt19937_64 rng(7);
  int folded = 0;
  for (int i = 0; i < 20000; ++i) {
    int64_t a = 900 * kSec + static_cast<int64_t>(rng() % (450 * kSec));
    int64_t b = a + static_cast<int64_t>(rng() % (40 * kSec));
    if (i % 3 == 0) a = (a / kSec) * kSec, b = (b / (5 * kSec)) * 5 * kSec;  // edges
    if (b < a) continue;
    if (!fold.SameInterval(a, b)) continue;
    ++folded;
    EXPECT_EQ(windows(a), windows(b)) << a << " " << b;
  }
  EXPECT_GT(folded, 2000);
  // Edges at 945, 975, 995, 1005, 1025, 1035, ... s (and none past 1295 s).
  EXPECT_TRUE(fold.SameInterval(995 * kSec + 1, 1005 * kSec));
  EXPECT_FALSE(fold.SameInterval(995 * kSec, 995 * kSec + 1));
  EXPECT_TRUE(fold.SameInterval(1296 * kSec, 5000 * kSec));
  logql::ExprPtr unwrap;
  ASSERT_TRUE(logql::ParseExpr("sum_over_time({a=\"b\"} | unwrap x [1m])", &unwrap).ok());
  EXPECT_FALSE(logql::WindowFold(*unwrap, p).Enabled());
}

}  // namespace
}  // namespace lode
