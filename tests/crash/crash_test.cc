// Crash tests: the real build/lode killed with SIGKILL at random moments
// (seeded; the seed is printed, LODE_CRASH_SEED=N reruns one) while it
// ingests, cuts heads, runs compactions with retention, applies delete
// requests, collects a file that is being written and evaluates an alerting
// rule. After every restart: the store opens, every acknowledged entry is
// there exactly once, acknowledged deletes and expired entries stay gone,
// and the collector never stored a line twice; at the end every line of the
// collected file is stored exactly once.
//
// CrashTest.InterruptedCompactionIsResumed: a run killed after it dropped
// expired chunks but before it compacted leaves their bytes on disk; the next
// (clean) run must reclaim them although it finds nothing left to drop.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "tests/collector/collector_harness.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;

constexpr int64_t kMs = 1000000LL;
constexpr int64_t kSec = 1000 * kMs;
constexpr int64_t kHour = 3600 * kSec;
constexpr int64_t kDay = 24 * kHour;
const std::map<std::string, std::string> kProto = {{"Content-Type", "application/x-protobuf"}};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t CountOf(LodeProcess& lode, const std::string& selector) {
  auto r = lode.Get("/loki/api/v1/query?query=" + Q("sum(count_over_time(" + selector + "[26h]))") +
                    "&time=" + std::to_string(NowNs()));
  if (r.status != 200) return -1;
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) return -1;
  if (j["data"]["result"].empty()) return 0;
  return std::stoll(j["data"]["result"][0]["value"][1].get<std::string>());
}

// Every entry of a log selector in [start, end), paging forward 5000 at a time.
std::vector<Entry> AllEntries(LodeProcess& lode, const std::string& selector, int64_t start,
                              int64_t end) {
  std::vector<Entry> out;
  for (;;) {
    auto r = lode.Get("/loki/api/v1/query_range?direction=forward&limit=5000&query=" + Q(selector) +
                      "&start=" + std::to_string(start) + "&end=" + std::to_string(end));
    if (r.status != 200) {
      ADD_FAILURE() << r.status << " " << r.body;
      return out;
    }
    auto j = json::parse(r.body);
    std::vector<Entry> page;
    for (const auto& s : j["data"]["result"]) {
      std::map<std::string, std::string> labels;
      for (auto it = s["stream"].begin(); it != s["stream"].end(); ++it)
        labels[it.key()] = it.value();
      for (const auto& v : s["values"])
        page.push_back({std::stoll(v[0].get<std::string>()), v[1].get<std::string>(), labels});
    }
    std::stable_sort(page.begin(), page.end(),
                     [](const Entry& a, const Entry& b) { return a.ts < b.ts; });
    if (page.size() < 5000) {
      out.insert(out.end(), page.begin(), page.end());
      return out;
    }
    // Entries of the last timestamp may continue on the next page: drop them
    // here and start the next page at that timestamp.
    int64_t last = page.back().ts;
    while (!page.empty() && page.back().ts == last) page.pop_back();
    if (page.empty()) {
      ADD_FAILURE() << "more than 5000 entries at one timestamp";
      return out;
    }
    out.insert(out.end(), page.begin(), page.end());
    start = last;
  }
}

// Runs `f` when the scope ends, also when an ASSERT returns early: threads
// still running then would abort the whole test binary.
struct OnExit {
  std::function<void()> f;
  ~OnExit() { f(); }
};

// What a round kills lode in the middle of.
enum class Focus { kIngest, kFlush, kCompaction, kDelete, kCollector, kRuler };
const char* FocusName(Focus f) {
  switch (f) {
    case Focus::kIngest:
      return "ingest";
    case Focus::kFlush:
      return "head cuts (POST /flush)";
    case Focus::kCompaction:
      return "compaction with retention";
    case Focus::kDelete:
      return "delete-request processing";
    case Focus::kCollector:
      return "collector writes";
    case Focus::kRuler:
      return "ruler evaluation";
  }
  return "?";
}

constexpr int kPushers = 2;
constexpr int kBatch = 20;
constexpr int kCollectorLines = 4000;
constexpr int kDoomed = 20;  // entries per doomed batch; the first half is deleted

