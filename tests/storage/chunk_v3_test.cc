// Chunk format v3 (storage/chunk.h) and its line codec (storage/line_codec.h):
// every line comes back byte for byte, older formats still read, and corrupt
// input is an error, never a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include <zstd.h>

#include "storage/chunk.h"
#include "storage/line_codec.h"

namespace lode {
namespace {

struct Input {
  std::vector<std::string> lines;
  std::vector<int64_t> ts;
  std::vector<std::vector<std::pair<std::string, std::string>>> md;
};

std::vector<OwnedEntry> Entries(const Input& in) {
  std::vector<OwnedEntry> es(in.lines.size());
  for (size_t i = 0; i < es.size(); ++i) {
    es[i].ts = in.ts[i];
    es[i].line = in.lines[i];
    es[i].order = i;
    if (i < in.md.size())
      for (const auto& [n, v] : in.md[i]) es[i].md.push_back({n, v});
  }
  return es;
}

std::string Iso(int64_t sec, char sep) {
  // Civil date of a second >= 0 (H. Hinnant), independent of the codec's.
  int64_t days = sec / 86400, sod = sec % 86400;
  int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2);
  char buf[128];
  snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld%c%02lld:%02lld:%02lld",
           static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d), sep,
           static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
           static_cast<long long>(sod % 60));
  return buf;
}

// "dd/Mon/yyyy:hh:mm:ss" (clf) or "Mon _d hh:mm:ss" (syslog) of a second >= 0.
std::string OtherTime(int64_t sec, bool clf) {
  static const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string iso = Iso(sec, 'T');  // YYYY-MM-DDThh:mm:ss
  const int m = std::stoi(iso.substr(5, 2)), d = std::stoi(iso.substr(8, 2));
  char buf[40];
  if (clf)
    snprintf(buf, sizeof(buf), "%02d/%s/%s:%s", d, kMon[m - 1], iso.substr(0, 4).c_str(),
             iso.substr(11).c_str());
  else
    snprintf(buf, sizeof(buf), "%s %2d %s", kMon[m - 1], d, iso.substr(11).c_str());
  return buf;
}

