#include "storage/chunk.h"

#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "base/coding.h"
#include "storage/line_codec.h"

namespace lode {

namespace {

bool SameMetadata(const OwnedEntry& a, const OwnedEntry& b) {
  if (a.md.size() != b.md.size()) return false;
  for (size_t i = 0; i < a.md.size(); ++i)
    if (a.md[i].name != b.md[i].name || a.md[i].value != b.md[i].value) return false;
  return true;
}

struct BlockMeta {
  int64_t min_ts, max_ts;
  uint64_t n, raw_size, comp_size;
  std::string_view filter;  // v2: the block's GramFilter (empty: none)
};

// zstd contexts are reused per thread: a fresh context per block (what
// ZSTD_compress / ZSTD_decompress do) allocates and clears its tables every
// time, which cost a quarter of the compression time on 256 KiB blocks.
struct ZstdContexts {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};

ZstdContexts& Zstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

}  // namespace

struct ChunkDict {
  std::string bytes;
  ZSTD_CDict* cdict = nullptr;
  ZSTD_DDict* ddict = nullptr;
};

namespace {

// Registered dictionaries by id; entries live as long as the process.
struct DictRegistry {
  std::shared_mutex mu;
  std::map<uint32_t, std::unique_ptr<ChunkDict>> by_id;
};

DictRegistry& Dicts() {
  static DictRegistry* r = new DictRegistry;  // never destroyed: used by exiting threads
  return *r;
}

const ZSTD_DDict* FindDDict(uint32_t id) {
  // The last one found, per thread: a scan's blocks mostly share one.
  thread_local uint32_t last_id = 0;
  thread_local const ZSTD_DDict* last = nullptr;
  if (id == last_id && last != nullptr) return last;
  DictRegistry& r = Dicts();
  std::shared_lock<std::shared_mutex> l(r.mu);
  auto it = r.by_id.find(id);
  if (it == r.by_id.end()) return nullptr;
  last_id = id;
  last = it->second->ddict;
  return last;
}

void PutMetadata(const OwnedEntry* b, const OwnedEntry* e, std::string* raw) {
  for (const OwnedEntry* p = b; p < e; ++p) {
    PutVarint(raw, p->md.size());
    for (const auto& l : p->md) {
      PutLengthPrefixed(raw, l.name);
      PutLengthPrefixed(raw, l.value);
    }
  }
}

void EncodeBlock(const OwnedEntry* b, const OwnedEntry* e, int level, uint8_t version,
                 const SmallBlocks* small, std::string* raw, std::string* lines, std::string* out,
                 BlockMeta* meta) {
  raw->clear();
  PutVarint(raw, ZigZag(b->ts));
  for (const OwnedEntry* p = b + 1; p < e; ++p)
    PutVarint(raw, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(p->ts) -
                                               static_cast<uint64_t>((p - 1)->ts))));
  if (version >= kChunkFormatV3) {
    lines->clear();
    EncodeLines(b, e, lines);
    PutLengthPrefixed(raw, *lines);
    PutMetadata(b, e, raw);
  } else {
    for (const OwnedEntry* p = b; p < e; ++p) PutVarint(raw, p->line.size());
    PutMetadata(b, e, raw);
    for (const OwnedEntry* p = b; p < e; ++p) raw->append(p->line.data(), p->line.size());
  }
  size_t bound = ZSTD_compressBound(raw->size());
  size_t old = out->size();
  out->resize(old + bound);
  const ZSTD_CDict* cdict = nullptr;
  if (small != nullptr && raw->size() <= kDictBlockMaxRaw) {
    if (small->dict != nullptr) {
      cdict = small->dict->cdict;
    } else if (small->samples != nullptr && small->samples->size() < small->max_samples) {
      const size_t n = std::min<size_t>(raw->size(), 8 << 10);
      small->samples->append(raw->data(), n);
      small->sample_sizes->push_back(n);
    }
  }
  size_t n = cdict != nullptr ? ZSTD_compress_usingCDict(Zstd().cctx, out->data() + old, bound,
                                                         raw->data(), raw->size(), cdict)
                              : ZSTD_compressCCtx(Zstd().cctx, out->data() + old, bound,
                                                  raw->data(), raw->size(), level);
  out->resize(old + n);
  meta->min_ts = b->ts;
  meta->max_ts = (e - 1)->ts;
  meta->n = static_cast<uint64_t>(e - b);
  meta->raw_size = raw->size();
  meta->comp_size = n;
}

