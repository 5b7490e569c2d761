#include "storage/needle_filter.h"

#include "base/find.h"

namespace lode {

namespace {

// Whether lines [0, n) lie back to back in memory in index order (step +1)
// or in reverse index order (step -1, a backward batch of a block).
bool OneRun(const EntryBatch& in, bool* reversed) {
  const size_t n = in.size();
  bool fwd = true, bwd = true;
  for (size_t i = 1; i < n && (fwd || bwd); ++i) {
    const std::string_view a = in.line[i - 1], b = in.line[i];
    fwd = fwd && a.data() + a.size() == b.data();
    bwd = bwd && b.data() + b.size() == a.data();
  }
  *reversed = !fwd && bwd;
  return fwd || bwd;
}

}  // namespace

size_t NeedleFilter::Mark(const EntryBatch& in) {
  const size_t n = in.size();
  match_.assign(n, 0);
  const char* nd = needle_.data();
  const size_t nl = needle_.size();
  bool reversed = false;
  if (n < 2 || !OneRun(in, &reversed)) {
    size_t hits = 0;
    for (size_t i = 0; i < n; ++i) {
      const std::string_view l = in.line[i];
      if (l.size() >= nl && FindBytes(l.data(), l.size(), nd, nl)) {
        match_[i] = 1;
        ++hits;
      }
    }
    return hits;
  }
  // Line k in memory order is index idx(k).
  auto idx = [&](size_t k) { return reversed ? n - 1 - k : k; };
  const char* base = in.line[idx(0)].data();
  const std::string_view last = in.line[idx(n - 1)];
  const char* end = last.data() + last.size();
  const char* p = base;
  size_t k = 0, hits = 0;
  while (static_cast<size_t>(end - p) >= nl) {
    const char* h = FindBytes(p, static_cast<size_t>(end - p), nd, nl);
    if (!h) break;
    // The line holding h: the first (in memory order) that ends after h.
    while (in.line[idx(k)].data() + in.line[idx(k)].size() <= h) ++k;
    const std::string_view l = in.line[idx(k)];
    if (h + nl <= l.data() + l.size()) {
      match_[idx(k)] = 1;
      ++hits;
      p = l.data() + l.size();  // next line
    } else {
      p = h + 1;  // straddles two lines: not a match
    }
  }
  return hits;
}

const EntryBatch& NeedleFilter::Apply(const EntryBatch& in) {
  if (needle_.empty()) return in;
  const size_t hits = Mark(in);
  if (hits == in.size()) return in;
  out_.clear();
  out_.md_begin.push_back(0);
  if (hits == 0) return out_;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!match_[i]) continue;
    out_.ts.push_back(in.ts[i]);
    out_.line.push_back(in.line[i]);
    out_.md.insert(out_.md.end(), in.md.begin() + in.md_begin[i],
                   in.md.begin() + in.md_begin[i + 1]);
    out_.md_begin.push_back(static_cast<uint32_t>(out_.md.size()));
  }
  return out_;
}

}  // namespace lode
