#include "ingest/push_wire.h"

#include <cstdint>
#include <utility>

#include "ingest/wire_cursor.h"

namespace lode::ingest {

namespace {

using wire::Cursor;
using wire::kLen;
using wire::kVarint;

// Timestamp { int64 seconds = 1; int32 nanos = 2; }, merged into *seconds / *nanos.
bool ParseTimestamp(std::string_view m, int64_t* seconds, int32_t* nanos) {
  Cursor c(m);
  uint32_t f, wt;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    uint64_t v;
    if (f == 1 && wt == kVarint) {
      if (!c.Varint(&v)) return false;
      *seconds = static_cast<int64_t>(v);
    } else if (f == 2 && wt == kVarint) {
      if (!c.Varint(&v)) return false;
      *nanos = static_cast<int32_t>(static_cast<uint32_t>(v));
    } else if (!c.Skip(f, wt)) {
      return false;
    }
  }
  return true;
}

// LabelPairAdapter { bytes name = 1; bytes value = 2; }
bool ParseLabelPair(std::string_view m, LabelView* out) {
  Cursor c(m);
  uint32_t f, wt;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    if (f == 1 && wt == kLen) {
      if (!c.Bytes(&out->name)) return false;
    } else if (f == 2 && wt == kLen) {
      if (!c.Bytes(&out->value)) return false;
    } else if (!c.Skip(f, wt)) {
      return false;
    }
  }
  return true;
}

// EntryAdapter { Timestamp timestamp = 1; bytes line = 2;
//                repeated LabelPairAdapter structuredMetadata = 3; }
// Metadata pairs are appended to *md; r->n_md counts them (r->md is set by
// the caller once *md stops growing).
bool ParseEntry(std::string_view m, EntryRef* r, std::vector<LabelView>* md) {
  Cursor c(m);
  uint32_t f, wt;
  int64_t seconds = 0;
  int32_t nanos = 0;
  std::string_view sub;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    if (f == 1 && wt == kLen) {
      if (!c.Bytes(&sub) || !ParseTimestamp(sub, &seconds, &nanos)) return false;
    } else if (f == 2 && wt == kLen) {
      if (!c.Bytes(&r->line)) return false;
    } else if (f == 3 && wt == kLen) {
      LabelView lv;
      if (!c.Bytes(&sub) || !ParseLabelPair(sub, &lv)) return false;
      md->push_back(lv);
      r->n_md++;
    } else if (!c.Skip(f, wt)) {
      return false;
    }
  }
  // Wrapping arithmetic: the same result as int64 math whenever that does not overflow.
  r->ts = static_cast<int64_t>(static_cast<uint64_t>(seconds) * 1000000000ULL +
                               static_cast<uint64_t>(static_cast<int64_t>(nanos)));
  return true;
}

// Number of `entries` fields of a StreamAdapter (to reserve), or -1 if malformed.
long CountEntries(std::string_view m) {
  Cursor c(m);
  uint32_t f, wt;
  long n = 0;
  while (!c.done()) {
    if (!c.Tag(&f, &wt) || !c.Skip(f, wt)) return -1;
    if (f == 2 && wt == kLen) ++n;
  }
  return n;
}

// StreamAdapter { bytes labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
bool ParseStream(std::string_view m, PushStream* ps) {
  long n = CountEntries(m);
  if (n < 0) return false;
  ps->entries.reserve(static_cast<size_t>(n));
  std::vector<std::pair<size_t, size_t>> md_fixups;  // (entry index, first md index)
  Cursor c(m);
  uint32_t f, wt;
  std::string_view sub;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    if (f == 1 && wt == kLen) {
      if (!c.Bytes(&ps->labels_text)) return false;
    } else if (f == 2 && wt == kLen) {
      EntryRef r;
      size_t md_begin = ps->md.size();
      if (!c.Bytes(&sub) || !ParseEntry(sub, &r, &ps->md)) return false;
      if (r.n_md) md_fixups.push_back({ps->entries.size(), md_begin});
      ps->entries.push_back(r);
    } else if (!c.Skip(f, wt)) {
      return false;
    }
  }
  for (const auto& [i, b] : md_fixups) ps->entries[i].md = ps->md.data() + b;
  return true;
}

}  // namespace

bool DecodePushRequestWire(std::string_view data, PushRequest* out) {
  Cursor c(data);
  uint32_t f, wt;
  std::string_view sub;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    if (f == 1 && wt == kLen) {
      PushStream ps;
      if (!c.Bytes(&sub) || !ParseStream(sub, &ps)) return false;
      out->streams.push_back(std::move(ps));
    } else if (!c.Skip(f, wt)) {
      return false;
    }
  }
  return true;
}

}  // namespace lode::ingest