// The largest uncompressed block a chunk may declare (chunk_block_size is
// far smaller); larger ones are corrupt.
constexpr uint64_t kMaxBlockRawSize = 64u << 20;

Status Corrupt(const char* what) { return Status::IOError(std::string("corrupt chunk: ") + what); }

struct ParsedHeader {
  uint8_t version = 0;
  std::vector<BlockMeta> blocks;
  const char* data = nullptr;  // start of block data
};

Status ParseHeader(std::string_view chunk, ParsedHeader* h) {
  const char* p = chunk.data();
  const char* end = p + chunk.size();
  if (p == end) return Corrupt("version");
  const uint8_t version = static_cast<uint8_t>(*p);
  if (version < kChunkFormatV1 || version > kChunkFormatV3) return Corrupt("version");
  h->version = version;
  ++p;
  uint64_t nb;
  if (!GetVarint(&p, end, &nb)) return Corrupt("header");
  // Each block's meta takes at least 5 bytes: a count beyond that is corrupt
  // (and must not size an allocation).
  if (nb > static_cast<uint64_t>(end - p) / 5) return Corrupt("block count");
  h->blocks.resize(nb);
  for (auto& m : h->blocks) {
    uint64_t a, b;
    if (!GetVarint(&p, end, &a) || !GetVarint(&p, end, &b) || !GetVarint(&p, end, &m.n) ||
        !GetVarint(&p, end, &m.raw_size) || !GetVarint(&p, end, &m.comp_size) ||
        (version >= kChunkFormatV2 && !GetLengthPrefixed(&p, end, &m.filter)))
      return Corrupt("block meta");
    m.min_ts = UnZigZag(a);
    m.max_ts = UnZigZag(b);
    // Bounds that keep a corrupt meta from sizing allocations: a block
    // decompresses to at most kMaxBlockRawSize, and every entry takes at
    // least one byte of it.
    if (m.raw_size > kMaxBlockRawSize || m.n > m.raw_size) return Corrupt("block size");
  }
  h->data = p;
  uint64_t left = static_cast<uint64_t>(end - p);
  for (auto& m : h->blocks) {
    if (m.comp_size > left) return Corrupt("truncated");
    left -= m.comp_size;
  }
  return Status::OK();
}

// Parses the metadata column of n entries at *p into batch (appending).
Status GetMetadata(const char** p, const char* end, uint64_t n, EntryBatch* batch) {
  if (batch->md_begin.empty()) batch->md_begin.push_back(0);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t k;
    if (!GetVarint(p, end, &k)) return Corrupt("metadata");
    for (uint64_t j = 0; j < k; ++j) {
      LabelView lv;
      if (!GetLengthPrefixed(p, end, &lv.name) || !GetLengthPrefixed(p, end, &lv.value))
        return Corrupt("metadata pair");
      batch->md.push_back(lv);
    }
    batch->md_begin.push_back(static_cast<uint32_t>(batch->md.size()));
  }
  return Status::OK();
}

