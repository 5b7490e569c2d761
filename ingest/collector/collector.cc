#include "ingest/collector/collector.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/log.h"
#include "ingest/collector/collector_impl.h"
#include "ingest/collector/http_sources.h"
#include "ingest/collector/timestamp.h"

namespace lode::collector {

namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kSec = 1000000000;

// Enough descriptors for max_files held files next to RocksDB's own.
void RaiseFileLimit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// Changes when a log-sources file is added, removed or edited.
std::string ConfigFingerprint(const std::vector<std::string>& globs) {
  std::string fp;
  for (const auto& f : ExpandLogSourcesGlobs(globs)) {
    struct stat st;
    fp += f;
    if (stat(f.c_str(), &st) == 0) {
      fp += ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
            std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    }
    fp += "\n";
  }
  return fp;
}

}  // namespace

int64_t Collector::Impl::Now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Collector::Impl::Log(const std::string& msg) {
  if (opts.log) {
    opts.log(msg);
  } else {
    lode::Logf("%s", msg.c_str());
  }
}

Status Collector::Impl::LoadSources(std::vector<LogSource>* out) {
  for (const auto& f : ExpandLogSourcesGlobs(opts.log_sources))
    LODE_RETURN_IF_ERROR(ParseLogSourcesFile(f, out));
  LODE_RETURN_IF_ERROR(CheckUniqueNames(*out));
  if (http) {
    std::set<std::string> names;
    for (const auto& s : *out) names.insert(s.name);
    for (auto& s : http->Sources()) {
      if (!names.insert(s.name).second) {
        Log("collector: " + s.origin + ": source name \"" + s.name + "\" is already used; ignored");
        continue;
      }
      out->push_back(std::move(s));
    }
  }
  return Status::OK();
}

void Collector::Impl::ApplySources(std::vector<LogSource> next) {
  std::map<std::string, LogSource> by_name;
  for (auto& s : next) by_name.emplace(s.name, std::move(s));
  for (auto it = sources.begin(); it != sources.end();) {
    auto n = by_name.find(it->first);
    if (n != by_name.end() && n->second == it->second->cfg) {
      by_name.erase(n);
      ++it;
      continue;
    }
    Log("collector: source " + it->first + (n == by_name.end() ? " removed" : " changed"));
    CloseSource(it->second.get());
    it = sources.erase(it);
  }
  for (auto& [name, cfg] : by_name) {
    auto s = std::make_unique<SourceState>();
    s->cfg = std::move(cfg);
    if (s->cfg.has_multiline) s->firstline = std::make_unique<RE2>(s->cfg.multiline.firstline);
    if (!s->cfg.labels_from_path.empty())
      s->from_path = std::make_unique<RE2>(s->cfg.labels_from_path);
    auto st = stored.find(name);
    if (st != stored.end()) {
      s->known = std::move(st->second);
      stored.erase(st);
    }
    s->had_positions = !s->known.empty();
    Log("collector: source " + name + ": " + s->cfg.path + " (from " + s->cfg.origin + ")");
    sources.emplace(name, std::move(s));
  }
}

void Collector::Impl::MaybeReload(bool force) {
  std::string fp = ConfigFingerprint(opts.log_sources);
  uint64_t gen = http ? http->generation() : 0;
  if (!force && fp == config_fingerprint && gen == http_generation) return;
  config_fingerprint = fp;
  http_generation = gen;
  std::vector<LogSource> next;
  Status s = LoadSources(&next);
  std::lock_guard<std::mutex> l(mu);
  if (!s.ok()) {
    ++reload_failures;
    if (s.message() != config_error)
      Log("collector: reload failed, previous sources stay in force: " + s.message());
    config_error = s.message();
    return;
  }
  config_error.clear();
  ++reloads;
  ApplySources(std::move(next));
}

