// codec_lab: measures chunk formats on a generated data set, with the store's
// cutting approximated. Not part of the build (an experiment tool); build and
// run it as bench/RESULTS.md ("Chunk format v3") shows:
//
//   g++ -O2 -std=c++20 -I. bench/codec_lab.cc build/storage/liblode_storage.a
//       build/base/liblode_base.a -lzstd -o /tmp/codec_lab   (one line)
//   build/lode-bench gen --lines 2M --streams 1000 --span 24h --end 1796454525
//       --format jsonl | /tmp/codec_lab [level] [block KiB] [round MiB]
//
// Reads lode-bench's jsonl ({"ts":"ns","stream":{...},"line":"..."}) on
// stdin. Chunks are cut per stream at 1 MiB of raw lines and, for all streams
// at once, every `round` MiB of raw lines ingested (the head-memtable cut
// rounds of storage/store.cc); "day" cuts one chunk per stream and UTC day
// (what a cold-data merge would give). Checks every line and prints the
// bytes per format (and, for v3, where they go). LAB_DAY=1 skips "rounds";
// a 4th argument keeps only streams whose labels contain it.
#include <zstd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/coding.h"
#include "storage/chunk.h"
#include "storage/line_codec.h"

using namespace lode;

namespace {

struct Stream {
  std::vector<OwnedEntry> head;
  uint64_t head_bytes = 0;
};

// Bytes of each part of a v3 line section, each compressed alone (zstd 3).
double g_parts[5];
double g_ts = 0, g_filters = 0;
size_t Z(std::string_view s) {
  std::string out(ZSTD_compressBound(s.size()), '\0');
  return ZSTD_compress(out.data(), out.size(), s.data(), s.size(), 3);
}
void Parts(const OwnedEntry* b, const OwnedEntry* e) {
  std::string sec;
  EncodeLines(b, e, &sec);
  const char* p = sec.data();
  const char* end = p + sec.size();
  uint64_t tb = 0, nt = 0, ncol = 0;
  GetVarint(&p, end, &tb);
  GetVarint(&p, end, &nt);
  const char* t0 = p;
  for (uint64_t t = 0; t < nt; ++t) {
    uint64_t nh = 0;
    std::string_view piece;
    GetVarint(&p, end, &nh);
    GetLengthPrefixed(&p, end, &piece);
    for (uint64_t h = 0; h < nh; ++h) {
      ++p;
      GetLengthPrefixed(&p, end, &piece);
    }
    ncol += nh;
  }
  const char* ids = p;
  for (const OwnedEntry* x = b; x < e; ++x) {
    uint64_t v;
    GetVarint(&p, end, &v);
  }
  const char* sizes = p;
  for (uint64_t c = 0; c < ncol; ++c) {
    uint64_t v;
    GetVarint(&p, end, &v);
  }
  g_parts[0] += Z(std::string_view(t0, ids - t0));
  g_parts[1] += Z(std::string_view(ids, sizes - ids));
  g_parts[2] += Z(std::string_view(sizes, p - sizes));
  g_parts[3] += Z(std::string_view(p, end - p));
  g_parts[4] += nt;
  std::string tsc;
  PutVarint(&tsc, ZigZag(b->ts));
  for (const OwnedEntry* x = b + 1; x < e; ++x) PutVarint(&tsc, ZigZag(x->ts - (x - 1)->ts));
  g_ts += Z(tsc);
}

struct Totals {
  uint64_t chunks = 0, bytes = 0, raw = 0;
};

void Cut(Stream* s, uint8_t version, int level, size_t block, Totals* t) {
  if (s->head.empty()) return;
  std::string out;
  ChunkMeta meta;
  EncodeChunk(s->head.data(), s->head.data() + s->head.size(), block, level, &out, &meta, version);
  std::string scratch;
  EntryBatch batch;
  bool stopped = false;
  uint64_t seen = 0;
  Status st = DecodeChunk(
      out, INT64_MIN, INT64_MAX, Direction::kForward,
      [&](const EntryBatch& b) {
        for (size_t i = 0; i < b.size(); ++i) {
          const OwnedEntry& e = s->head[seen + i];
          if (b.line[i] != e.line || b.ts[i] != e.ts) {
            fprintf(stderr, "MISMATCH\n%s\n%s\n", std::string(e.line).c_str(),
                    std::string(b.line[i]).c_str());
            exit(1);
          }
        }
        seen += b.size();
        return true;
      },
      &scratch, &batch, nullptr, &stopped);
  if (!st.ok() || seen != s->head.size()) {
    fprintf(stderr, "decode failed: %s\n", st.ToString().c_str());
    exit(1);
  }
  if (version == kChunkFormatV3) g_filters += 2 * meta.filter.size();
  if (version == kChunkFormatV3) Parts(s->head.data(), s->head.data() + s->head.size());
  t->chunks++;
  t->bytes += out.size() + meta.filter.size() + 40;  // + chunk meta and keys, roughly
  t->raw += meta.raw_bytes;
  s->head.clear();
  s->head_bytes = 0;
}

}  // namespace