// Lines that stress the tokenizer: date-times (matching the entry's time, off
// by a zone, invalid, out of range, odd precisions), numbers and hex ids at
// the edges of their typed forms, any byte, empty lines, many tokens.
std::string AdversarialLine(std::mt19937_64& rng, int64_t ts) {
  std::string s;
  const int parts = 1 + static_cast<int>(rng() % 14);
  for (int i = 0; i < parts; ++i) {
    switch (rng() % 17) {
      case 0: {  // the entry's own time, at a random precision and separator
        int64_t sec = ts / 1000000000;
        if (sec < 0) sec = 0;
        s += Iso(sec + (rng() % 3 == 0 ? 3600 : 0), rng() % 2 ? 'T' : ' ');
        int digits = static_cast<int>(rng() % 12);
        if (digits) {
          s += rng() % 2 ? '.' : ',';
          std::string frac = std::to_string(ts % 1000000000 + 1000000000).substr(1);
          while (static_cast<int>(frac.size()) < digits) frac += std::to_string(rng() % 10);
          s += frac.substr(0, digits);
        }
        if (rng() % 2) s += 'Z';
        break;
      }
      case 1: {  // date-time shapes that must stay text
        static const char* kBad[] = {"2024-02-30T10:00:00",   "2024-13-01 00:00:00",
                                     "2024-01-01T24:00:00",   "1899-12-31T23:59:59.5",
                                     "2200-01-01 00:00:00",   "0000-00-00 00:00:00",
                                     "2024-01-01x10:00:00",   "2024-01-01T10:00:60",
                                     "2024-01-01T10:00:00.",  "9999-12-31T23:59:59,999999999",
                                     "1900-01-01 00:00:00,0", "2199-12-31T23:59:59.999999999"};
        s += kBad[rng() % (sizeof(kBad) / sizeof(kBad[0]))];
        break;
      }
      case 2:
        s += std::to_string(rng() % 100000);
        break;
      case 3: {  // long digit runs, leading zeros
        int n = 1 + static_cast<int>(rng() % 24);
        for (int k = 0; k < n; ++k) s += static_cast<char>('0' + rng() % 10);
        break;
      }
      case 4: {  // hex, any length and case
        int n = 1 + static_cast<int>(rng() % 40);
        const char* digits = rng() % 3 == 0 ? "0123456789ABCDEF" : "0123456789abcdef";
        for (int k = 0; k < n; ++k) s += digits[rng() % 16];
        if (rng() % 5 == 0) s += 'g';
        break;
      }
      case 5:
        s += static_cast<char>(rng() % 256);
        break;
      case 6:
        s += std::string(1 + rng() % 3, '\0');
        break;
      case 7:
        s += "Überweisung 日本語 \xff\xfe invalid";
        break;
      case 8: {  // more tokens than a template may have
        if (rng() % 4 == 0)
          for (int k = 0; k < 300; ++k) s += "a" + std::to_string(k) + " ";
        break;
      }
      case 9:
        s += "18446744073709551615 9223372036854775807 999999999999999999 1000000000000000000";
        break;
      case 10: {  // nginx and syslog date-times: the entry's, another day's, invalid ones
        const int64_t sec = std::max<int64_t>(0, ts / 1000000000) +
                            (rng() % 3 == 0 ? static_cast<int64_t>(rng() % 40000000) : 0);
        static const char* kBad[] = {
            "31/Feb/2024:10:00:00", "Feb 30 10:00:00", "Jan  1 24:00:00", "01/Foo/2024:10:00:00",
            "Dec 31 23:59:59",      "Feb 29 12:00:00", "Jan 1 10:00:00",  "1/Jan/2024:10:00:00"};
        if (rng() % 3 == 0)
          s += kBad[rng() % (sizeof(kBad) / sizeof(kBad[0]))];
        else
          s += "[" + OtherTime(sec, rng() % 2) + " +0000]";
        break;
      }
      default: {
        static const char* kWords[] = {"level", "info", "msg",     "user_id", "GET", "/api/v1",
                                       "\"",    "=",    "{\"a\":", "},",      "_",   "x_y_9"};
        s += kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
      }
    }
    if (rng() % 2) s += " =:/.,-\"{}[]\t\n"[rng() % 15];
  }
  if (rng() % 20 == 0) s.clear();
  return s;
}

Input RandomInput(std::mt19937_64& rng, size_t n) {
  Input in;
  static const int64_t kStarts[] = {1700000000123456789LL, 0, -5000000000LL, INT64_MIN + 1000,
                                    INT64_MAX - 1000000000000LL};
  int64_t ts = kStarts[rng() % 5];
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 4) ts += static_cast<int64_t>(rng() % 100000000);  // ties too
    in.ts.push_back(ts);
    in.lines.push_back(AdversarialLine(rng, ts));
    std::vector<std::pair<std::string, std::string>> md;
    if (rng() % 5 == 0) md.push_back({"trace_id", std::to_string(rng())});
    if (rng() % 9 == 0) md.push_back({"", std::string(1, '\0')});
    in.md.push_back(md);
  }
  return in;
}

struct Decoded {
  std::vector<int64_t> ts;
  std::vector<std::string> lines;
  std::vector<std::vector<std::pair<std::string, std::string>>> md;
};

Status DecodeAll(const std::string& chunk, Direction dir, Decoded* out) {
  std::string scratch;
  EntryBatch batch;
  bool stopped = false;
  return DecodeChunk(
      chunk, INT64_MIN, INT64_MAX, dir,
      [&](const EntryBatch& b) {
        for (size_t i = 0; i < b.size(); ++i) {
          out->ts.push_back(b.ts[i]);
          out->lines.emplace_back(b.line[i]);
          std::vector<std::pair<std::string, std::string>> md;
          for (uint32_t j = b.md_begin[i]; j < b.md_begin[i + 1]; ++j)
            md.emplace_back(b.md[j].name, b.md[j].value);
          out->md.push_back(md);
        }
        return true;
      },
      &scratch, &batch, nullptr, &stopped);
}

