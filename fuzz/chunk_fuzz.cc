// Fuzzes the chunk decoder: corrupt chunks must be an error, never a crash
// or an over-read (AddressSanitizer checks the reads). Half the inputs are
// valid chunks (v3, or v2 when bit 1 of the first byte is set) with bytes
// flipped, so the decoder gets past its header; v3 lines hold date-times,
// numbers, hex ids and text, so every typed column of the line codec is there.
// Each chunk is decoded with and without a needle, so corrupt gram filters
// reach GramQuery::MayMatch.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "storage/chunk.h"

namespace {

std::string MakeChunk(uint8_t version) {
  std::vector<std::string> lines;
  std::vector<lode::OwnedEntry> entries;
  for (int i = 0; i < 200; ++i) {
    // 2023-11-14T22:13:20.000Z is the first entry's time; lines carry it.
    std::string t = "2023-11-14T22:13:" + std::to_string(20 + i / 1000) + "." +
                    std::to_string(1000 + i % 1000).substr(1) + "Z";
    lines.push_back(i % 3 == 0   ? "level=info msg=\"request " + std::to_string(i) + "\""
                    : i % 3 == 1 ? "{\"ts\":\"" + t + "\",\"id\":\"00c0ffee" +
                                       std::to_string(10000000 + i) + "\"}"
                                 : t + " GET /x?q=" + std::string(i % 7, '\xff'));
  }
  for (int i = 0; i < 200; ++i) {
    lode::OwnedEntry e;
    e.ts = 1700000000000000000LL + i * 1000000LL;
    e.line = lines[i];
    e.order = static_cast<uint64_t>(i);
    entries.push_back(e);
  }
  std::string out;
  lode::ChunkMeta meta;
  lode::EncodeChunk(entries.data(), entries.data() + entries.size(), 1024, 1, &out, &meta, version);
  return out;
}

const std::string& ValidChunk(bool v2) {
  static const std::string v3_chunk = MakeChunk(lode::kChunkFormatV3);
  static const std::string v2_chunk = MakeChunk(lode::kChunkFormatV2);
  return v2 ? v2_chunk : v3_chunk;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string chunk;
  if (data[0] & 1) {
    chunk = ValidChunk(data[0] & 2);
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