int main(int argc, char** argv) {
  int level = argc > 1 ? atoi(argv[1]) : 3;
  size_t block = (argc > 2 ? atoi(argv[2]) : 256) * 1024;
  uint64_t round = static_cast<uint64_t>(argc > 3 ? atof(argv[3]) : 24) * (1 << 20);
  std::vector<std::string> lines;
  std::vector<int64_t> ts;
  std::vector<uint32_t> sid;
  std::map<std::string, uint32_t> ids;
  std::string l;
  uint64_t raw = 0;
  while (std::getline(std::cin, l)) {
    auto j = nlohmann::json::parse(l);
    std::string labels = j["stream"].dump();
    if (argc > 4 && labels.find(argv[4]) == std::string::npos) continue;
    auto it = ids.emplace(labels, ids.size()).first;
    sid.push_back(it->second);
    ts.push_back(std::stoll(j["ts"].get<std::string>()));
    lines.push_back(j["line"].get<std::string>());
    raw += lines.back().size();
  }
  fprintf(stderr, "%zu lines, %zu streams, %.1f MiB raw\n", lines.size(), ids.size(),
          raw / 1048576.0);
  for (int mode = getenv("LAB_DAY") ? 1 : 0; mode < 2; ++mode) {
    for (uint8_t version : {kChunkFormatV2, kChunkFormatV3}) {
      std::vector<Stream> streams(ids.size());
      Totals t;
      uint64_t since_round = 0;
      for (size_t i = 0; i < lines.size(); ++i) {
        Stream& s = streams[sid[i]];
        if (mode == 1 && !s.head.empty() &&
            s.head.back().ts / 86400000000000LL != ts[i] / 86400000000000LL)
          Cut(&s, version, level, block, &t);
        OwnedEntry e;
        e.ts = ts[i];
        e.line = lines[i];
        e.order = s.head.size();
        s.head.push_back(e);
        s.head_bytes += lines[i].size();
        since_round += lines[i].size();
        if (mode == 0 && s.head_bytes >= (1u << 20)) Cut(&s, version, level, block, &t);
        if (mode == 0 && since_round >= round) {
          for (auto& x : streams) Cut(&x, version, level, block, &t);
          since_round = 0;
        }
      }
      for (auto& x : streams) Cut(&x, version, level, block, &t);
      // No speeds: this tool's JSON parsing and line checks dominate them
      // (lode-micro's BM_EncodeChunk / BM_DecodeChunk measure the codec).
      printf("%-6s v%d zstd %d block %zuK: %llu chunks, %.2f MiB, raw/chunks %.2f\n",
             mode == 0 ? "rounds" : "day", version, level, block / 1024,
             static_cast<unsigned long long>(t.chunks), t.bytes / 1048576.0,
             static_cast<double>(t.raw) / t.bytes);
      if (version == kChunkFormatV3)
        printf(
            "   parts (each zstd alone): templates %.2f MiB (%.0f templates), ids %.2f, "
            "column sizes %.2f, columns %.2f\n",
            g_parts[0] / 1048576, g_parts[4], g_parts[1] / 1048576, g_parts[2] / 1048576,
            g_parts[3] / 1048576);
      if (version == kChunkFormatV3)
        printf("   ts column %.2f MiB, gram filters (block+chunk, approx) %.2f MiB\n",
               g_ts / 1048576, g_filters / 1048576);
      g_ts = g_filters = 0;
      for (double& x : g_parts) x = 0;
      fflush(stdout);
    }
  }
}