void ExpectRoundTrip(const Input& in, uint8_t version, size_t block_size) {
  std::vector<OwnedEntry> es = Entries(in);
  std::string chunk;
  ChunkMeta meta;
  EncodeChunk(es.data(), es.data() + es.size(), block_size, 1, &chunk, &meta, version);
  ASSERT_EQ(static_cast<uint8_t>(chunk[0]), version);
  Decoded fwd;
  Status s = DecodeAll(chunk, Direction::kForward, &fwd);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(fwd.lines.size(), in.lines.size());
  for (size_t i = 0; i < in.lines.size(); ++i) {
    ASSERT_EQ(fwd.lines[i], in.lines[i]) << "line " << i;
    ASSERT_EQ(fwd.ts[i], in.ts[i]);
    ASSERT_EQ(fwd.md[i], in.md[i]);
  }
  Decoded back;
  ASSERT_TRUE(DecodeAll(chunk, Direction::kBackward, &back).ok());
  std::reverse(back.lines.begin(), back.lines.end());
  EXPECT_EQ(back.lines, in.lines);
  // The merge path (DecodeChunkEntries) gives the same entries.
  std::deque<std::string> blocks;
  std::vector<OwnedEntry> entries;
  ASSERT_TRUE(DecodeChunkEntries(chunk, INT64_MIN, INT64_MAX, &blocks, &entries, nullptr).ok());
  ASSERT_EQ(entries.size(), in.lines.size());
  for (size_t i = 0; i < entries.size(); ++i) ASSERT_EQ(entries[i].line, in.lines[i]);
}

TEST(ChunkV3Test, RandomAndAdversarialLinesRoundTrip) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 60; ++round) {
    Input in = RandomInput(rng, 1 + rng() % 400);
    ExpectRoundTrip(in, kChunkFormatV3, round % 3 == 0 ? 64 : 4096);
    if (HasFatalFailure()) return;
  }
}

TEST(ChunkV3Test, EmptyAndSingleByteLines) {
  Input in;
  for (int c = 0; c < 256; ++c) {
    in.lines.push_back(std::string(1, static_cast<char>(c)));
    in.lines.push_back("");
  }
  for (size_t i = 0; i < in.lines.size(); ++i) in.ts.push_back(static_cast<int64_t>(i));
  in.md.resize(in.lines.size());
  ExpectRoundTrip(in, kChunkFormatV3, 256 * 1024);
}

TEST(ChunkV3Test, OlderFormatsStillDecode) {
  std::mt19937_64 rng(5);
  for (uint8_t v : {kChunkFormatV1, kChunkFormatV2}) {
    Input in = RandomInput(rng, 300);
    ExpectRoundTrip(in, v, 2048);
  }
}

// A chunk written by the v2 encoder before v3 existed (main at e0aba74):
// lines "alpha 1", "beta 22", "" with timestamps 10, 20, 20 and, on the
// second, metadata {k="v"}.
TEST(ChunkV3Test, GoldenVersionTwoChunkDecodes) {
  const std::string hex =
      "02011428031b24410900000000000000000000000000000000000000000000000000000000000000"
      "00000000000000000000000000000008000010000000000000000800000000000028b52ffd201bd9"
      "00001414000707000001016b017600616c706861203162657461203232";
  std::string chunk;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    chunk.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  ASSERT_EQ(static_cast<uint8_t>(chunk[0]), kChunkFormatV2);
  Decoded d;
  Status s = DecodeAll(chunk, Direction::kForward, &d);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(d.lines, (std::vector<std::string>{"alpha 1", "beta 22", ""}));
  EXPECT_EQ(d.ts, (std::vector<int64_t>{10, 20, 20}));
  using MD = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(d.md, (std::vector<MD>{MD{}, MD{{"k", "v"}}, MD{}}));
}