// Decompresses a block and decodes its columns into batch (appending). *raw
// only grows (its bytes past the block are unused): resizing a string
// zero-fills it, which is wasted work when it is about to be overwritten.
// Version 3 rebuilds the lines (storage/line_codec.h) into *raw after the
// decompressed block.
Status DecodeBlock(const char* comp, const BlockMeta& m, uint8_t version, std::string* raw,
                   EntryBatch* batch) {
  if (raw->size() < m.raw_size) raw->resize(m.raw_size);
  size_t n;
  if (const uint32_t dict_id = ZSTD_getDictID_fromFrame(comp, m.comp_size); dict_id != 0) {
    const ZSTD_DDict* ddict = FindDDict(dict_id);
    if (ddict == nullptr) return Corrupt("unknown zstd dictionary");
    n = ZSTD_decompress_usingDDict(Zstd().dctx, raw->data(), m.raw_size, comp, m.comp_size,
                                   ddict);
  } else {
    n = ZSTD_decompressDCtx(Zstd().dctx, raw->data(), m.raw_size, comp, m.comp_size);
  }
  if (ZSTD_isError(n) || n != m.raw_size) return Corrupt("zstd");
  const char* p = raw->data();
  const char* end = p + m.raw_size;
  size_t base = batch->ts.size();
  batch->ts.resize(base + m.n);
  batch->line.resize(base + m.n);
  int64_t ts = 0;
  for (uint64_t i = 0; i < m.n; ++i) {
    uint64_t v;
    if (!GetVarint(&p, end, &v)) return Corrupt("ts");
    // Wrapping addition: a corrupt delta must not overflow (UB).
    ts = i == 0
             ? UnZigZag(v)
             : static_cast<int64_t>(static_cast<uint64_t>(ts) + static_cast<uint64_t>(UnZigZag(v)));
    batch->ts[base + i] = ts;
  }
  if (version >= kChunkFormatV3) {
    std::string_view section;
    uint64_t text = 0;
    if (!GetLengthPrefixed(&p, end, &section)) return Corrupt("lines");
    LODE_RETURN_IF_ERROR(LinesTextSize(section, &text));
    // The same bound as a v2 block's (which holds the line bytes).
    if (text > kMaxBlockRawSize) return Corrupt("lines size");
    const size_t section_at = static_cast<size_t>(section.data() - raw->data());
    const size_t md_at = static_cast<size_t>(p - raw->data());
    // The line codec may read and write kLineCodecSlack bytes past its
    // section (followed here by the metadata and the text) and its text.
    if (raw->size() < m.raw_size + text + kLineCodecSlack)
      raw->resize(m.raw_size + text + kLineCodecSlack);
    section = std::string_view(raw->data() + section_at, section.size());
    LODE_RETURN_IF_ERROR(DecodeLines(section, batch->ts.data() + base, m.n,
                                     raw->data() + m.raw_size, text, batch->line.data() + base));
    p = raw->data() + md_at;
    end = raw->data() + m.raw_size;
    return GetMetadata(&p, end, m.n, batch);
  }
  // The lengths column is validated here and read again once the start of
  // the line bytes is known (no per-block length array).
  const char* lens = p;
  for (uint64_t i = 0; i < m.n; ++i) {
    uint64_t len;
    if (!GetVarint(&p, end, &len)) return Corrupt("lengths");
  }
  LODE_RETURN_IF_ERROR(GetMetadata(&p, end, m.n, batch));
  for (uint64_t i = 0; i < m.n; ++i) {
    uint64_t len = 0;
    GetVarint(&lens, end, &len);  // cannot fail: validated above
    if (static_cast<uint64_t>(end - p) < len) return Corrupt("lines");
    batch->line[base + i] = std::string_view(p, len);
    p += len;
  }
  return Status::OK();
}

// Keeps entries of batch in [start, end) and orders them by dir (in place).
void Trim(EntryBatch* b, int64_t start, int64_t end, Direction dir) {
  size_t n = b->size();
  size_t lo = std::lower_bound(b->ts.begin(), b->ts.end(), start) - b->ts.begin();
  size_t hi = std::lower_bound(b->ts.begin(), b->ts.end(), end) - b->ts.begin();
  if (lo != 0 || hi != n) {  // cut in place: keep [lo, hi)
    b->ts.erase(b->ts.begin() + hi, b->ts.end());
    b->ts.erase(b->ts.begin(), b->ts.begin() + lo);
    b->line.erase(b->line.begin() + hi, b->line.end());
    b->line.erase(b->line.begin(), b->line.begin() + lo);
    uint32_t md_lo = b->md_begin[lo], md_hi = b->md_begin[hi];
    b->md.erase(b->md.begin() + md_hi, b->md.end());
    b->md.erase(b->md.begin(), b->md.begin() + md_lo);
    b->md_begin.erase(b->md_begin.begin() + hi + 1, b->md_begin.end());
    b->md_begin.erase(b->md_begin.begin(), b->md_begin.begin() + lo);
    if (md_lo)
      for (auto& x : b->md_begin) x -= md_lo;
  }
  if (dir == Direction::kBackward) {
    std::reverse(b->ts.begin(), b->ts.end());
    std::reverse(b->line.begin(), b->line.end());
    if (!b->md.empty()) {
      EntryBatch t;
      t.md_begin.push_back(0);
      for (size_t i = b->size(); i-- > 0;) {
        for (uint32_t j = b->md_begin[i]; j < b->md_begin[i + 1]; ++j) t.md.push_back(b->md[j]);
        t.md_begin.push_back(static_cast<uint32_t>(t.md.size()));
      }
      b->md = std::move(t.md);
      b->md_begin = std::move(t.md_begin);
    }
  }
}

}  // namespace

