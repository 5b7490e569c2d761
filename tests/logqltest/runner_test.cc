// Runs Loki's LogQL semantics suite (`../shared/logqltest/*.logqltest`, see
// tests/logqltest/logqltest_file.h for the format) against lode: every `load`
// goes into a real lode::Store (fresh temporary directory per `clear`, fixed
// clock, no background flusher; heads are flushed into chunks before the next
// eval, as Loki's runner encodes chunks) and every `eval` runs through
// logql::Engine, the engine behind the HTTP API.
//
// One test per file. Each failing eval is named `file.logqltest:LINE: QUERY:
// REASON`. Evals listed in tests/logqltest/known-failures.txt
// (`file.logqltest:LINE` per line, `#` comments) are counted but do not fail
// the test; a listed eval that passes fails it ("fixed, remove from
// known-failures"), so the list only shrinks.
//
// Environment:
//   LOGQLTEST_WRITE_KNOWN_FAILURES=1  rewrite known-failures.txt with the
//       current failures (entries of files not run are kept); nothing fails.
//   LOGQLTEST_VERBOSE=1  also print known failures and each eval as it runs.
//   LOGQLTEST_NO_FLUSH=1  query the store's heads instead of flushed chunks.
//   LOGQLTEST_TMPDIR=DIR  where the scratch stores are created.
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "logql/engine.h"
#include "storage/store.h"
#include "tests/logqltest/logqltest_file.h"