// Structured lines compress much better in v3 than in v2 (the point of v3).
TEST(ChunkV3Test, StructuredLinesAreSmallerThanVersionTwo) {
  std::mt19937_64 rng(9);
  Input in;
  int64_t ts = 1764547200000000000LL;
  static const char* kUsers[] = {"alice", "bob", "carol", "svc-dave", "erin"};
  for (int i = 0; i < 5000; ++i) {
    ts += static_cast<int64_t>(rng() % 50000000);
    std::string trace;
    for (int k = 0; k < 32; ++k) trace += "0123456789abcdef"[rng() % 16];
    int64_t ms = ts / 1000000;
    char frac[8];
    snprintf(frac, sizeof(frac), ".%03lld", static_cast<long long>(ms % 1000));
    in.lines.push_back("{\"ts\":\"" + Iso(ms / 1000, 'T') + frac + "Z\",\"user\":\"" +
                       kUsers[rng() % 5] + "\",\"bytes\":" + std::to_string(rng() % 50000) +
                       ",\"trace_id\":\"" + trace + "\"}");
    in.ts.push_back(ts);
  }
  in.md.resize(in.lines.size());
  std::vector<OwnedEntry> es = Entries(in);
  std::string v2, v3;
  ChunkMeta m2, m3;
  EncodeChunk(es.data(), es.data() + es.size(), 256 * 1024, 3, &v2, &m2, kChunkFormatV2);
  EncodeChunk(es.data(), es.data() + es.size(), 256 * 1024, 3, &v3, &m3, kChunkFormatV3);
  EXPECT_EQ(m2.filter, m3.filter);
  EXPECT_LT(v3.size() * 10, v2.size() * 8) << v2.size() << " -> " << v3.size();
  ExpectRoundTrip(in, kChunkFormatV3, 256 * 1024);
}

// A line's own date-time (ISO, nginx, syslog layouts) is stored as a delta of
// the entry's time: 0 here, one byte per line, instead of six number columns.
TEST(ChunkV3Test, LineDateTimesBecomeDeltasOfTheEntryTime) {
  for (int layout = 0; layout < 3; ++layout) {
    Input in;
    int64_t ts = 1764547200123456789LL;
    for (int i = 0; i < 1000; ++i) {
      ts += 1300000000LL + i * 7919;
      const int64_t sec = ts / 1000000000;
      char ms[8];
      snprintf(ms, sizeof(ms), ".%03lld", static_cast<long long>(ts / 1000000 % 1000));
      in.lines.push_back(layout == 0   ? Iso(sec, 'T') + ms + "Z GET"
                         : layout == 1 ? "[" + OtherTime(sec, true) + " +0000] GET"
                                       : OtherTime(sec, false) + " host GET");
      in.ts.push_back(ts);
    }
    in.md.resize(in.lines.size());
    std::vector<OwnedEntry> es = Entries(in);
    std::string section;
    EncodeLines(es.data(), es.data() + es.size(), &section);
    // Per line: template id, time delta 0, the other tokens ("Z", "0000",
    // "GET", "host") as text: at most 11 bytes; as separate tokens the date
    // and time alone would take six more holes (20+ bytes a line).
    EXPECT_LT(section.size(), 12 * in.lines.size()) << layout;
    ExpectRoundTrip(in, kChunkFormatV3, 256 * 1024);
  }
}