void Collector::Impl::AddEntry(SourceState* s, TrackedFile* f, std::string_view line, int64_t now) {
  int64_t ts;
  if (!ExtractTimestamp(s->cfg.timestamp, line, &ts)) {
    // Read time, strictly increasing per stream: equal timestamps of equal
    // lines would be merged as duplicates by the store.
    int64_t& last = last_ts[f->stream_key];
    ts = now > last ? now : last + 1;
    last = ts;
  }
  if (!f->slot) {
    StreamBatch& b = batch[f->stream_key];
    if (b.source.empty()) {
      b.labels = f->labels;
      b.source = s->cfg.name;
    }
    f->slot = &b;
  }
  // Reserved when the batch starts, not when the last one is handed over:
  // an idle collector holds no batch memory.
  if (arena.empty()) arena.reserve(opts.batch_bytes + opts.read_chunk_bytes);
  f->slot->entries.push_back({ts, {arena.size(), line.size()}});
  arena.append(line);
  ++batch_entries;
  ++f->lines;
  ++s->lines_read;
}

void Collector::Impl::ReadFile(SourceState* s, TrackedFile* f, int64_t now, bool* more,
                               bool* at_eof) {
  bool truncated = false;
  FileTailer* t = f->tailer.get();
  Fingerprint old_fp = t->fingerprint();
  uint64_t old_offset = t->offset();
  Status st = t->Stat(&truncated);
  if (st.ok() && truncated) {
    ++s->truncations;
    Log("collector: source " + s->cfg.name + ": " + t->path() +
        " was truncated; reading it again from the start");
    if (AdoptCopy(s, t->path(), f->label_path, old_fp, old_offset, now)) {
      *more = true;  // the copy goes first, from the next pass on
      *at_eof = false;
      return;
    }
  }
  size_t n = 0;
  if (st.ok()) st = t->Read(opts.read_chunk_bytes, &n);
  if (!st.ok()) {
    if (st.message() != f->last_error) {
      ++s->errors;
      Log("collector: source " + s->cfg.name + ": " + st.message());
    }
    f->last_error = st.message();
    *at_eof = true;
    return;
  }
  if (n > 0) {
    s->bytes_read += n;
    f->last_growth_ns = now;
    f->last_read_ns = now;
  }
  AssemblyOptions ao;
  ao.firstline = s->firstline.get();
  ao.max_lines = s->cfg.multiline.max_lines;
  ao.max_wait_ns = s->cfg.multiline.max_wait_ns;
  ao.max_entry_bytes = std::max<size_t>(opts.limits.max_line_size, 64 * 1024);
  t->TakeEntries(ao, now, [&](std::string_view line) { AddEntry(s, f, line, now); });
  *at_eof = t->read_offset() >= t->size();
  if (!*at_eof) *more = true;
}

void Collector::Impl::CollectPositions(SourceState* s) {
  for (auto& [key, f] : s->open) {
    uint64_t off = f.tailer->offset();
    const Fingerprint& fp = f.tailer->fingerprint();
    if (off == f.committed_offset && fp.len == f.committed_fp.len && fp.hash == f.committed_fp.hash)
      continue;
    Position p;
    p.offset = off;
    p.fp = f.tailer->fingerprint();
    p.mtime_ns = f.tailer->mtime_ns();
    p.path = f.label_path;
    pending_state.emplace_back(PositionKey(s->cfg.name, key), EncodePosition(p));
    f.committed_offset = off;
    f.committed_fp = fp;
  }
}

void Collector::Impl::FinishGone(SourceState* s, int64_t now) {
  for (auto it = s->open.begin(); it != s->open.end();) {
    TrackedFile& f = it->second;
    FileTailer* t = f.tailer.get();
    if (!f.gone || t->read_offset() < t->size() || t->HasHeldBytes() ||
        now - f.last_growth_ns < opts.rotate_wait_ns) {
      ++it;
      continue;
    }
    Log("collector: source " + s->cfg.name + ": finished " + t->path() +
        (t->deleted() ? " (deleted)" : ""));
    Position p;
    p.offset = t->offset();
    p.fp = t->fingerprint();
    p.mtime_ns = t->mtime_ns();
    p.path = f.label_path;
    if (p.offset != f.committed_offset || p.fp.len != f.committed_fp.len ||
        p.fp.hash != f.committed_fp.hash)
      pending_state.emplace_back(PositionKey(s->cfg.name, it->first), EncodePosition(p));
    s->known[it->first] = p;
    std::string stream = f.stream_key;
    it = s->open.erase(it);
    --open_files;
    // The read-time clock of a stream with no open file left is dropped
    // (bounded memory); a later file of it starts from the wall clock.
    bool used = false;
    for (const auto& [k, o] : s->open) used = used || o.stream_key == stream;
    if (!used) last_ts.erase(stream);
  }
}

