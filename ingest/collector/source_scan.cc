// File discovery and rotation for Collector::Impl (see collector.h).
#include <dirent.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "ingest/collector/collector_impl.h"

namespace lode::collector {

namespace {

bool Compressed(const std::string& name) {
  for (const char* ext : {".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4"}) {
    size_t n = std::strlen(ext);
    if (name.size() > n && name.compare(name.size() - n, n, ext) == 0) return true;
  }
  return false;
}

std::string DirOf(const std::string& p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? "." : (s == 0 ? "/" : p.substr(0, s));
}

std::string BaseOf(const std::string& p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

}  // namespace

void Collector::Impl::List(SourceState* s, std::vector<DirEntry>* out) {
  s->dirs.clear();
  glob_t g{};
  int gr = glob(s->cfg.path.c_str(), GLOB_ONLYDIR, nullptr, &g);
  if (gr == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) s->dirs.push_back(g.gl_pathv[i]);
  }
  globfree(&g);
  std::string err;
  if (s->dirs.empty()) err = "no directory matches " + s->cfg.path;
  for (const auto& dir : s->dirs) {
    DIR* d = opendir(dir.c_str());
    if (!d) {
      err = "cannot list " + dir + ": " + std::strerror(errno);
      continue;
    }
    while (struct dirent* de = readdir(d)) {
      std::string name = de->d_name;
      if (name == "." || name == "..") continue;
      DirEntry e;
      e.dir = dir;
      e.name = name;
      e.path = dir == "/" ? "/" + name : dir + "/" + name;
      struct stat st;
      if (stat(e.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      e.key = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
      e.size = static_cast<uint64_t>(st.st_size);
      e.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
      for (const auto& p : s->cfg.patterns) {
        if (fnmatch(p.c_str(), name.c_str(), FNM_PERIOD) == 0) e.matching = true;
      }
      for (const auto& x : s->cfg.exclude) {
        if (fnmatch(x.c_str(), name.c_str(), FNM_PERIOD) == 0) e.matching = false;
      }
      out->push_back(std::move(e));
    }
    closedir(d);
  }
  // Errors are counted when they change, not once per scan.
  if (err != s->last_error) {
    if (!err.empty()) {
      ++s->errors;
      Log("collector: source " + s->cfg.name + ": " + err);
    }
    s->last_error = err;
  }
  std::sort(out->begin(), out->end(),
            [](const DirEntry& a, const DirEntry& b) { return a.path < b.path; });
}

bool Collector::Impl::OpenFile(SourceState* s, const std::string& path, uint64_t offset,
                               const std::string& label_path, bool gone, int64_t now) {
  if (open_files >= opts.max_files) {
    std::string err =
        "too many open files (collector max_files " + std::to_string(opts.max_files) + "): " + path;
    if (err != s->last_error) {
      ++s->errors;
      s->last_error = err;
      Log("collector: source " + s->cfg.name + ": " + err);
    }
    return false;
  }
  std::unique_ptr<FileTailer> t;
  Status st = FileTailer::Open(path, offset, &t);
  if (!st.ok()) {
    ++s->errors;
    s->last_error = st.message();
    Log("collector: source " + s->cfg.name + ": " + st.message());
    return false;
  }
  FileKey key = t->key();
  if (s->open.count(key)) return false;
  TrackedFile f;
  f.label_path = label_path;
  f.labels = s->cfg.labels;
  if (s->from_path) {
    // Named captures of labels_from_path become labels (they override static ones).
    int n = s->from_path->NumberOfCapturingGroups();
    std::vector<re2::StringPiece> groups(static_cast<size_t>(n) + 1);
    if (s->from_path->Match(label_path, 0, label_path.size(), RE2::UNANCHORED, groups.data(),
                            n + 1)) {
      for (const auto& group : s->from_path->NamedCapturingGroups()) {
        const std::string& name = group.first;  // not a structured binding: lambdas capture it
        const int idx = group.second;
        std::string_view v(groups[static_cast<size_t>(idx)].data(),
                           groups[static_cast<size_t>(idx)].size());
        if (v.empty()) continue;
        auto it = std::find_if(f.labels.begin(), f.labels.end(),
                               [&](const Label& l) { return l.name == name; });
        if (it != f.labels.end()) {
          it->value = std::string(v);
        } else {
          f.labels.push_back({name, std::string(v)});
        }
      }
    }
  }
  f.labels.push_back({"filename", label_path});
  SortLabels(&f.labels);
  f.stream_key = LabelsToString(f.labels);
  f.gone = gone;
  if (gone) f.gone_seq = ++gone_seq;
  f.last_growth_ns = now;
  f.tailer = std::move(t);
  s->open.emplace(key, std::move(f));
  ++open_files;
  return true;
}

void Collector::Impl::AdoptSiblings(SourceState* s, const std::vector<DirEntry>& listing,
                                    const std::string& dir, const std::string& base,
                                    int64_t min_mtime_ns, const std::string& label_path,
                                    int64_t now, FileKey exclude) {
  std::vector<const DirEntry*> found;
  for (const auto& e : listing) {
    if (e.dir != dir || e.matching || e.name.size() <= base.size() ||
        e.name.compare(0, base.size(), base) != 0)
      continue;
    if (Compressed(e.name) || s->open.count(e.key) || e.mtime_ns < min_mtime_ns || e.key == exclude)
      continue;
    auto k = s->known.find(e.key);
    if (k != s->known.end()) continue;  // already read (its position is kept)
    found.push_back(&e);
  }
  std::sort(found.begin(), found.end(),
            [](const DirEntry* a, const DirEntry* b) { return a->mtime_ns < b->mtime_ns; });
  for (const DirEntry* e : found) {
    Log("collector: source " + s->cfg.name + ": reading rotated file " + e->path +
        " (never seen before)");
    if (OpenFile(s, e->path, 0, label_path, true, now)) ++s->rotations;
  }
}

void Collector::Impl::Scan(SourceState* s, int64_t now) {
  std::vector<DirEntry> listing;
  List(s, &listing);
  std::set<FileKey> present;
  for (const auto& e : listing) present.insert(e.key);
  std::set<FileKey> at_path;
  std::set<std::string> still_at_path;  // filename labels whose stored file is still there
  for (const auto& e : listing) {
    if (!e.matching) continue;
    at_path.insert(e.key);
    auto it = s->open.find(e.key);
    if (it != s->open.end()) {
      it->second.gone = false;
      continue;
    }
    auto k = s->known.find(e.key);
    if (k != s->known.end()) {
      // Seen before (restart, or a file that came back): resume if it is the same file.
      Position pos = k->second;
      s->known.erase(k);
      still_at_path.insert(pos.path);
      std::unique_ptr<FileTailer> probe;
      bool same = FileTailer::Open(e.path, 0, &probe).ok() &&
                  FingerprintMatches(probe->fd(), pos.fp) && e.size >= pos.offset;
      probe.reset();
      if (same) {
        // Nothing of its content was known (it was empty): copytruncate
        // copies made since are unread content of it, and come first.
        if (pos.fp.len == 0)
          AdoptSiblings(s, listing, e.dir, e.name, pos.mtime_ns, pos.path, now, e.key);
        OpenFile(s, e.path, pos.offset, pos.path, false, now);
        continue;
      }
      ++s->truncations;
      AdoptCopy(s, e.path, pos.path, pos.fp, pos.offset, now);
    }
    uint64_t offset = s->first_scan && s->cfg.start_at_end && !s->had_positions ? e.size : 0;
    OpenFile(s, e.path, offset, e.path, false, now);
  }
  // Files that left their path: rotated away or deleted. Finish them, and
  // read never-seen rotated siblings that are newer first.
  for (auto& [key, f] : s->open) {
    if (at_path.count(key) || f.gone) continue;
    f.gone = true;
    f.gone_seq = ++gone_seq;
    ++s->rotations;
    AdoptSiblings(s, listing, DirOf(f.tailer->path()), BaseOf(f.label_path), f.tailer->mtime_ns(),
                  f.label_path, now);
  }
  if (s->first_scan) {
    // Positions stored by an earlier run whose file is not at a matching path:
    // it was rotated (or deleted) while lode was stopped.
    std::vector<std::pair<FileKey, Position>> rest(s->known.begin(), s->known.end());
    std::sort(rest.begin(), rest.end(),
              [](const auto& a, const auto& b) { return a.second.mtime_ns < b.second.mtime_ns; });
    std::map<std::string, int64_t> newest;  // per filename label: the newest stored mtime
    for (const auto& [key, pos] : rest) {
      newest[pos.path] = std::max(newest[pos.path], pos.mtime_ns);
      for (const auto& e : listing) {
        if (!(e.key == key) || e.size <= pos.offset) continue;
        std::unique_ptr<FileTailer> probe;
        if (FileTailer::Open(e.path, 0, &probe).ok() && FingerprintMatches(probe->fd(), pos.fp)) {
          probe.reset();
          s->known.erase(key);
          if (OpenFile(s, e.path, pos.offset, pos.path, true, now)) ++s->rotations;
        }
        break;
      }
    }
    // Then the rotated files never seen, newer than everything read before,
    // unless the file last read is still at its path (copytruncate copies).
    for (const auto& [path, mtime] : newest) {
      if (!still_at_path.count(path))
        AdoptSiblings(s, listing, DirOf(path), BaseOf(path), mtime, path, now);
    }
    s->first_scan = false;
  }
  // Forget positions of files that no longer exist.
  for (auto it = s->known.begin(); it != s->known.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    pending_state.emplace_back(PositionKey(s->cfg.name, it->first), "");
    it = s->known.erase(it);
  }
}

bool Collector::Impl::AdoptCopy(SourceState* s, const std::string& path,
                                const std::string& label_path, const Fingerprint& fp,
                                uint64_t offset, int64_t now) {
  if (offset == 0) return false;
  std::string dir = DirOf(path), base = BaseOf(path);
  DIR* d = opendir(dir.c_str());
  if (!d) return false;
  std::vector<DirEntry> listing;
  while (struct dirent* de = readdir(d)) {
    std::string name = de->d_name;
    if (name.size() <= base.size() || name.compare(0, base.size(), base) != 0 || Compressed(name))
      continue;
    DirEntry e;
    e.dir = dir;
    e.name = name;
    e.path = dir + "/" + name;
    struct stat st;
    if (stat(e.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    e.key = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
    e.size = static_cast<uint64_t>(st.st_size);
    e.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    listing.push_back(std::move(e));
  }
  closedir(d);
  // The copy of what was being read: same first bytes, at least as long. It
  // may be known already (read before) or open; it anchors the newer copies.
  const DirEntry* copy = nullptr;
  for (const auto& e : listing) {
    if (e.size < offset) continue;
    std::unique_ptr<FileTailer> probe;
    if (!FileTailer::Open(e.path, 0, &probe).ok() || !FingerprintMatches(probe->fd(), fp)) continue;
    if (!copy || e.mtime_ns < copy->mtime_ns) copy = &e;
  }
  if (!copy) return false;
  size_t before = s->open.size();
  if (!s->open.count(copy->key)) {
    uint64_t from = offset;
    auto k = s->known.find(copy->key);
    if (k != s->known.end()) {
      from = std::max(from, k->second.offset);
      if (copy->size > from) s->known.erase(k);
    }
    if (copy->size > from) {
      Log("collector: source " + s->cfg.name + ": reading the rest of " + path + " from its copy " +
          copy->path);
      OpenFile(s, copy->path, from, label_path, true, now);
    } else if (k == s->known.end()) {
      // Read to its end already: remember it, so that it is never taken for
      // an unread copy later.
      std::unique_ptr<FileTailer> probe;
      if (FileTailer::Open(copy->path, 0, &probe).ok()) {
        Position p;
        p.offset = copy->size;
        p.fp = probe->fingerprint();
        p.mtime_ns = copy->mtime_ns;
        p.path = label_path;
        s->known[copy->key] = p;
        pending_state.emplace_back(PositionKey(s->cfg.name, copy->key), EncodePosition(p));
      }
    }
  }
  // Copies made after it (several copytruncates while lode was behind or stopped).
  AdoptSiblings(s, listing, dir, base, copy->mtime_ns, label_path, now, copy->key);
  return s->open.size() > before;
}

void Collector::Impl::CloseSource(SourceState* s) {
  auto& keep = stored[s->cfg.name];
  for (auto& [key, f] : s->open) {
    Position p;
    p.offset = f.tailer->offset();
    p.fp = f.tailer->fingerprint();
    p.mtime_ns = f.tailer->mtime_ns();
    p.path = f.label_path;
    keep[key] = p;
    last_ts.erase(f.stream_key);
    --open_files;
  }
  for (auto& [key, p] : s->known) keep[key] = p;
  s->open.clear();
  s->known.clear();
}

std::set<std::string> Collector::Impl::WatchedDirs() const {
  std::set<std::string> d;
  for (const auto& [_, s] : sources) d.insert(s->dirs.begin(), s->dirs.end());
  return d;
}

}  // namespace lode::collector