// Every truncation and many byte changes of a v3 chunk, and of the line
// section itself (past zstd), decode to an error or to some entries: never a
// crash or an over-read (the sanitizer builds check the reads).
TEST(ChunkV3Test, CorruptInputIsAnErrorNeverACrash) {
  std::mt19937_64 rng(77);
  Input in = RandomInput(rng, 200);
  std::vector<OwnedEntry> es = Entries(in);
  std::string chunk;
  ChunkMeta meta;
  EncodeChunk(es.data(), es.data() + es.size(), 1024, 1, &chunk, &meta);
  for (size_t len = 0; len < chunk.size(); len += 1 + len / 64) {
    Decoded d;
    EXPECT_FALSE(DecodeAll(chunk.substr(0, len), Direction::kForward, &d).ok()) << len;
  }
  for (int i = 0; i < 3000; ++i) {
    std::string c = chunk;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k)
      c[rng() % c.size()] = static_cast<char>(rng());
    Decoded d;
    (void)DecodeAll(c, Direction::kForward, &d);
  }
  // The section after decompression: mutate it directly.
  std::string section;
  EncodeLines(es.data(), es.data() + es.size(), &section);
  std::vector<std::string_view> lines(in.lines.size());
  uint64_t size = 0;
  ASSERT_TRUE(LinesTextSize(section, &size).ok());
  // The codec may read kLineCodecSlack bytes past the section.
  auto with_slack = [](const std::string& s) { return s + std::string(kLineCodecSlack, '\0'); };
  const std::string padded = with_slack(section);
  std::string text(size + kLineCodecSlack, '\0');
  ASSERT_TRUE(DecodeLines(std::string_view(padded.data(), section.size()), in.ts.data(),
                          in.ts.size(), text.data(), size, lines.data())
                  .ok());
  for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(lines[i], in.lines[i]);
  int errors = 0, attempts = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = section;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k)
      s[rng() % s.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) s.resize(rng() % s.size());
    uint64_t n = 0;
    if (!LinesTextSize(s, &n).ok() || n > (1u << 24)) continue;
    const std::string sp = with_slack(s);
    std::string t(n + kLineCodecSlack, '\0');
    ++attempts;
    if (!DecodeLines(std::string_view(sp.data(), s.size()), in.ts.data(), in.ts.size(), t.data(), n,
                     lines.data())
             .ok())
      ++errors;
  }
  // Most changes are caught (a changed text byte inside a value is not).
  EXPECT_GT(errors, attempts / 4) << attempts;
}

// A quiet stream's chunk: a few structured lines.
Input SmallStreamInput(std::mt19937_64& rng, int64_t start) {
  static const char* kPaths[] = {"/api/v1/orders", "/api/v1/cart", "/healthz", "/api/v2/users"};
  static const char* kLevels[] = {"info", "warn", "error", "debug"};
  Input in;
  int64_t ts = start;
  for (int i = 0; i < 4; ++i) {
    ts += static_cast<int64_t>(rng() % 5000000000LL);
    in.ts.push_back(ts);
    in.lines.push_back(Iso(ts / 1000000000, 'T') + "Z level=" + kLevels[rng() % 4] +
                       " msg=\"request done\" method=GET path=" + kPaths[rng() % 4] +
                       " status=" + std::to_string(200 + rng() % 4 * 100) +
                       " duration=" + std::to_string(rng() % 900) + "ms trace_id=" +
                       std::to_string(rng()) + " pod=api-" + std::to_string(rng() % 50));
    in.md.emplace_back();
  }
  return in;
}