Status Collector::Impl::Commit() {
  for (auto& [_, s] : sources) CollectPositions(s.get());
  if (batch.empty() && pending_state.empty()) return Status::OK();
  PendingCommit pc;
  pc.arena = std::move(arena);
  pc.batch = std::move(batch);
  pc.state = std::move(pending_state);
  arena = std::string();
  batch.clear();
  pending_state.clear();
  batch_entries = 0;
  for (auto& [_, s] : sources) {
    for (auto& [k, f] : s->open) f.slot = nullptr;
  }
  std::unique_lock<std::mutex> l(commit_mu);
  commit_cv.wait(l, [this] { return commits.size() < kMaxPendingCommits; });
  commits.push_back(std::move(pc));
  commit_cv.notify_all();
  return Status::OK();
}

Status Collector::Impl::StoreCommit(const PendingCommit& pc) {
  int64_t now = Now();
  ingest::PushRequest req;
  std::map<std::string, uint64_t> before;
  req.streams.reserve(pc.batch.size());
  for (const auto& [key, b] : pc.batch) {
    ingest::PushStream ps;
    ps.labels = b.labels;
    ps.entries.reserve(b.entries.size());
    for (const auto& [ts, span] : b.entries) {
      EntryRef e;
      e.ts = ts;
      e.line = std::string_view(pc.arena.data() + span.first, span.second);
      ps.entries.push_back(e);
    }
    before[b.source] += b.entries.size();
    req.streams.push_back(std::move(ps));
  }
  std::vector<std::string> errors;
  ingest::Validate(opts.limits, now, &req, &errors);
  if (!errors.empty()) {
    std::map<std::string, uint64_t> after;
    for (const auto& ps : req.streams)
      after[pc.batch.at(LabelsToString(ps.labels)).source] += ps.entries.size();
    {
      std::lock_guard<std::mutex> l(mu);
      for (auto& [src, n] : before) discarded[src] += n - after[src];
    }
    Log("collector: " + std::to_string(errors.size()) + " entries not stored, e.g. " +
        errors.front());
  }
  std::vector<StreamEntries> streams;
  streams.reserve(req.streams.size());
  for (const auto& ps : req.streams) streams.push_back({&ps.labels, ps.entries});
  return sink->Commit(opts.tenant, streams, pc.state);
}

void Collector::Impl::CommitLoop() {
  std::unique_lock<std::mutex> l(commit_mu);
  for (;;) {
    commit_cv.wait(l, [this] { return !commits.empty() || commit_stop; });
    if (commits.empty()) return;
    const PendingCommit& pc = commits.front();
    l.unlock();
    Status st = StoreCommit(pc);
    l.lock();
    if (!st.ok()) {
      // Kept and retried: nothing read after it may be stored before it. At
      // shutdown it is dropped; its positions were not stored either, so the
      // next start reads the same lines again.
      Log("collector: commit failed" + std::string(commit_stop ? "" : " (retrying)") + ": " +
          st.message());
      if (!commit_stop) {
        commit_cv.wait_for(l, std::chrono::seconds(1));
        continue;
      }
    }
    commits.pop_front();
    commit_cv.notify_all();
  }
}

bool Collector::Impl::Pass(int64_t now, bool rescan, bool full) {
  if (rescan) {
    for (auto& [_, s] : sources) Scan(s.get(), now);
    watcher.SetDirs(WatchedDirs());
  }
  bool more = false;
  for (auto& [_, sp] : sources) {
    SourceState* s = sp.get();
    // Per stream: rotated-away files first (oldest first), then the file at the path.
    std::vector<TrackedFile*> order;
    order.reserve(s->open.size());
    for (auto& [k, f] : s->open) {
      if (full || f.gone || f.tailer->HasHeldBytes()) order.push_back(&f);
    }
    std::sort(order.begin(), order.end(), [](const TrackedFile* a, const TrackedFile* b) {
      if (a->stream_key != b->stream_key) return a->stream_key < b->stream_key;
      if (a->gone != b->gone) return a->gone;
      return a->gone_seq < b->gone_seq;
    });
    const std::string* blocked = nullptr;
    for (TrackedFile* f : order) {
      if (blocked && *blocked == f->stream_key) continue;
      bool eof = true;
      ReadFile(s, f, now, &more, &eof);
      if (f->gone && (!eof || f->tailer->HasHeldBytes())) blocked = &f->stream_key;
      if (arena.size() >= opts.batch_bytes) {
        Status st = Commit();
        if (!st.ok()) return more;  // the batch is kept; Run retries
      }
    }
    FinishGone(s, now);
  }
  DrainDocker();
  return more;
}