namespace lode::logqltest {
namespace {

namespace fs = std::filesystem;

// Script times are offsets from the Unix epoch.
constexpr int64_t kEpochNs = 0;
constexpr char kTenant[] = "fake";

const std::string& SuiteDir() {
  static const std::string dir = LODE_SOURCE_DIR "/../shared/logqltest";
  return dir;
}

const std::string& KnownFailuresPath() {
  static const std::string path = LODE_SOURCE_DIR "/tests/logqltest/known-failures.txt";
  return path;
}

bool EnvFlag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' && std::string_view(v) != "0";
}

// The sorted `*.logqltest` file names of the suite.
std::vector<std::string> SuiteFiles() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(SuiteDir(), ec)) {
    if (e.path().extension() == ".logqltest") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------
// known-failures.txt
// ---------------------------------------------------------------------------

struct KnownFailures {
  std::map<std::string, std::string> entries;  // `file:LINE` -> trailing comment
  std::string error;                           // a malformed line, if any
};

std::string_view TrimBlanks(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

const KnownFailures& Known() {
  static const KnownFailures known = [] {
    KnownFailures k;
    std::ifstream in(KnownFailuresPath());
    std::string raw;
    for (int n = 1; std::getline(in, raw); ++n) {
      std::string_view line = raw;
      size_t hash = line.find('#');
      std::string comment =
          hash == std::string_view::npos ? "" : std::string(TrimBlanks(line.substr(hash + 1)));
      std::string_view key = TrimBlanks(line.substr(0, hash));
      if (key.empty()) continue;
      size_t colon = key.rfind(':');
      int lineno = 0;
      if (colon == std::string_view::npos ||
          std::from_chars(key.data() + colon + 1, key.data() + key.size(), lineno).ptr !=
              key.data() + key.size() ||
          lineno <= 0 || key.substr(0, colon).find(".logqltest") == std::string_view::npos) {
        k.error = "known-failures.txt:" + std::to_string(n) + ": expected `file.logqltest:LINE`";
        continue;
      }
      k.entries[std::string(key)] = comment;
    }
    return k;
  }();
  return known;
}

// ---------------------------------------------------------------------------
// Store per scenario
// ---------------------------------------------------------------------------

// Where scratch stores live: $LOGQLTEST_TMPDIR, else /dev/shm (on tmpfs
// RocksDB's fsyncs are free, which makes the suite several times faster),
// else the system temp directory.
fs::path ScratchRoot() {
  if (const char* d = std::getenv("LOGQLTEST_TMPDIR"); d != nullptr && *d != '\0') return d;
  if (access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  return fs::temp_directory_path();
}

// A lode::Store in a private temporary directory, opened on first use and
// replaced by an empty one on Reset (the old directory is deleted).
class ScratchStore {
 public:
  explicit ScratchStore(int64_t clock_ns) : clock_ns_(clock_ns) {}
  ~ScratchStore() { Close(); }

  void Reset() { Close(); }

  Status Get(Store** out) {
    if (!store_) {
      std::string tmpl = (ScratchRoot() / "logqltest-XXXXXX").string();
      if (mkdtemp(tmpl.data()) == nullptr) return Status::IOError("mkdtemp " + tmpl + " failed");
      dir_ = tmpl;
      StoreOptions opts;
      opts.dir = dir_;
      opts.background_flush = false;
      int64_t now = clock_ns_;
      opts.clock = [now] { return now; };
      LODE_RETURN_IF_ERROR(Store::Open(opts, &store_));
    }
    *out = store_.get();
    return Status::OK();
  }

  // Appends the entries of a load block in one push, each stream's entries in
  // timestamp order. Empty-valued labels are dropped, as Loki's push path does.
  Status Load(const std::vector<LoadLine>& lines) {
    Store* store;
    LODE_RETURN_IF_ERROR(Get(&store));
    struct Pending {
      int64_t ts;
      std::string line;
      const std::vector<LabelView>* md;
    };
    std::vector<std::vector<LabelView>> md(lines.size());
    std::map<Labels, std::vector<Pending>> streams;
    for (size_t k = 0; k < lines.size(); ++k) {
      const LoadLine& ll = lines[k];
      for (const Label& m : ll.metadata) md[k].push_back({m.name, m.value});
      Labels labels;
      for (const Label& l : ll.labels) {
        if (!l.value.empty()) labels.push_back(l);
      }
      if (labels.empty())
        return Status::InvalidArgument("line " + std::to_string(ll.line) + ": no labels");
      std::vector<Pending>& entries = streams[labels];
      for (int64_t i = 0; i < ll.count; ++i) {
        entries.push_back({kEpochNs + ll.start_ns + i * ll.every_ns, ll.TextAt(i), &md[k]});
      }
    }
    // One push for the whole block, as an ingest request would be.
    std::vector<std::vector<EntryRef>> refs;
    std::vector<StreamEntries> push;
    refs.reserve(streams.size());
    for (auto& [labels, entries] : streams) {
      std::stable_sort(entries.begin(), entries.end(),
                       [](const Pending& a, const Pending& b) { return a.ts < b.ts; });
      std::vector<EntryRef>& r = refs.emplace_back();
      for (const Pending& p : entries) {
        r.push_back(EntryRef{p.ts, p.line, p.md->empty() ? nullptr : p.md->data(),
                             static_cast<uint32_t>(p.md->size())});
      }
      push.push_back(StreamEntries{&labels, r});
    }
    LODE_RETURN_IF_ERROR(store->AppendMany(kTenant, push));
    dirty_ = true;
    return Status::OK();
  }

  // Cuts heads into chunks if anything was loaded since the last call.
  Status FlushIfDirty() {
    if (!dirty_ || EnvFlag("LOGQLTEST_NO_FLUSH")) return Status::OK();
    dirty_ = false;
    return store_->Flush();
  }

 private:
  void Close() {
    store_.reset();
    dirty_ = false;
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  int64_t clock_ns_;
  std::string dir_;
  std::unique_ptr<Store> store_;
  bool dirty_ = false;
};

// ---------------------------------------------------------------------------
// Comparing a result with the expectation (as Loki's runner.go does)
// ---------------------------------------------------------------------------

constexpr double kEpsilon = 1e-9;  // Loki's defaultEpsilon, absolute or relative

bool FloatsEqual(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  double diff = std::fabs(a - b);
  return diff <= kEpsilon || diff / std::max(std::fabs(a), std::fabs(b)) <= kEpsilon;
}

std::string Num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

std::string Secs(int64_t ns) { return Num(static_cast<double>(ns) / 1e9) + "s"; }

std::string Key(Labels ls) {
  SortLabels(&ls);
  return LabelsToString(ls);
}

// "a, b, c" of at most a few keys.
template <typename Map>
std::string KeyList(const Map& m) {
  std::string out;
  size_t n = 0;
  for (const auto& kv : m) {
    if (n++ == 6) return out + ", ...";
    out += (out.empty() ? "" : ", ") + kv.first;
  }
  return out.empty() ? "none" : out;
}

const char* KindName(Expectation::Kind k) {
  switch (k) {
    case Expectation::Kind::kSeries:
      return "series";
    case Expectation::Kind::kScalar:
      return "a scalar";
    case Expectation::Kind::kEmpty:
      return "an empty result";
    case Expectation::Kind::kFail:
      return "a failure";
    case Expectation::Kind::kStreams:
      return "log lines";
  }
  return "?";
}

std::string CheckStreams(const EvalCommand& ev, int64_t epoch, const logql::QueryResult& res) {
  const Expectation& e = ev.expect;
  if (e.kind == Expectation::Kind::kEmpty) {
    return res.streams.empty()
               ? ""
               : "expected an empty result, got " + std::to_string(res.streams.size()) + " streams";
  }
  if (e.kind != Expectation::Kind::kStreams)
    return std::string("expected ") + KindName(e.kind) + ", got log streams";
  std::map<std::string, std::vector<const ExpectedLogLine*>> want;
  for (const ExpectedLogLine& l : e.log_lines) want[Key(l.labels)].push_back(&l);
  std::map<std::string, const logql::StreamResult*> got;
  for (const logql::StreamResult& s : res.streams) {
    if (!got.emplace(Key(s.labels), &s).second)
      return "engine returned duplicate stream " + Key(s.labels);
  }
  if (got.size() != want.size()) {
    return "stream count: want " + std::to_string(want.size()) + " (" + KeyList(want) + "), got " +
           std::to_string(got.size()) + " (" + KeyList(got) + ")";
  }
  for (const auto& [key, lines] : want) {
    auto it = got.find(key);
    if (it == got.end()) return "missing stream " + key + "; got " + KeyList(got);
    const auto& entries = it->second->entries;
    if (entries.size() != lines.size()) {
      return "stream " + key + ": want " + std::to_string(lines.size()) + " lines, got " +
             std::to_string(entries.size());
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      if ((entries[i].ts - epoch) / 1000000 != lines[i]->ts_ns / 1000000) {
        return "stream " + key + " line " + std::to_string(i) + ": want time " +
               Secs(lines[i]->ts_ns) + ", got " + Secs(entries[i].ts - epoch);
      }
      if (entries[i].line != lines[i]->text) {
        return "stream " + key + " line " + std::to_string(i) + ": want \"" + lines[i]->text +
               "\", got \"" + entries[i].line + "\"";
      }
    }
  }
  return "";
}

std::string CheckSeries(const EvalCommand& ev, int64_t epoch, const logql::QueryResult& res) {
  using Type = logql::QueryResult::Type;
  const Expectation& e = ev.expect;
  const std::vector<logql::Series>& series = res.metric.series;
  if (res.type == Type::kScalar) {
    if (e.kind != Expectation::Kind::kScalar)
      return std::string("expected ") + KindName(e.kind) + ", got a scalar";
    if (series.empty() || series[0].points.empty()) return "scalar result without a value";
    double got = series[0].points[0].v;
    return FloatsEqual(e.scalar, got) ? "" : "scalar: want " + Num(e.scalar) + ", got " + Num(got);
  }
  const char* got_type = res.type == Type::kVector ? "a vector" : "a matrix";
  if (e.kind == Expectation::Kind::kScalar)
    return std::string("expected a scalar, got ") + got_type;
  if (e.kind == Expectation::Kind::kStreams)
    return std::string("expected log lines, got ") + got_type;
  if (ev.instant != (res.type == Type::kVector)) {
    return std::string(ev.instant ? "instant" : "range") + " query returned " + got_type;
  }
  if (e.kind == Expectation::Kind::kEmpty) {
    if (series.empty()) return "";
    std::map<std::string, int> keys;
    for (const logql::Series& s : series) keys[Key(s.metric)] = 0;
    return "expected an empty result, got " + std::to_string(series.size()) +
           " series: " + KeyList(keys);
  }
  const std::vector<int64_t> steps = ev.StepTimes();
  std::map<int64_t, size_t> step_of_ms;
  for (size_t i = 0; i < steps.size(); ++i) step_of_ms[steps[i] / 1000000] = i;

  std::map<std::string, const ExpectedSeries*> want;
  for (const ExpectedSeries& s : e.series) {
    if (s.samples.size() != steps.size()) {
      return "expected series " + Key(s.labels) + " (line " + std::to_string(s.line) + ") has " +
             std::to_string(s.samples.size()) + " values for " + std::to_string(steps.size()) +
             " steps";
    }
    if (ev.instant && !s.samples[0].present)
      return "instant expectation with a gap: " + Key(s.labels);
    if (!want.emplace(Key(s.labels), &s).second)
      return "duplicate expected series " + Key(s.labels);
  }
  // Result series key -> (has point, value) per step.
  std::map<std::string, std::vector<std::pair<bool, double>>> got;
  std::vector<std::string> order;
  for (const logql::Series& s : series) {
    std::string key = Key(s.metric);
    auto [it, inserted] = got.emplace(key, std::vector<std::pair<bool, double>>(steps.size()));
    if (!inserted) return "engine returned duplicate series " + key;
    order.push_back(key);
    for (const logql::Point& p : s.points) {
      auto st = step_of_ms.find((p.t_ns - epoch) / 1000000);
      if (st == step_of_ms.end())
        return "series " + key + " has a point at unexpected time " + Secs(p.t_ns - epoch);
      if (it->second[st->second].first)
        return "series " + key + " has two points at " + Secs(p.t_ns - epoch);
      it->second[st->second] = {true, p.v};
    }
  }
  std::string missing, extra;
  for (const auto& kv : want) {
    if (!got.count(kv.first)) missing += (missing.empty() ? "" : ", ") + kv.first;
  }
  for (const auto& kv : got) {
    if (!want.count(kv.first)) extra += (extra.empty() ? "" : ", ") + kv.first;
  }
  if (!missing.empty() || !extra.empty()) {
    return "series: want " + std::to_string(want.size()) + ", got " + std::to_string(got.size()) +
           (missing.empty() ? "" : "; missing " + missing) +
           (extra.empty() ? "" : "; unexpected " + extra);
  }
  if (e.ordered) {
    for (size_t i = 0; i < e.series.size(); ++i) {
      std::string k = Key(e.series[i].labels);
      if (order[i] != k)
        return "position " + std::to_string(i) + ": want " + k + ", got " + order[i];
    }
  }
  for (const auto& [key, exp] : want) {
    auto it = got.find(key);
    for (size_t i = 0; i < steps.size(); ++i) {
      const ExpectedSample& w = exp->samples[i];
      const auto& [has, v] = it->second[i];
      std::string where = ev.instant ? "" : " at " + Secs(steps[i]);
      if (!w.present && has) return key + where + ": want no point, got " + Num(v);
      if (w.present && !has) return key + where + ": want " + Num(w.value) + ", got no point";
      if (w.present && !FloatsEqual(w.value, v))
        return key + where + ": want " + Num(w.value) + ", got " + Num(v);
    }
  }
  return "";
}

// Empty when the result (or error) satisfies the eval's expectation;
// otherwise the reason it does not.
std::string CheckResult(const EvalCommand& ev, int64_t epoch, const Status& st,
                        const logql::QueryResult& res) {
  const Expectation& e = ev.expect;
  if (e.kind == Expectation::Kind::kFail) {
    if (st.ok()) return "expected the query to fail, it succeeded";
    if (e.fail_match == FailMatch::kSubstring &&
        st.message().find(e.fail_text) == std::string::npos) {
      return "error \"" + st.message() + "\" does not contain \"" + e.fail_text + "\"";
    }
    if (e.fail_match == FailMatch::kRegex) {
      RE2 re(e.fail_text, RE2::Quiet);
      if (!re.ok()) return "invalid regex in expectation: " + re.error();
      if (!RE2::PartialMatch(st.message(), re)) {
        return "error \"" + st.message() + "\" does not match /" + e.fail_text + "/";
      }
    }
    return "";
  }
  if (!st.ok()) return "query failed: " + st.message();
  if (res.type == logql::QueryResult::Type::kStreams) return CheckStreams(ev, epoch, res);
  return CheckSeries(ev, epoch, res);
}

// ---------------------------------------------------------------------------
// Running a file
// ---------------------------------------------------------------------------

struct EvalFailure {
  int line;
  std::string query;
  std::string reason;
};

struct FileReport {
  std::string file;
  bool parsed = false;
  std::string parse_error;
  std::map<int, std::string> queries;  // eval line -> query
  int evals = 0;
  std::vector<EvalFailure> failures;
  // Filled by Classify.
  int passed = 0, known = 0, fresh = 0, fixed = 0;
};

std::vector<FileReport>& Reports() {
  static std::vector<FileReport> reports;
  return reports;
}

// Latest time a script mentions (for the store's fixed clock).
int64_t MaxScriptTime(const std::vector<Command>& cmds) {
  int64_t t = 0;
  for (const Command& c : cmds) {
    if (c.type == Command::Type::kEval) t = std::max(t, c.eval.end_ns);
    for (const LoadLine& ll : c.load) t = std::max(t, ll.start_ns + (ll.count - 1) * ll.every_ns);
  }
  return kEpochNs + t;
}

std::string RunEval(ScratchStore* scratch, const Status& load_status, const EvalCommand& ev) {
  if (!load_status.ok()) return "load failed: " + load_status.message();
  Store* store;
  Status st = scratch->Get(&store);
  if (st.ok()) st = scratch->FlushIfDirty();
  if (!st.ok()) return "store: " + st.message();
  logql::QueryRequest req;
  req.tenant = kTenant;
  req.query = ev.query;
  req.instant = ev.instant;
  req.start_ns = kEpochNs + ev.start_ns;
  req.end_ns = kEpochNs + ev.end_ns;
  req.step_ns = ev.instant ? 0 : ev.step_ns;
  req.limit = 1000;  // as Loki's runner
  logql::QueryResult result;
  try {
    logql::Engine engine(store, logql::EngineOptions{});
    st = engine.Query(req, &result);
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  } catch (...) {
    return "unknown exception";
  }
  return CheckResult(ev, kEpochNs, st, result);
}

FileReport RunFile(const std::string& file) {
  FileReport rep;
  rep.file = file;
  std::ifstream in(SuiteDir() + "/" + file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) {
    rep.parse_error = "cannot read " + SuiteDir() + "/" + file;
    return rep;
  }
  std::vector<Command> cmds;
  Status st = ParseScript(ss.str(), &cmds);
  if (!st.ok()) {
    rep.parse_error = file + ":" + st.message();
    return rep;
  }
  rep.parsed = true;
  const bool verbose = EnvFlag("LOGQLTEST_VERBOSE");
  ScratchStore scratch(MaxScriptTime(cmds));
  Status load_status;
  for (const Command& c : cmds) {
    switch (c.type) {
      case Command::Type::kClear:
        scratch.Reset();
        load_status = Status::OK();
        break;
      case Command::Type::kLoad:
        if (load_status.ok()) {
          Status ls = scratch.Load(c.load);
          if (!ls.ok())
            load_status = Status::InvalidArgument("load at line " + std::to_string(c.line) + ": " +
                                                  ls.message());
        }
        break;
      case Command::Type::kEval: {
        if (verbose)
          std::printf("logqltest: running %s:%d %s\n", file.c_str(), c.line, c.eval.query.c_str());
        std::fflush(stdout);
        ++rep.evals;
        rep.queries[c.line] = c.eval.query;
        std::string reason = RunEval(&scratch, load_status, c.eval);
        if (!reason.empty()) rep.failures.push_back({c.line, c.eval.query, std::move(reason)});
        break;
      }
    }
  }
  return rep;
}

// Splits failures into known and new, reports them through GoogleTest
// (unless rewriting the known-failures file) and fills the counters.
void Classify(FileReport* rep, bool writing) {
  const bool verbose = EnvFlag("LOGQLTEST_VERBOSE");
  const std::string prefix = rep->file + ":";
  std::set<int> failed;
  for (const EvalFailure& f : rep->failures) {
    failed.insert(f.line);
    std::string key = prefix + std::to_string(f.line);
    std::string msg = key + ": " + f.query + ": " + f.reason;
    if (Known().entries.count(key)) {
      ++rep->known;
      if (verbose) std::printf("logqltest: known failure %s\n", msg.c_str());
    } else {
      ++rep->fresh;
      if (writing) {
        std::printf("logqltest: new failure %s\n", msg.c_str());
      } else {
        ADD_FAILURE() << msg;
      }
    }
  }
  for (const auto& [key, comment] : Known().entries) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    int line = std::atoi(key.c_str() + prefix.size());
    if (failed.count(line)) continue;
    ++rep->fixed;
    std::string msg = rep->queries.count(line)
                          ? key + ": " + rep->queries[line] + ": fixed, remove from known-failures"
                          : key + ": stale known-failures entry: no eval on that line";
    if (writing) {
      std::printf("logqltest: %s\n", msg.c_str());
    } else {
      ADD_FAILURE() << msg;
    }
  }
  rep->passed = rep->evals - static_cast<int>(rep->failures.size());
}

void PrintSummary(const std::string& what, int passed, int known, int fresh, int fixed) {
  std::printf("logqltest: %s: %d passed, %d known failures, %d new failures", what.c_str(), passed,
              known, fresh);
  if (fixed > 0) std::printf(", %d fixed (remove from known-failures)", fixed);
  std::printf("\n");
  std::fflush(stdout);
}

// One-line reason for the known-failures comment.
std::string ShortReason(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (s.size() > 160) s = s.substr(0, 157) + "...";
  return s;
}

// Rewrites known-failures.txt: files run in this process get their current
// failures; entries of other files (or of files that did not parse) stay.
void WriteKnownFailures() {
  std::set<std::string> rewritten;
  for (const FileReport& r : Reports()) {
    if (r.parsed) rewritten.insert(r.file);
  }
  std::map<std::pair<std::string, int>, std::string> entries;
  for (const auto& [key, comment] : Known().entries) {
    size_t colon = key.rfind(':');
    std::string file = key.substr(0, colon);
    if (!rewritten.count(file)) entries[{file, std::atoi(key.c_str() + colon + 1)}] = comment;
  }
  for (const FileReport& r : Reports()) {
    if (!r.parsed) continue;
    for (const EvalFailure& f : r.failures) entries[{r.file, f.line}] = ShortReason(f.reason);
  }
  std::ofstream out(KnownFailuresPath(), std::ios::trunc);
  out << "# Evals of ../shared/logqltest that fail today: `file.logqltest:LINE` (line of the "
         "eval).\n"
      << "# Regenerate with LOGQLTEST_WRITE_KNOWN_FAILURES=1 ./logqltest_test; remove entries as "
         "they\n"
      << "# are fixed (the runner fails on a listed eval that passes).\n";
  for (const auto& [key, comment] : entries) {
    out << key.first << ":" << key.second;
    if (!comment.empty()) out << "  # " << comment;
    out << "\n";
  }
  std::printf("logqltest: wrote %zu entries to %s\n", entries.size(), KnownFailuresPath().c_str());
}

class SummaryEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (Reports().empty()) return;
    int passed = 0, known = 0, fresh = 0, fixed = 0;
    for (const FileReport& r : Reports()) {
      passed += r.passed;
      known += r.known;
      fresh += r.fresh;
      fixed += r.fixed;
    }
    PrintSummary("total", passed, known, fresh, fixed);
    if (EnvFlag("LOGQLTEST_WRITE_KNOWN_FAILURES")) WriteKnownFailures();
  }
};

[[maybe_unused]] ::testing::Environment* const kSummaryEnv =
    ::testing::AddGlobalTestEnvironment(new SummaryEnvironment);

class LogqlScriptTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LogqlScriptTest, Run) {
  const bool writing = EnvFlag("LOGQLTEST_WRITE_KNOWN_FAILURES");
  ASSERT_TRUE(Known().error.empty()) << Known().error;
  FileReport rep = RunFile(GetParam());
  if (!rep.parsed) {
    Reports().push_back(rep);
    FAIL() << "parse error: " << rep.parse_error;
  }
  Classify(&rep, writing);
  PrintSummary(rep.file, rep.passed, rep.known, rep.fresh, rep.fixed);
  Reports().push_back(std::move(rep));
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param.substr(0, info.param.find('.'));
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Suite, LogqlScriptTest, ::testing::ValuesIn(SuiteFiles()), TestName);

TEST(LogqlScriptFilesTest, SuiteIsPresent) {
  std::vector<std::string> files = SuiteFiles();
  for (const char* want :
       {"binary_operations.logqltest", "conversions.logqltest", "formatters.logqltest",
        "functions.logqltest", "label_filters.logqltest", "line_filters.logqltest",
        "parsers.logqltest", "range_aggregations.logqltest", "vector_aggregations.logqltest"}) {
    EXPECT_TRUE(std::count(files.begin(), files.end(), want))
        << want << " missing from " << SuiteDir();
  }
}

}  // namespace
}  // namespace lode::logqltest