// Small blocks are sampled until a dictionary exists, then compressed with
// it: far smaller, the frame names the dictionary, and every entry comes
// back; a frame naming a dictionary nobody registered is a clear error.
TEST(ChunkDictTest, SmallBlocksUseATrainedDictionary) {
  std::mt19937_64 rng(11);
  std::string samples;
  std::vector<size_t> sizes;
  SmallBlocks sampling{nullptr, &samples, &sizes, 1 << 20};
  std::string chunk;
  ChunkMeta meta;
  while (samples.size() < (1u << 20)) {
    Input in = SmallStreamInput(rng, 1700000000000000000LL);
    std::vector<OwnedEntry> es = Entries(in);
    EncodeChunk(es.data(), es.data() + es.size(), 256 * 1024, 1, &chunk, &meta, kChunkFormatV3,
                &sampling);
  }
  ASSERT_GT(sizes.size(), 1000u);
  std::string dict, again;
  ASSERT_TRUE(TrainChunkDict(samples, sizes, 32 << 10, &dict).ok());
  ASSERT_TRUE(TrainChunkDict(samples, sizes, 32 << 10, &again).ok());
  EXPECT_EQ(dict, again);  // the id follows the content
  const ChunkDict* d = nullptr;
  ASSERT_TRUE(RegisterChunkDict(dict, 1, &d).ok());
  const ChunkDict* d2 = nullptr;
  ASSERT_TRUE(RegisterChunkDict(dict, 1, &d2).ok());
  EXPECT_EQ(d, d2);
  EXPECT_GE(ChunkDictId(d), 32768u);
  EXPECT_FALSE(RegisterChunkDict("not a dictionary", 1, &d2).ok());

  SmallBlocks with{d, nullptr, nullptr, 0};
  uint64_t dict_bytes = 0, plain_again = 0;
  const size_t sample_count = sizes.size();
  for (int i = 0; i < 300; ++i) {
    Input in = SmallStreamInput(rng, 1700000000000000000LL + i * 1000000000000LL);
    std::vector<OwnedEntry> es = Entries(in);
    EncodeChunk(es.data(), es.data() + es.size(), 256 * 1024, 1, &chunk, &meta, kChunkFormatV3);
    plain_again += chunk.size();
    EncodeChunk(es.data(), es.data() + es.size(), 256 * 1024, 1, &chunk, &meta, kChunkFormatV3,
                &with);
    dict_bytes += chunk.size();
    const size_t frame = chunk.find("\x28\xb5\x2f\xfd");
    ASSERT_NE(frame, std::string::npos);
    ASSERT_EQ(ZSTD_getDictID_fromFrame(chunk.data() + frame, chunk.size() - frame),
              ChunkDictId(d));
    Decoded out;
    Status s = DecodeAll(chunk, Direction::kForward, &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(out.lines, in.lines);
    ASSERT_EQ(out.ts, in.ts);
    if (i == 0) {
      // The frame header's dictionary id (after the magic, the descriptor
      // byte and, unless single-segment, the window byte) changed to one
      // never registered (ids below 32768 are never trained).
      std::string bad = chunk;
      const uint8_t fhd = static_cast<uint8_t>(bad[frame + 4]);
      ASSERT_EQ(fhd & 3, 3);  // a 4-byte id
      const size_t at = frame + 5 + ((fhd & 0x20) ? 0 : 1);
      bad[at] = 0x39;
      bad[at + 1] = 0x30;
      bad[at + 2] = bad[at + 3] = 0;
      Decoded none;
      s = DecodeAll(bad, Direction::kForward, &none);
      EXPECT_FALSE(s.ok());
      EXPECT_NE(s.message().find("unknown zstd dictionary"), std::string::npos) << s.ToString();
    }
  }
  EXPECT_EQ(sizes.size(), sample_count);  // with a dictionary nothing is sampled
  EXPECT_LT(dict_bytes * 3, plain_again * 2) << dict_bytes << " vs " << plain_again;
}

// The sampler's memory is bounded: it stops once max_samples bytes are in
// (at most one more block of up to 8 KiB past it), and big blocks are not
// sampled at all.
TEST(ChunkDictTest, SamplingStopsAtItsBound) {
  std::mt19937_64 rng(12);
  std::string samples;
  std::vector<size_t> sizes;
  const size_t kMax = 64 << 10;
  SmallBlocks sampling{nullptr, &samples, &sizes, kMax};
  std::string chunk;
  ChunkMeta meta;
  for (int i = 0; i < 2000; ++i) {
    Input in = SmallStreamInput(rng, 1700000000000000000LL);
    std::vector<OwnedEntry> es = Entries(in);
    EncodeChunk(es.data(), es.data() + es.size(), 256 * 1024, 1, &chunk, &meta, kChunkFormatV3,
                &sampling);
    ASSERT_LE(samples.size(), kMax + (8 << 10));
  }
  EXPECT_GE(samples.size(), kMax);
  size_t total = 0;
  for (size_t n : sizes) {
    EXPECT_LE(n, size_t{8} << 10);
    total += n;
  }
  EXPECT_EQ(total, samples.size());
  // A block over kDictBlockMaxRaw is never sampled.
  std::string big_samples;
  std::vector<size_t> big_sizes;
  SmallBlocks big{nullptr, &big_samples, &big_sizes, 1 << 20};
  Input in;
  for (int i = 0; i < 2000; ++i) {
    in.ts.push_back(1700000000000000000LL + i);
    std::string line(60, 'a');  // random letters: ~120 KB of raw block
    for (char& c : line) c = static_cast<char>('a' + rng() % 26);
    in.lines.push_back(line);
    in.md.emplace_back();
  }
  std::vector<OwnedEntry> es = Entries(in);
  EncodeChunk(es.data(), es.data() + es.size(), 1 << 20, 1, &chunk, &meta, kChunkFormatV3, &big);
  EXPECT_TRUE(big_samples.empty());
}

}  // namespace
}  // namespace lode