void Collector::Impl::Run() {
  int64_t last_scan = 0, last_reload_check = 0, last_full = 0;
  bool structural = true, evented = true;
  for (;;) {
    bool force_reload;
    {
      std::lock_guard<std::mutex> l(mu);
      if (stop) break;
      force_reload = reload_requested;
      reload_requested = false;
    }
    int64_t now = Now();
    if (force_reload || now - last_reload_check >= kSec) {
      last_reload_check = now;
      Status st = Commit();  // sources may close: their positions must be stored first
      if (st.ok()) MaybeReload(force_reload);
    }
    // With inotify on every directory, a quiet wake-up only serves timers;
    // everything is still listed and read every 5 s in case an event was missed.
    int64_t safety = watcher.all_watched() ? 5 * kSec : opts.scan_interval_ns;
    bool rescan = structural || now - last_scan >= safety;
    if (rescan) last_scan = now;
    bool full = evented || rescan || now - last_full >= safety;
    if (full) last_full = now;
    bool more = Pass(now, rescan, full);
    Status st = Commit();
    if (!st.ok()) {
      Log("collector: commit failed (retrying): " + st.message());
      std::unique_lock<std::mutex> l(mu);
      cv.wait_for(l, std::chrono::seconds(1), [this] { return stop; });
      continue;
    }
    PublishStatus(now, false);
    if (more) {
      structural = false;
      evented = true;
      continue;
    }
    bool held = false;
    for (auto& [_, s] : sources) {
      for (auto& [k, f] : s->open) held = held || f.tailer->HasHeldBytes() || f.gone;
    }
    int timeout_ms = static_cast<int>(
        (watcher.all_watched() ? (held ? 100 * kMs : kSec) : opts.scan_interval_ns) / kMs);
    evented = watcher.Wait(timeout_ms, &structural);
    if (!watcher.all_watched()) evented = true;
  }
  DrainDocker();
  Commit();
  {
    std::lock_guard<std::mutex> l(commit_mu);
    commit_stop = true;
  }
  commit_cv.notify_all();
  if (committer.joinable()) committer.join();
  PublishStatus(Now(), true);
}

Collector::Collector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Collector::~Collector() { Stop(); }

Status Collector::Open(const CollectorOptions& opts, Sink* sink, std::unique_ptr<Collector>* out) {
  auto impl = std::make_unique<Impl>();
  impl->opts = opts;
  impl->sink = sink;
  std::vector<std::pair<std::string, std::string>> kv;
  LODE_RETURN_IF_ERROR(sink->ReadState(kPositionPrefix, &kv));
  for (const auto& [k, v] : kv) {
    std::string source;
    FileKey fk;
    Position p;
    if (DecodePosition(k, v, &source, &fk, &p)) impl->stored[source][fk] = p;
  }
  impl->OpenDocker(kv);
  std::vector<LogSource> sources;
  LODE_RETURN_IF_ERROR(impl->LoadSources(&sources));
  impl->config_fingerprint = ConfigFingerprint(opts.log_sources);
  impl->ApplySources(std::move(sources));
  Impl* raw = impl.get();
  if (!opts.http_urls.empty()) {
    impl->http = std::make_unique<HttpSourcePoller>(
        opts.http_urls, opts.http_refresh_ns, [raw](const std::string& m) { raw->Log(m); },
        nullptr);
  }
  RaiseFileLimit();
  out->reset(new Collector(std::move(impl)));
  return Status::OK();
}

void Collector::Start() {
  if (impl_->http) impl_->http->Start();
  impl_->committer = std::thread([this] { impl_->CommitLoop(); });
  impl_->thread = std::thread([this] { impl_->Run(); });
  for (auto& d : impl_->docker) d->Start();
}

void Collector::Stop() {
  if (impl_->http) impl_->http->Stop();
  for (auto& d : impl_->docker) d->Stop();  // first: the last pass drains what they read
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Collector::RequestReload() {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->reload_requested = true;
}

}  // namespace lode::collector