void SortAndDedup(std::vector<OwnedEntry>* entries) {
  auto& v = *entries;
  std::sort(v.begin(), v.end(), [](const OwnedEntry& a, const OwnedEntry& b) {
    return a.ts < b.ts || (a.ts == b.ts && a.order < b.order);
  });
  size_t out = 0;
  size_t run_start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && v[out - 1].ts != v[i].ts) run_start = out;
    bool dup = false;
    for (size_t j = run_start; j < out; ++j) {
      if (v[j].line == v[i].line && SameMetadata(v[j], v[i])) {
        dup = true;
        break;
      }
    }
    if (dup) continue;
    if (out != i) v[out] = std::move(v[i]);
    ++out;
  }
  v.resize(out);
}

Status TrainChunkDict(const std::string& samples, const std::vector<size_t>& sizes,
                      size_t max_bytes, std::string* dict) {
  dict->resize(max_bytes);
  size_t n = ZDICT_trainFromBuffer(dict->data(), dict->size(), samples.data(), sizes.data(),
                                   static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) {
    dict->clear();
    return Status::InvalidArgument(std::string("training a zstd dictionary: ") +
                                   ZDICT_getErrorName(n));
  }
  dict->resize(n);
  // Header: magic (4 bytes), then the id (little-endian). Ids from 32768
  // to 2^31 - 1 are for private use; this one is a hash of the content.
  if (n < 8) return Status::InvalidArgument("training a zstd dictionary: too small");
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (size_t i = 8; i < n; ++i) h = (h ^ static_cast<uint8_t>((*dict)[i])) * 1099511628211ull;
  const uint32_t id = 32768 + static_cast<uint32_t>(h % ((1u << 31) - 32768));
  for (int i = 0; i < 4; ++i) (*dict)[4 + i] = static_cast<char>(id >> (8 * i));
  return Status::OK();
}

Status RegisterChunkDict(std::string_view dict, int zstd_level, const ChunkDict** out) {
  const uint32_t id = ZDICT_getDictID(dict.data(), dict.size());
  if (id == 0) return Status::InvalidArgument("not a zstd dictionary");
  DictRegistry& r = Dicts();
  std::unique_lock<std::shared_mutex> l(r.mu);
  auto& e = r.by_id[id];
  if (e != nullptr) {
    if (e->bytes != dict) return Status::InvalidArgument("two zstd dictionaries share an id");
  } else {
    auto entry = std::make_unique<ChunkDict>();
    entry->bytes = std::string(dict);
    entry->cdict = ZSTD_createCDict(entry->bytes.data(), entry->bytes.size(), zstd_level);
    entry->ddict = ZSTD_createDDict(entry->bytes.data(), entry->bytes.size());
    if (entry->cdict == nullptr || entry->ddict == nullptr) {
      ZSTD_freeCDict(entry->cdict);
      ZSTD_freeDDict(entry->ddict);
      r.by_id.erase(id);
      return Status::InvalidArgument("a corrupt zstd dictionary");
    }
    e = std::move(entry);
  }
  *out = e.get();
  return Status::OK();
}

uint32_t ChunkDictId(const ChunkDict* dict) {
  return ZDICT_getDictID(dict->bytes.data(), dict->bytes.size());
}

void EncodeChunk(const OwnedEntry* begin, const OwnedEntry* end, size_t block_size, int zstd_level,
                 std::string* out, ChunkMeta* meta, uint8_t version, const SmallBlocks* small) {
  const bool filters = version >= kChunkFormatV2;
  std::vector<BlockMeta> metas;
  std::vector<std::string> block_filters;
  std::string data, raw, lines;
  const OwnedEntry* b = begin;
  *meta = ChunkMeta{};
  // The builders are 8 KiB bitmaps: kept per thread, cleared per use.
  thread_local GramFilterBuilder block_filter, chunk_filter;
  // v3 writes no block filter for a chunk of one block (the chunk meta's is
  // the same): the first block's filter is finished only once a second
  // block follows, and a one-block chunk's filter is the block's.
  const bool defer_first = version >= kChunkFormatV3;
  if (filters) chunk_filter.Clear();
  while (b < end) {
    size_t bytes = 0;
    const OwnedEntry* e = b;
    if (filters) {
      if (defer_first && metas.size() == 1) {
        block_filter.Finish(&block_filters[0]);
        chunk_filter.Merge(block_filter);
      }
      block_filter.Clear();
    }
    while (e < end && (e == b || bytes + e->line.size() <= block_size)) {
      bytes += e->line.size() + 8;
      meta->raw_bytes += e->line.size();
      if (filters) block_filter.Add(e->line);
      ++e;
    }
    BlockMeta m;
    EncodeBlock(b, e, zstd_level, version, small, &raw, &lines, &data, &m);
    metas.push_back(m);
    if (filters) {
      block_filters.emplace_back();
      if (!defer_first || metas.size() > 1) {
        block_filter.Finish(&block_filters.back());
        chunk_filter.Merge(block_filter);
      }
    }
    b = e;
  }
  out->clear();
  out->push_back(static_cast<char>(version));
  PutVarint(out, metas.size());
  for (size_t i = 0; i < metas.size(); ++i) {
    const BlockMeta& m = metas[i];
    PutVarint(out, ZigZag(m.min_ts));
    PutVarint(out, ZigZag(m.max_ts));
    PutVarint(out, m.n);
    PutVarint(out, m.raw_size);
    PutVarint(out, m.comp_size);
    // v3: a chunk of one block leaves the block's filter empty; the chunk's
    // own filter (its meta) is the same and is checked before the chunk is read.
    if (filters)
      PutLengthPrefixed(out, version >= kChunkFormatV3 && metas.size() == 1
                                 ? std::string_view()
                                 : std::string_view(block_filters[i]));
  }
  out->append(data);
  if (filters) {
    if (defer_first && metas.size() == 1) {
      block_filter.Finish(&meta->filter);
    } else {
      chunk_filter.Finish(&meta->filter);
    }
  }
  meta->min_ts = begin < end ? begin->ts : 0;
  meta->max_ts = begin < end ? (end - 1)->ts : 0;
  meta->entries = static_cast<uint32_t>(end - begin);
  meta->size = out->size();
}

