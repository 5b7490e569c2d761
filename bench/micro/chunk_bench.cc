// Chunk format: EncodeChunk / DecodeChunk over 4 MiB of one app's lines
// (time-ordered, 256 KiB blocks, as the store cuts them), per log format,
// zstd level and chunk format version. Reports the compression ratio (raw
// line bytes / chunk bytes).
#include <benchmark/benchmark.h>

#include <algorithm>

#include "bench/micro/corpus.h"
#include "storage/chunk.h"

namespace lode::micro {
namespace {

constexpr size_t kBlockSize = 256 * 1024;  // StoreOptions::block_size

std::vector<OwnedEntry> EntriesOf(bench::App app) {
  std::vector<CorpusLine> lines = LinesOf(app);
  std::stable_sort(lines.begin(), lines.end(),
                   [](const CorpusLine& a, const CorpusLine& b) { return a.ts < b.ts; });
  std::vector<OwnedEntry> out(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    out[i].ts = lines[i].ts;
    out[i].line = lines[i].line;
    out[i].order = i;
  }
  return out;
}

void BM_EncodeChunk(benchmark::State& state, bench::App app) {
  std::vector<OwnedEntry> entries = EntriesOf(app);
  const int level = static_cast<int>(state.range(0));
  const size_t block = state.range(1) > 0 ? static_cast<size_t>(state.range(1)) * 1024 : kBlockSize;
  const uint8_t version = static_cast<uint8_t>(state.range(2));
  std::string out;
  ChunkMeta meta;
  for (auto _ : state) {
    EncodeChunk(entries.data(), entries.data() + entries.size(), block, level, &out, &meta,
                version);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * entries.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * meta.raw_bytes));
  state.counters["ratio"] = static_cast<double>(meta.raw_bytes) / static_cast<double>(out.size());
}

void BM_DecodeChunk(benchmark::State& state, bench::App app) {
  std::vector<OwnedEntry> entries = EntriesOf(app);
  std::string chunk, scratch;
  ChunkMeta meta;
  EncodeChunk(entries.data(), entries.data() + entries.size(), kBlockSize, 3, &chunk, &meta,
              static_cast<uint8_t>(state.range(1)));
  EntryBatch batch;
  const Direction dir = state.range(0) ? Direction::kBackward : Direction::kForward;
  for (auto _ : state) {
    size_t n = 0;
    bool stopped = false;
    ScanStats stats;
    Status s = DecodeChunk(
        chunk, meta.min_ts, meta.max_ts + 1, dir,
        [&](const EntryBatch& b) {
          n += b.size();
          return true;
        },
        &scratch, &batch, &stats, &stopped);
    if (!s.ok() || n != entries.size()) state.SkipWithError("decode failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * entries.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * meta.raw_bytes));
}

// A query window covering the middle half of the chunk (Trim copies).
// Arg: format version.
void BM_DecodeChunkPartial(benchmark::State& state) {
  std::vector<OwnedEntry> entries = EntriesOf(bench::App::kApi);
  std::string chunk, scratch;
  ChunkMeta meta;
  EncodeChunk(entries.data(), entries.data() + entries.size(), kBlockSize, 3, &chunk, &meta,
              static_cast<uint8_t>(state.range(0)));
  int64_t q = (meta.max_ts - meta.min_ts) / 4;
  EntryBatch batch;
  uint64_t bytes = 0;
  for (auto _ : state) {
    bool stopped = false;
    ScanStats stats;
    Status s = DecodeChunk(
        chunk, meta.min_ts + q, meta.max_ts - q, Direction::kBackward,
        [&](const EntryBatch&) { return true; }, &scratch, &batch, &stats, &stopped);
    if (!s.ok()) state.SkipWithError("decode failed");
    bytes += stats.bytes_scanned;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// Args: zstd level, block size in KiB (0: the store's default), format version.
BENCHMARK_CAPTURE(BM_EncodeChunk, api_json, bench::App::kApi)
    ->Args({1, 0, 3})
    ->Args({3, 0, 2})
    ->Args({3, 0, 3})
    ->Args({9, 0, 3})
    ->Args({9, 1024, 3});
BENCHMARK_CAPTURE(BM_EncodeChunk, nginx, bench::App::kNginx)->Args({3, 0, 2})->Args({3, 0, 3});
BENCHMARK_CAPTURE(BM_EncodeChunk, worker_logfmt, bench::App::kWorker)
    ->Args({3, 0, 2})
    ->Args({3, 0, 3});
BENCHMARK_CAPTURE(BM_EncodeChunk, billing_java, bench::App::kBilling)
    ->Args({3, 0, 2})
    ->Args({3, 0, 3});
// Args: backward, format version.
BENCHMARK_CAPTURE(BM_DecodeChunk, api_json, bench::App::kApi)
    ->Args({0, 2})
    ->Args({0, 3})
    ->Args({1, 3});
BENCHMARK_CAPTURE(BM_DecodeChunk, nginx, bench::App::kNginx)->Args({0, 2})->Args({0, 3});
BENCHMARK_CAPTURE(BM_DecodeChunk, worker_logfmt, bench::App::kWorker)->Args({0, 2})->Args({0, 3});
BENCHMARK(BM_DecodeChunkPartial)->Arg(2)->Arg(3);

}  // namespace
}  // namespace lode::micro
