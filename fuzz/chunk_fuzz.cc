// Fuzzes the chunk decoder: corrupt chunks must be an error, never a crash
// or an over-read (AddressSanitizer checks the reads). Half the inputs are
// valid chunks with bytes flipped, so the decoder gets past its header. Each
// chunk is decoded with and without a needle, so corrupt v2 gram filters
// reach GramQuery::MayMatch.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "storage/chunk.h"

namespace {

const std::string& ValidChunk() {
  static const std::string chunk = [] {
    std::vector<std::string> lines;
    std::vector<lode::OwnedEntry> entries;
    for (int i = 0; i < 200; ++i)
      lines.push_back("level=info msg=\"request " + std::to_string(i) + "\"");
    for (int i = 0; i < 200; ++i) {
      lode::OwnedEntry e;
      e.ts = 1700000000000000000LL + i * 1000000LL;
      e.line = lines[i];
      e.order = static_cast<uint64_t>(i);
      entries.push_back(e);
    }
    std::string out;
    lode::ChunkMeta meta;
    lode::EncodeChunk(entries.data(), entries.data() + entries.size(), 1024, 1, &out, &meta);
    return out;
  }();
  return chunk;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string chunk;
  if (data[0] & 1) {
    chunk = ValidChunk();
    for (size_t i = 1; i + 2 < size; i += 3) {
      size_t at = (static_cast<size_t>(data[i]) << 8 | data[i + 1]) % chunk.size();
      chunk[at] = static_cast<char>(data[i + 2]);
    }
    if (size % 7 == 0) chunk.resize(chunk.size() * (data[size - 1] % 100) / 100);
  } else {
    chunk.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  }
  std::string scratch;
  lode::EntryBatch batch;
  lode::ScanStats stats;
  bool stopped = false;
  (void)lode::DecodeChunk(
      chunk, INT64_MIN, INT64_MAX, lode::Direction::kForward,
      [](const lode::EntryBatch&) { return true; }, &scratch, &batch, &stats, &stopped);
  static const lode::GramQuery needle("request");
  stopped = false;
  (void)lode::DecodeChunk(
      chunk, INT64_MIN, INT64_MAX, lode::Direction::kBackward,
      [](const lode::EntryBatch&) { return true; }, &scratch, &batch, &stats, &stopped, &needle);
  std::deque<std::string> blocks;
  std::vector<lode::OwnedEntry> out;
  (void)lode::DecodeChunkEntries(chunk, INT64_MIN, INT64_MAX, &blocks, &out, &stats);
  return 0;
}
