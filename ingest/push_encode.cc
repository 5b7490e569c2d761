#include "ingest/push_encode.h"

#include <snappy.h>

namespace lode::ingest {

namespace {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutVarint(uint64_t v, std::string* out) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

// tag byte for field numbers below 16
inline void PutTag(int field, int wire, std::string* out) {
  out->push_back(static_cast<char>((field << 3) | wire));
}

size_t BytesFieldSize(size_t len) { return 1 + VarintSize(len) + len; }

void PutBytesField(int field, std::string_view v, std::string* out) {
  PutTag(field, 2, out);
  PutVarint(v.size(), out);
  out->append(v);
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
  out->reserve(out->size() + BytesFieldSize(body));
  PutTag(1, 2, out);
  PutVarint(body, out);
  PutBytesField(1, labels, out);
  for (const auto& e : entries) {
    size_t ts_size;
    size_t size = EntrySize(e, &ts_size);
    PutTag(2, 2, out);
    PutVarint(size, out);
    int64_t secs = e.ts / 1000000000;
    int32_t nanos = static_cast<int32_t>(e.ts % 1000000000);
    PutTag(1, 2, out);
    PutVarint(ts_size, out);
    if (secs) {
      PutTag(1, 0, out);
      PutVarint(static_cast<uint64_t>(secs), out);
    }
    if (nanos) {
      PutTag(2, 0, out);
      PutVarint(static_cast<uint64_t>(nanos), out);
    }
    PutBytesField(2, e.line, out);
    for (uint32_t i = 0; i < e.n_md; ++i) {
      PutTag(3, 2, out);
      PutVarint(BytesFieldSize(e.md[i].name.size()) + BytesFieldSize(e.md[i].value.size()), out);
      PutBytesField(1, e.md[i].name, out);
      PutBytesField(2, e.md[i].value, out);
    }
  }
}

void AppendPushRequest(std::span<const StreamEntries> streams, std::string* out) {
  for (const auto& s : streams) AppendPushStream(LabelsToString(*s.labels), s.entries, out);
}

void SnappyCompress(std::string_view raw, std::string* out) {
  out->clear();
  snappy::Compress(raw.data(), raw.size(), out);
}

}  // namespace lode::ingest