Status DecodeChunk(std::string_view chunk, int64_t start_ns, int64_t end_ns, Direction dir,
                   const BatchVisitor& visit, std::string* scratch, EntryBatch* batch,
                   ScanStats* stats, bool* stopped, const GramQuery* query) {
  ParsedHeader h;
  LODE_RETURN_IF_ERROR(ParseHeader(chunk, &h));
  std::vector<const char*> starts(h.blocks.size());
  const char* p = h.data;
  for (size_t i = 0; i < h.blocks.size(); ++i) {
    starts[i] = p;
    p += h.blocks[i].comp_size;
  }
  if (stats) stats->chunks_read++;
  for (size_t k = 0; k < h.blocks.size(); ++k) {
    size_t i = dir == Direction::kForward ? k : h.blocks.size() - 1 - k;
    const BlockMeta& m = h.blocks[i];
    if (m.max_ts < start_ns || m.min_ts >= end_ns || (query && !query->MayMatch(m.filter))) {
      if (stats) stats->blocks_skipped++;
      continue;
    }
    batch->clear();
    LODE_RETURN_IF_ERROR(DecodeBlock(starts[i], m, h.version, scratch, batch));
    Trim(batch, start_ns, end_ns, dir);
    if (stats) {
      stats->blocks_read++;
      stats->compressed_bytes += m.comp_size;
      stats->decompressed_bytes += m.raw_size;
      stats->lines_scanned += batch->size();
      for (auto l : batch->line) stats->bytes_scanned += l.size();
    }
    if (batch->size() && !visit(*batch)) {
      *stopped = true;
      return Status::OK();
    }
  }
  return Status::OK();
}

Status DecodeChunkEntries(std::string_view chunk, int64_t start_ns, int64_t end_ns,
                          std::deque<std::string>* scratch_blocks, std::vector<OwnedEntry>* out,
                          ScanStats* stats) {
  ParsedHeader h;
  LODE_RETURN_IF_ERROR(ParseHeader(chunk, &h));
  const char* p = h.data;
  if (stats) stats->chunks_read++;
  for (const auto& m : h.blocks) {
    const char* comp = p;
    p += m.comp_size;
    if (m.max_ts < start_ns || m.min_ts >= end_ns) {
      if (stats) stats->blocks_skipped++;
      continue;
    }
    scratch_blocks->emplace_back();
    EntryBatch b;
    LODE_RETURN_IF_ERROR(DecodeBlock(comp, m, h.version, &scratch_blocks->back(), &b));
    if (stats) {
      stats->blocks_read++;
      stats->compressed_bytes += m.comp_size;
      stats->decompressed_bytes += m.raw_size;
    }
    for (size_t i = 0; i < b.size(); ++i) {
      if (b.ts[i] < start_ns || b.ts[i] >= end_ns) continue;
      OwnedEntry e;
      e.ts = b.ts[i];
      e.line = b.line[i];
      e.md.assign(b.md.begin() + b.md_begin[i], b.md.begin() + b.md_begin[i + 1]);
      e.order = out->size();
      out->push_back(std::move(e));
    }
  }
  return Status::OK();
}

}  // namespace lode
