// Fuzzes the line codec's encoder (storage/line_codec.h): any lines, any
// bytes, must come back byte for byte from EncodeLines + DecodeLines. The
// input is split into lines at '\n'; each line is copied into its own
// exactly-sized allocation, so AddressSanitizer reports any read past a
// line's end (the tokenizer reads 16 bytes at a time). Timestamps come from
// the first 8 bytes, so that date-times in lines sometimes match the entry.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "storage/chunk.h"
#include "storage/line_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int64_t ts = 1700000000000000000LL;
  if (size >= 8) {
    uint64_t v;
    std::memcpy(&v, data, 8);
    ts += static_cast<int64_t>(v % (1ULL << 50));  // years 2023..2059
    data += 8;
    size -= 8;
  }
  std::vector<std::unique_ptr<char[]>> owned;
  std::vector<lode::OwnedEntry> entries;
  const auto* p = reinterpret_cast<const char*>(data);
  const char* end = p + size;
  while (p <= end && entries.size() < 1000) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const size_t n = static_cast<size_t>((nl ? nl : end) - p);
    owned.emplace_back(new char[n == 0 ? 1 : n]);
    std::memcpy(owned.back().get(), p, n);
    lode::OwnedEntry e;
    e.ts = ts;
    ts += static_cast<int64_t>(n) * 1000003;  // a few ms apart
    e.line = std::string_view(owned.back().get(), n);
    e.order = entries.size();
    entries.push_back(e);
    if (nl == nullptr) break;
    p = nl + 1;
  }
  std::string section;
  lode::EncodeLines(entries.data(), entries.data() + entries.size(), &section);
  uint64_t text_bytes = 0;
  if (!lode::LinesTextSize(section, &text_bytes).ok()) abort();
  section.append(lode::kLineCodecSlack, '\0');
  std::vector<int64_t> tss;
  for (const auto& e : entries) tss.push_back(e.ts);
  std::string text(text_bytes + lode::kLineCodecSlack, '\0');
  std::vector<std::string_view> lines(entries.size());
  lode::Status s = lode::DecodeLines(
      std::string_view(section.data(), section.size() - lode::kLineCodecSlack), tss.data(),
      tss.size(), text.data(), text_bytes, lines.data());
  if (!s.ok()) {
    std::fprintf(stderr, "decode failed: %s\n", s.ToString().c_str());
    abort();
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (lines[i] != entries[i].line) {
      std::fprintf(stderr, "line %zu does not round-trip\n", i);
      abort();
    }
  }
  return 0;
}
