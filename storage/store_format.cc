#include "storage/store_format.h"

#include <rocksdb/status.h>

#include "base/coding.h"

namespace lode::format {

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  return Status::IOError("storage: " + s.ToString());
}

std::string StreamPrefix(std::string_view tenant, uint64_t id) {
  std::string k(tenant);
  k.push_back('\0');
  PutBE64(&k, id);
  return k;
}

std::string PrefixEnd(std::string p) {
  while (!p.empty() && static_cast<unsigned char>(p.back()) == 0xff) p.pop_back();
  if (!p.empty()) p.back() = static_cast<char>(static_cast<unsigned char>(p.back()) + 1);
  return p;
}

std::string IndexDayPrefix(std::string_view tenant, uint32_t day) {
  std::string k(tenant);
  k.push_back('\0');
  k.push_back('D');
  PutBE32(&k, day);
  return k;
}

std::string IndexDayKey(std::string_view tenant, uint32_t day, uint64_t id) {
  std::string k = IndexDayPrefix(tenant, day);
  PutBE64(&k, id);
  return k;
}

std::string IndexLabelKey(std::string_view tenant, uint32_t day, std::string_view name,
                          std::string_view value, uint64_t id) {
  std::string k(tenant);
  k.push_back('\0');
  k.push_back('L');
  PutBE32(&k, day);
  k.append(name);
  k.push_back('\0');
  k.append(value);
  k.push_back('\0');
  PutBE64(&k, id);
  return k;
}

std::string DeleteRequestKey(std::string_view tenant, std::string_view id) {
  std::string k(kDeleteRequestPrefix);
  k.append(tenant);
  k.push_back('\0');
  k.append(id);
  return k;
}

std::string StreamByLabelsKey(std::string_view tenant, std::string_view labels) {
  std::string k = "s";
  k.append(tenant);
  k.push_back('\0');
  k.append(labels);
  return k;
}

std::string StreamByIdKey(std::string_view tenant, uint64_t id) {
  std::string k = "i";
  k.append(tenant);
  k.push_back('\0');
  PutBE64(&k, id);
  return k;
}

void EncodeHeadRecord(std::span<const EntryRef> entries, std::string* out) {
  PutVarint(out, entries.size());
  for (const auto& e : entries) {
    PutVarint(out, ZigZag(e.ts));
    PutLengthPrefixed(out, e.line);
    PutVarint(out, e.n_md);
    for (uint32_t i = 0; i < e.n_md; ++i) {
      PutLengthPrefixed(out, e.md[i].name);
      PutLengthPrefixed(out, e.md[i].value);
    }
  }
}

Status DecodeHeadRecord(std::string_view rec, std::vector<OwnedEntry>* out) {
  const char* p = rec.data();
  const char* end = p + rec.size();
  uint64_t n;
  if (!GetVarint(&p, end, &n)) return Status::IOError("corrupt head record");
  for (uint64_t i = 0; i < n; ++i) {
    OwnedEntry e;
    uint64_t ts, k;
    if (!GetVarint(&p, end, &ts) || !GetLengthPrefixed(&p, end, &e.line) || !GetVarint(&p, end, &k))
      return Status::IOError("corrupt head record");
    e.ts = UnZigZag(ts);
    for (uint64_t j = 0; j < k; ++j) {
      LabelView lv;
      if (!GetLengthPrefixed(&p, end, &lv.name) || !GetLengthPrefixed(&p, end, &lv.value))
        return Status::IOError("corrupt head record");
      e.md.push_back(lv);
    }
    e.order = out->size();
    out->push_back(std::move(e));
  }
  return Status::OK();
}

void EncodeMeta(const ChunkMeta& m, std::string* out) {
  PutVarint(out, ZigZag(m.min_ts));
  PutVarint(out, ZigZag(m.max_ts));
  PutVarint(out, m.entries);
  PutVarint(out, m.raw_bytes);
  PutVarint(out, m.size);
  if (!m.filter.empty()) PutLengthPrefixed(out, m.filter);
}

bool DecodeMeta(std::string_view v, ChunkMeta* m) {
  const char* p = v.data();
  const char* end = p + v.size();
  uint64_t a, b, c;
  if (!GetVarint(&p, end, &a) || !GetVarint(&p, end, &b) || !GetVarint(&p, end, &c) ||
      !GetVarint(&p, end, &m->raw_bytes) || !GetVarint(&p, end, &m->size))
    return false;
  m->min_ts = UnZigZag(a);
  m->max_ts = UnZigZag(b);
  m->entries = static_cast<uint32_t>(c);
  m->filter.clear();
  std::string_view f;
  if (p < end) {  // metas of v2 chunks carry the chunk's gram filter
    if (!GetLengthPrefixed(&p, end, &f)) return false;
    m->filter.assign(f);
  }
  return true;
}

}  // namespace lode::format
