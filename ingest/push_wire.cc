#include "ingest/push_wire.h"

#include <cstdint>
#include <string>
#include <utility>

#include "ingest/wire_cursor.h"

namespace lode::ingest {

namespace {

using wire::Cursor;
using wire::kLen;
using wire::kVarint;

// A known field number with another wire type: an error, as in gogo's
// generated Unmarshal that Loki uses.
bool WrongWireType(uint32_t wt, const char* field, std::string* err) {
  if (err) *err = "proto: wrong wireType = " + std::to_string(wt) + " for field " + field;
  return false;
}

// Timestamp { int64 seconds = 1; int32 nanos = 2; }, merged into *seconds / *nanos.
bool ParseTimestamp(std::string_view m, int64_t* seconds, int32_t* nanos, std::string* err) {
  Cursor c(m);
  uint32_t f, wt;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    uint64_t v;
    if (f == 1) {
      if (wt != kVarint) return WrongWireType(wt, "Seconds", err);
      if (!c.Varint(&v)) return false;
      *seconds = static_cast<int64_t>(v);
    } else if (f == 2) {
      if (wt != kVarint) return WrongWireType(wt, "Nanos", err);
      if (!c.Varint(&v)) return false;
      *nanos = static_cast<int32_t>(static_cast<uint32_t>(v));
    } else if (!c.Skip(f, wt)) {
      return false;
    }
  }
  return true;
}

// LabelPairAdapter { bytes name = 1; bytes value = 2; }
bool ParseLabelPair(std::string_view m, LabelView* out, std::string* err) {
  Cursor c(m);
  uint32_t f, wt;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    if (f == 1) {
      if (wt != kLen) return WrongWireType(wt, "Name", err);
      if (!c.Bytes(&out->name)) return false;
    } else if (f == 2) {
      if (wt != kLen) return WrongWireType(wt, "Value", err);
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
bool ParseEntry(std::string_view m, EntryRef* r, std::vector<LabelView>* md, std::string* err) {
  Cursor c(m);
  uint32_t f, wt;
  int64_t seconds = 0;
  int32_t nanos = 0;
  std::string_view sub;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    if (f <= 3 && wt != kLen) {
      return WrongWireType(wt, f == 1 ? "Timestamp" : f == 2 ? "Line" : "StructuredMetadata", err);
    }
    if (f == 1) {
      if (!c.Bytes(&sub) || !ParseTimestamp(sub, &seconds, &nanos, err)) return false;
    } else if (f == 2) {
      if (!c.Bytes(&r->line)) return false;
    } else if (f == 3) {
      LabelView lv;
      if (!c.Bytes(&sub) || !ParseLabelPair(sub, &lv, err)) return false;
      md->push_back(lv);
      r->n_md++;
    } else if (!c.Skip(f, wt)) {
      return false;
    }
  }
  // google.protobuf.Timestamp requires nanos in [0, 1e9); lode stores
  // nanoseconds since 1970 in an int64, so seconds * 1e9 + nanos must fit.
  if (nanos < 0 || nanos >= 1000000000) {
    if (err) {
      *err = "timestamp: seconds:" + std::to_string(seconds) + " nanos:" + std::to_string(nanos) +
             ": nanos not in range [0, 1e9)";
    }
    return false;
  }
  const __int128 ns = static_cast<__int128>(seconds) * 1000000000 + nanos;
  if (ns > INT64_MAX || ns < INT64_MIN) {
    if (err) {
      *err =
          "timestamp: seconds:" + std::to_string(seconds) + " nanos:" + std::to_string(nanos) +
          ": out of range (timestamps are nanoseconds since 1970 in an int64: years 1677 to 2262)";
    }
    return false;
  }
  r->ts = static_cast<int64_t>(ns);
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
bool ParseStream(std::string_view m, PushStream* ps, std::string* err) {
  long n = CountEntries(m);
  if (n < 0) return false;
  ps->entries.reserve(static_cast<size_t>(n));
  std::vector<std::pair<size_t, size_t>> md_fixups;  // (entry index, first md index)
  Cursor c(m);
  uint32_t f, wt;
  std::string_view sub;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    if (f == 1) {
      if (wt != kLen) return WrongWireType(wt, "Labels", err);
      if (!c.Bytes(&ps->labels_text)) return false;
    } else if (f == 2) {
      if (wt != kLen) return WrongWireType(wt, "Entries", err);
      EntryRef r;
      size_t md_begin = ps->md.size();
      if (!c.Bytes(&sub) || !ParseEntry(sub, &r, &ps->md, err)) return false;
      if (r.n_md) md_fixups.push_back({ps->entries.size(), md_begin});
      ps->entries.push_back(r);
    } else if (f == 3 && wt != kVarint) {
      return WrongWireType(wt, "Hash", err);
    } else if (!c.Skip(f, wt)) {
      return false;
    }
  }
  for (const auto& [i, b] : md_fixups) ps->entries[i].md = ps->md.data() + b;
  return true;
}

}  // namespace

bool DecodePushRequestWire(std::string_view data, PushRequest* out, std::string* error) {
  Cursor c(data);
  uint32_t f, wt;
  std::string_view sub;
  while (!c.done()) {
    if (!c.Tag(&f, &wt)) return false;
    if (f == 1) {
      if (wt != kLen) return WrongWireType(wt, "Streams", error);
      PushStream ps;
      if (!c.Bytes(&sub) || !ParseStream(sub, &ps, error)) return false;
      out->streams.push_back(std::move(ps));
    } else if (!c.Skip(f, wt)) {
      return false;
    }
  }
  return true;
}

}  // namespace lode::ingest
