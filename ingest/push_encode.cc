#include "ingest/push_encode.h"

#include <snappy.h>

#include <cassert>
#include <cstring>

namespace lode::ingest {

namespace {

// The request is written through a raw cursor into space sized beforehand
// (sizes are computed twice, cheap arithmetic): a string append per varint
// cost the agent's commit thread more than the rest of the encoding.

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline char* PutVarint(uint64_t v, char* p) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

// tag byte for field numbers below 16
inline char* PutTag(int field, int wire, char* p) {
  *p++ = static_cast<char>((field << 3) | wire);
  return p;
}

size_t BytesFieldSize(size_t len) { return 1 + VarintSize(len) + len; }

inline char* PutBytesField(int field, std::string_view v, char* p) {
  p = PutTag(field, 2, p);
  p = PutVarint(v.size(), p);
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  return p + v.size();
}

size_t TimestampSize(int64_t secs, int32_t nanos) {
  size_t n = 0;
  if (secs) n += 1 + VarintSize(static_cast<uint64_t>(secs));
  if (nanos) n += 1 + VarintSize(static_cast<uint64_t>(nanos));
  return n;
}

size_t EntrySize(const EntryRef& e, size_t* ts_size) {
  int64_t secs = e.ts / 1000000000;
  int32_t nanos = static_cast<int32_t>(e.ts % 1000000000);
  *ts_size = TimestampSize(secs, nanos);
  size_t n = BytesFieldSize(*ts_size) + BytesFieldSize(e.line.size());
  for (uint32_t i = 0; i < e.n_md; ++i)
    n += BytesFieldSize(BytesFieldSize(e.md[i].name.size()) + BytesFieldSize(e.md[i].value.size()));
  return n;
}

}  // namespace

void AppendPushStream(std::string_view labels, std::span<const EntryRef> entries,
                      std::string* out) {
  size_t body = BytesFieldSize(labels.size());
  for (const auto& e : entries) {
    size_t ts_size;
    body += BytesFieldSize(EntrySize(e, &ts_size));
  }
  size_t old = out->size();
  size_t total = BytesFieldSize(body);
  out->resize(old + total);
  char* p = out->data() + old;
  p = PutTag(1, 2, p);
  p = PutVarint(body, p);
  p = PutBytesField(1, labels, p);
  for (const auto& e : entries) {
    size_t ts_size;
    size_t size = EntrySize(e, &ts_size);
    p = PutTag(2, 2, p);
    p = PutVarint(size, p);
    int64_t secs = e.ts / 1000000000;
    int32_t nanos = static_cast<int32_t>(e.ts % 1000000000);
    p = PutTag(1, 2, p);
    p = PutVarint(ts_size, p);
    if (secs) {
      p = PutTag(1, 0, p);
      p = PutVarint(static_cast<uint64_t>(secs), p);
    }
    if (nanos) {
      p = PutTag(2, 0, p);
      p = PutVarint(static_cast<uint64_t>(nanos), p);
    }
    p = PutBytesField(2, e.line, p);
    for (uint32_t i = 0; i < e.n_md; ++i) {
      p = PutTag(3, 2, p);
      p = PutVarint(BytesFieldSize(e.md[i].name.size()) + BytesFieldSize(e.md[i].value.size()), p);
      p = PutBytesField(1, e.md[i].name, p);
      p = PutBytesField(2, e.md[i].value, p);
    }
  }
  assert(p == out->data() + old + total);
}

void AppendPushRequest(std::span<const StreamEntries> streams, std::string* out) {
  for (const auto& s : streams) AppendPushStream(LabelsToString(*s.labels), s.entries, out);
}

void SnappyCompress(std::string_view raw, std::string* out) {
  out->clear();
  snappy::Compress(raw.data(), raw.size(), out);
}

size_t SnappyMaxCompressedLength(size_t raw_bytes) {
  return snappy::MaxCompressedLength(raw_bytes);
}

size_t SnappyCompress(std::string_view raw, char* out) {
  size_t n = 0;
  snappy::RawCompress(raw.data(), raw.size(), out, &n);
  return n;
}

}  // namespace lode::ingest