TEST(CrashTest, Kill9AtRandomMoments) {
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("LODE_CRASH_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::mt19937_64 rng(seed);
  const int rounds = 24;
  fprintf(stderr, "[crash] seed %llu (rerun with LODE_CRASH_SEED=%llu), %d rounds\n",
          static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed), rounds);
  SCOPED_TRACE("LODE_CRASH_SEED=" + std::to_string(seed));

  TempDir d;
  WriteFile(d / "rules/fake/crash.yaml",
            "groups:\n  - name: crash\n    rules:\n      - alert: AlwaysFiring\n"
            "        expr: sum(count_over_time({kind=\"expiring\"}[25h])) >= 0 or vector(1)\n"
            "        for: 2s\n");
  WriteFile(d / "log-sources.yml",
            "log_sources:\n  - name: crashfile\n    path: logs\n    labels: {job: crashfile}\n"
            "    timestamp: read_time\n");
  std::filesystem::create_directories(d / "logs");
  WriteFile(d / "lode.yaml",
            "limits_config:\n"
            "  retention_stream:\n"
            "    - selector: '{kind=\"expiring\"}'\n      priority: 1\n      period: 24h\n"
            "compactor:\n  compaction_interval: 1s\n  delete_request_cancel_period: 0s\n"
            "ingester:\n  max_chunk_age: 2s\n  chunk_idle_period: 1s\n"
            "ruler:\n  storage:\n    type: local\n    local:\n      directory: " +
                (d / "rules") + "\n  rule_path: " + (d / "scratch") +
                "\n  evaluation_interval: 1s\n  poll_interval: 1s\n");
  std::filesystem::create_directories(d / "data");
  LodeProcess lode({"--config", d / "lode.yaml", "--log-sources", d / "log-sources.yml"},
                   d / "data");
  ASSERT_TRUE(lode.Ready());

  // The collected file: numbered lines, written all along, whether lode runs or not.
  std::atomic<bool> stop_writer{false}, burst{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    int fd = open((d / "logs/app.log").c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    while (!stop_writer.load() && written.load() < kCollectorLines) {
      int n = written.load();
      int m = std::min(kCollectorLines, n + (burst.exchange(false) ? 250 : 5));
      std::string s;
      for (int i = n; i < m; ++i) s += "collected line " + std::to_string(i) + "\n";
      if (write(fd, s.data(), s.size()) != static_cast<ssize_t>(s.size())) ADD_FAILURE();
      written = m;
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
    close(fd);
  });
  OnExit stop_writing{[&] {
    stop_writer = true;
    if (writer.joinable()) writer.join();
  }};

  const int64_t base = NowNs() - 2 * kHour;  // durable entries: base + n ms
  int64_t stored[kPushers] = {};             // entries known to be stored, per pusher
  // Doomed batches: round -> whether the push and the delete request were acknowledged.
  std::map<int, std::pair<bool, bool>> doomed;
  const int64_t doomed_base = (NowNs() - kHour) / kSec * kSec;
  int kills = 0;
  std::map<std::string, int> focus_count;

  for (int round = 0; round < rounds; ++round) {
    Focus focus = static_cast<Focus>(round % 6);
    focus_count[FocusName(focus)]++;
    SCOPED_TRACE("round " + std::to_string(round) + " (" + FocusName(focus) + ")");
    std::atomic<bool> stop{false};
    int64_t acked[kPushers];
    std::vector<std::thread> threads;
    std::thread churn;
    OnExit join_round{[&] {
      stop = true;
      for (auto& th : threads)
        if (th.joinable()) th.join();
      if (churn.joinable()) churn.join();
    }};
    for (int p = 0; p < kPushers; ++p) {
      acked[p] = stored[p];
      threads.emplace_back([&, p] {
        std::string labels = "{kind=\"durable\", pusher=\"" + std::to_string(p) + "\"}";
        while (!stop.load()) {
          std::vector<PushEntry> es, exp;
          for (int k = 0; k < kBatch; ++k) {
            int64_t n = acked[p] + k;
            es.push_back({base + n * kMs, "p" + std::to_string(p) + " n" + std::to_string(n), {}});
          }
          // Entries that expire (24h stream rule) a second after they are pushed.
          int64_t now = NowNs();
          exp.push_back({now - kDay + kSec + p, "expiring", {}});
          auto r = HttpRequest(lode.port(), "POST", "/loki/api/v1/push",
                               EncodePush({{labels, es}, {"{kind=\"expiring\"}", exp}}), kProto);
          if (r.status != 204) break;  // the server is gone
          acked[p] += kBatch;
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      });
    }
    // A doomed batch and its delete request, in delete rounds.
    if (focus == Focus::kDelete) {
      std::vector<PushEntry> es;
      int64_t t0 = doomed_base + round * 100 * kSec;
      for (int i = 0; i < kDoomed; ++i)
        es.push_back({t0 + i * kSec + 500 * kMs, "doomed " + std::to_string(i), {}});
      std::string sel = "{kind=\"doomed\", round=\"" + std::to_string(round) + "\"}";
      auto r = lode.Post("/loki/api/v1/push", EncodePush({{sel, es}}), kProto);
      ASSERT_EQ(r.status, 204) << r.body;
      doomed[round] = {true, false};
      r = lode.Post("/loki/api/v1/delete?query=" + Q(sel) + "&start=" + std::to_string(t0 / kSec) +
                        "&end=" + std::to_string(t0 / kSec + kDoomed / 2),
                    "");
      ASSERT_EQ(r.status, 204) << r.body;
      doomed[round].second = true;
    }
    // The focus's own churn.
    churn = std::thread([&] {
      int n = 0;
      while (!stop.load()) {
        if (focus == Focus::kFlush) {
          HttpRequest(lode.port(), "POST", "/flush");
        } else if (focus == Focus::kCompaction || focus == Focus::kDelete) {
          HttpRequest(lode.port(), "POST", "/compactor/run");
        } else if (focus == Focus::kCollector && n++ == 0) {
          burst = true;  // a large write for the collector to commit
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
    });
    int lo = 20, hi = 400;
    if (focus == Focus::kCompaction || focus == Focus::kDelete) lo = 5, hi = 80;
    if (focus == Focus::kRuler) lo = 300, hi = 1500;
    int delay = lo + static_cast<int>(rng() % static_cast<uint64_t>(hi - lo));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    lode.Kill9();
    ++kills;
    stop = true;
    for (auto& th : threads) th.join();
    churn.join();
    ASSERT_TRUE(lode.Start()) << "store did not reopen after kill -9 " << delay << " ms into "
                              << FocusName(focus);

    // Acknowledged entries: all there, once; at most the push in flight extra.
    for (int p = 0; p < kPushers; ++p) {
      int64_t count = CountOf(lode, "{kind=\"durable\", pusher=\"" + std::to_string(p) + "\"}");
      ASSERT_GE(count, acked[p]) << "pusher " << p << ": acknowledged entries lost";
      ASSERT_LE(count, acked[p] + kBatch) << "pusher " << p << ": entries stored twice";
      ASSERT_EQ((count - acked[p]) % kBatch, 0) << "a push was stored in part";
      stored[p] = count;
    }
    // Deleted entries stay deleted; the rest of a doomed batch stays.
    for (const auto& [r, st] : doomed) {
      auto es = AllEntries(lode, "{kind=\"doomed\", round=\"" + std::to_string(r) + "\"}",
                           doomed_base - kHour, NowNs());
      std::set<std::string> lines;
      for (const auto& e : es) lines.insert(e.line);
      EXPECT_EQ(lines.size(), es.size()) << "doomed entries of round " << r << " duplicated";
      if (st.second) {
        EXPECT_EQ(es.size(), static_cast<size_t>(kDoomed / 2)) << "round " << r;
        for (int i = 0; i < kDoomed / 2; ++i)
          EXPECT_EQ(lines.count("doomed " + std::to_string(i)), 0u)
              << "deleted entry came back: round " << r << " entry " << i;
      }
    }
    // Expired entries stay hidden.
    int64_t now = NowNs();
    for (const auto& e : AllEntries(lode, "{kind=\"expiring\"}", now - 25 * kHour, now)) {
      EXPECT_GE(e.ts, now - kDay) << "an expired entry came back";
    }
    // The collector never stored a line twice.
    std::vector<std::string> got = QueryLines(lode, "{job=\"crashfile\"}");
    std::set<std::string> uniq(got.begin(), got.end());
    EXPECT_EQ(uniq.size(), got.size()) << "the collector stored a line twice";
    // The ruler answers (its state file was read back).
    EXPECT_EQ(lode.Get("/prometheus/api/v1/alerts").status, 200);
  }
  EXPECT_EQ(kills, rounds);

  // Every line of the collected file, exactly once.
  stop_writer = true;
  writer.join();
  const int total = written.load();
  std::vector<std::string> got;
  EXPECT_TRUE(WaitFor(
      [&] {
        got = QueryLines(lode, "{job=\"crashfile\"}");
        return got.size() >= static_cast<size_t>(total);
      },
      30000))
      << got.size() << " of " << total << " collected lines stored";
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // anything extra would show now
  got = QueryLines(lode, "{job=\"crashfile\"}");
  std::map<std::string, int> seen;
  for (const auto& l : got) seen[l]++;
  std::string diffs;
  for (int i = 0; i < total && diffs.size() < 300; ++i) {
    int n = seen["collected line " + std::to_string(i)];
    if (n != 1) diffs += std::to_string(i) + " x" + std::to_string(n) + "; ";
  }
  EXPECT_EQ(got.size(), static_cast<size_t>(total));
  EXPECT_TRUE(diffs.empty()) << "collected lines not stored exactly once: " << diffs;

  // Every acknowledged entry, exactly once, with its content.
  for (int p = 0; p < kPushers; ++p) {
    auto es = AllEntries(lode, "{kind=\"durable\", pusher=\"" + std::to_string(p) + "\"}",
                         base - kSec, NowNs());
    ASSERT_EQ(static_cast<int64_t>(es.size()), stored[p]) << "pusher " << p;
    for (int64_t n = 0; n < stored[p]; ++n) {
      ASSERT_EQ(es[n].ts, base + n * kMs) << "pusher " << p << " entry " << n;
      ASSERT_EQ(es[n].line, "p" + std::to_string(p) + " n" + std::to_string(n));
    }
  }
  // The alert's state survived the kills: it fires.
  EXPECT_TRUE(WaitFor(
      [&] {
        return lode.Get("/prometheus/api/v1/alerts").body.find("\"state\":\"firing\"") !=
               std::string::npos;
      },
      15000))
      << lode.Get("/prometheus/api/v1/alerts").body;
  std::string per_focus;
  for (const auto& [f, n] : focus_count) per_focus += f + ": " + std::to_string(n) + ", ";
  fprintf(stderr, "[crash] %d kills (%s); %lld + %lld acknowledged entries, %d collected lines\n",
          kills, per_focus.c_str(), static_cast<long long>(stored[0]),
          static_cast<long long>(stored[1]), total);

  // Expired entries are gone from disk, not only hidden: after a last
  // compaction run, lode restarted with retention off shows everything stored.
  // Only a chunk straddling the cutoff may keep older entries (a chunk spans a
  // few seconds here: max_chunk_age 2s).
  int64_t cutoff = NowNs() - kDay;
  auto r = lode.Post("/compactor/run", "");
  ASSERT_EQ(r.status, 200) << r.body;
  lode.Stop();
  std::string cfg;
  {
    std::ifstream in(d / "lode.yaml");
    cfg.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  cfg.replace(cfg.find("compactor:\n"), 11, "compactor:\n  retention_enabled: false\n");
  WriteFile(d / "keep-all.yaml", cfg);
  LodeProcess keep_all({"--config", d / "keep-all.yaml"}, d / "data");
  ASSERT_TRUE(keep_all.Ready());
  size_t stored_expiring = 0, old_expiring = 0;
  for (const auto& e : AllEntries(keep_all, "{kind=\"expiring\"}", cutoff - kHour, NowNs())) {
    ++stored_expiring;
    if (e.ts < cutoff - 15 * kSec) ++old_expiring;
  }
  EXPECT_EQ(old_expiring, 0u) << "expired entries still on disk after compaction (of "
                              << stored_expiring << " stored)";
  fprintf(stderr,
          "[crash] with retention off after the last compaction: %zu expiring entries stored\n",
          stored_expiring);
  // The same server sees the durable entries (retention off hides nothing more).
  EXPECT_EQ(CountOf(keep_all, "{kind=\"durable\", pusher=\"0\"}"), stored[0]);
}

// Kills /compactor/run after it dropped six-day-old chunks past a 7d
// retention (the clock moved 2d on by testing.now_offset) but before it
// finished compacting: the kill delay adapts until the clean run that follows
// finds nothing left to drop, i.e. the interrupted run's drops were durable.
// That clean run must still reclaim the space.
TEST(CrashTest, InterruptedCompactionIsResumed) {
  const std::string base_cfg =
      "limits_config:\n  reject_old_samples: false\n  retention_period: 7d\n"
      "compactor:\n  compaction_interval: 0s\n";
  int delay_ms = 15, hits = 0, attempts = 0;
  for (; attempts < 12 && hits < 2; ++attempts) {
    TempDir d;
    WriteFile(d / "lode.yaml", base_cfg);
    WriteFile(d / "later.yaml", base_cfg + "testing:\n  now_offset: 2d\n");
    std::filesystem::create_directories(d / "data");
    int64_t now = NowNs();
    {
      LodeProcess lode({"--config", d / "lode.yaml"}, d / "data");
      ASSERT_TRUE(lode.Ready());
      std::mt19937_64 rng(attempts);
      for (int push = 0; push < 4; ++push) {
        std::vector<PushEntry> es;
        for (int i = 0; i < 1000; ++i) {
          std::string line(1000, ' ');
          for (auto& c : line) c = static_cast<char>('!' + rng() % 90);
          es.push_back({now - 6 * kDay + (push * 1000 + i) * kSec, line, {}});
        }
        ASSERT_EQ(
            lode.Post("/loki/api/v1/push", EncodePush({{"{app=\"old\"}", es}}), kProto).status,
            204);
      }
      ASSERT_EQ(lode.Post("/flush", "").status, 204);
    }
    LodeProcess lode({"--config", d / "later.yaml"}, d / "data");
    ASSERT_TRUE(lode.Ready());
    std::atomic<int> interrupted_status{-1};
    std::thread run(
        [&] { interrupted_status = HttpRequest(lode.port(), "POST", "/compactor/run").status; });
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    lode.Kill9();
    run.join();
    ASSERT_TRUE(lode.Start());
    auto r = lode.Post("/compactor/run", "");
    ASSERT_EQ(r.status, 200) << r.body;
    auto rep = json::parse(r.body);
    fprintf(stderr, "[crash] compaction killed after %d ms (answer %d); clean run: %s\n", delay_ms,
            interrupted_status.load(), r.body.c_str());
    // Whatever the moment of the kill: after the clean run the 4 MB are gone.
    EXPECT_LT(rep["disk_bytes_after"].get<uint64_t>(), 1000000u) << r.body;
    EXPECT_EQ(CountOf(lode, "{app=\"old\"}"), 0);
    // The kill can land after the compaction finished but before its answer
    // reached the client: then nothing is left to drop nor to reclaim.
    const bool finished = interrupted_status == 200 ||
                          (rep["chunks_deleted"].get<int>() == 0 &&
                           rep["disk_bytes_before"].get<uint64_t>() < 1000000u);
    if (finished) {
      delay_ms = std::max(1, delay_ms * 2 / 3);  // the run finished: kill sooner
    } else if (rep["chunks_deleted"].get<int>() > 0) {
      delay_ms += 5 + delay_ms / 3;  // killed before the drops: later
    } else {
      ++hits;  // killed between the drops and the end of the compaction
      EXPECT_GT(rep["disk_bytes_before"].get<uint64_t>(), 2000000u)
          << "the interrupted run should have left the dropped bytes on disk: " << r.body;
    }
  }
  fprintf(stderr, "[crash] %d attempts, %d killed between drop and compaction\n", attempts, hits);
  EXPECT_GE(hits, 1) << "no kill landed between the drops and the end of the compaction";
}

}  // namespace
}  // namespace lode::testing
