// Gram filters (storage/gram_filter.h) and their use in chunks and the store:
// a block or chunk that contains the needle must never be skipped.
#include "storage/gram_filter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "storage/chunk.h"
#include "storage/store.h"
#include "storage/store_format.h"

namespace lode {
namespace {

std::string Filter(const std::vector<std::string>& lines) {
  GramFilterBuilder b;
  for (const auto& l : lines) b.Add(l);
  std::string out;
  b.Finish(&out);
  return out;
}

// Random log-ish lines: words, numbers, hex ids, punctuation and UTF-8.
std::string RandomLine(std::mt19937_64& rng) {
  static const char* kWords[] = {"unknown",     "authority", "GET",     "error", "timeout", "conn",
                                 "Überweisung", "日本語",    "user_id", "path",  "status",  "x"};
  std::string s;
  int n = 3 + rng() % 12;
  for (int i = 0; i < n; ++i) {
    switch (rng() % 5) {
      case 0:
        s += std::to_string(rng() % 100000);
        break;
      case 1:
        for (int k = 0; k < 8; ++k) s += "0123456789abcdef"[rng() % 16];
        break;
      case 2:
        s += static_cast<char>(rng() % 256);  // any byte
        break;
      default:
        s += kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
    }
    s += " =:/\"{"[rng() % 6];
  }
  return s;
}

TEST(GramFilterTest, NoFalseNegativesForAnySubstring) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> lines;
    int n = 1 + rng() % 3000;  // from sparse (folded small) to dense filters
    for (int i = 0; i < n; ++i) lines.push_back(RandomLine(rng));
    std::string f = Filter(lines);
    ASSERT_GE(f.size(), 1u + (1u << GramFilterBuilder::kMinLog2Bits) / 8);
    for (int q = 0; q < 500; ++q) {
      const std::string& l = lines[rng() % lines.size()];
      size_t a = rng() % l.size();
      size_t len = 1 + rng() % std::min<size_t>(40, l.size() - a);
      std::string needle = l.substr(a, len);
      EXPECT_TRUE(GramQuery(needle).MayMatch(f)) << "needle '" << needle << "' in '" << l << "'";
    }
  }
}

// A line's filter holds exactly the grams of its 4-byte windows of letters
// (lines longer than the builder's 64-byte lanes, grams across lanes).
TEST(GramFilterTest, LineFilterEqualsTheFilterOfItsLetterWindows) {
  std::mt19937_64 rng(11);
  auto letter = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
  };
  for (int round = 0; round < 2000; ++round) {
    std::string line;
    const int n = rng() % 300;
    for (int i = 0; i < n; ++i) {
      const int r = rng() % 10;
      line += r < 6 ? static_cast<char>('a' + rng() % 26)
                    : r < 8 ? static_cast<char>(rng() % 256) : " =/1"[rng() % 4];
    }
    std::vector<std::string> windows;
    for (size_t i = 0; i + 4 <= line.size(); ++i) {
      bool all = true;
      for (size_t k = 0; k < 4; ++k) all = all && letter(line[i + k]);
      if (all) windows.push_back(line.substr(i, 4));
    }
    ASSERT_EQ(Filter({line}), Filter(windows)) << "line '" << line << "'";
  }
}

// A builder reused after Clear, and one that merged others, give the same
// bytes as a fresh builder fed the same lines: sparse (a few lines, small
// folded filters) and dense alike.
TEST(GramFilterTest, ReusedAndMergedBuildersEqualFreshOnes) {
  std::mt19937_64 rng(13);
  GramFilterBuilder reused, merged, part;
  for (int round = 0; round < 60; ++round) {
    std::vector<std::string> lines;
    const int n = round % 3 == 0 ? 1 + rng() % 3 : round % 3 == 1 ? 20 : 1 + rng() % 4000;
    for (int i = 0; i < n; ++i) lines.push_back(RandomLine(rng));
    const std::string fresh = Filter(lines);
    reused.Clear();
    merged.Clear();
    for (size_t i = 0; i < lines.size(); ++i) {
      reused.Add(lines[i]);
      if (i % 7 == 0) part.Clear();
      part.Add(lines[i]);
      if (i % 7 == 6 || i + 1 == lines.size()) merged.Merge(part);
    }
    std::string a, b;
    reused.Finish(&a);
    merged.Finish(&b);
    ASSERT_EQ(a, fresh) << "round " << round << ", " << n << " lines";
    ASSERT_EQ(b, fresh) << "round " << round << ", " << n << " lines";
  }
}

TEST(GramFilterTest, ExcludesAbsentWordsAndFoldsSparseFilters) {
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i)
    lines.push_back("level=info msg=\"request served\" path=/api/v1/orders id=" +
                    std::to_string(i));
  std::string f = Filter(lines);
  EXPECT_LT(f.size(), 1u + (1u << GramFilterBuilder::kMaxLog2Bits) / 8);  // folded
  EXPECT_TRUE(GramQuery("request served").MayMatch(f));
  EXPECT_TRUE(GramQuery("orders").MayMatch(f));
  EXPECT_FALSE(GramQuery("unknown authority").MayMatch(f));
  EXPECT_FALSE(GramQuery("Orders").MayMatch(f));  // case-sensitive, as |=
  // Needles without a gram cannot be excluded.
  EXPECT_FALSE(GramQuery("500").useful());
  EXPECT_TRUE(GramQuery("500").MayMatch(f));
  EXPECT_TRUE(GramQuery("a b").MayMatch(f));
  // No filter, or a malformed one: everything may match.
  EXPECT_TRUE(GramQuery("unknown").MayMatch(""));
  EXPECT_TRUE(GramQuery("unknown").MayMatch(std::string(1, 16) + "xyz"));
}

std::vector<OwnedEntry> Entries(const std::vector<std::string>& lines, int64_t t0) {
  std::vector<OwnedEntry> es;
  for (size_t i = 0; i < lines.size(); ++i) {
    OwnedEntry e;
    e.ts = t0 + static_cast<int64_t>(i) * 1000;
    e.line = lines[i];
    e.order = i;
    es.push_back(e);
  }
  return es;
}

std::vector<std::string> Decode(const std::string& chunk, const GramQuery* q, ScanStats* stats) {
  std::vector<std::string> out;
  std::string scratch;
  EntryBatch batch;
  bool stopped = false;
  Status s = DecodeChunk(
      chunk, INT64_MIN, INT64_MAX, Direction::kForward,
      [&](const EntryBatch& b) {
        for (auto l : b.line) out.emplace_back(l);
        return true;
      },
      &scratch, &batch, stats, &stopped, q);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// The needle sits in a few random blocks of a many-block chunk: every line
// that contains it must come out of a filtered decode, and most blocks must
// be skipped.
// A chunk's filter is the filter of all its lines, whether it has one block
// (v3 then finishes only the block's builder) or many, sparse or dense.
TEST(GramFilterTest, ChunkFilterIsTheFilterOfAllItsLines) {
  std::mt19937_64 rng(5);
  for (size_t n : {1, 3, 40, 2000}) {
    for (size_t block_size : {size_t{256}, size_t{256} << 10}) {
      std::vector<std::string> lines;
      for (size_t i = 0; i < n; ++i) lines.push_back(RandomLine(rng));
      auto es = Entries(lines, 1000);
      std::string chunk;
      ChunkMeta meta;
      EncodeChunk(es.data(), es.data() + es.size(), block_size, 1, &chunk, &meta);
      GramFilterBuilder all;
      for (const auto& l : lines) all.Add(l);
      std::string want;
      all.Finish(&want);
      EXPECT_EQ(meta.filter, want) << n << " lines, blocks of " << block_size;
      EXPECT_EQ(Decode(chunk, nullptr, nullptr), lines);
    }
  }
}

TEST(GramFilterTest, ChunkNeverSkipsABlockHoldingTheNeedle) {
  std::mt19937_64 rng(11);
  const std::string needle = "x509: certificate signed by unknown authority";
  for (int round = 0; round < 5; ++round) {
    std::vector<std::string> lines;
    for (int i = 0; i < 20000; ++i) {
      std::string l = RandomLine(rng);
      // Needle words appear on their own often; the phrase rarely.
      if (rng() % 1500 == 0) l.insert(rng() % (l.size() + 1), needle);
      lines.push_back(l);
    }
    auto es = Entries(lines, 1000);
    std::string chunk;
    ChunkMeta meta;
    EncodeChunk(es.data(), es.data() + es.size(), 16 * 1024, 1, &chunk, &meta);
    ASSERT_EQ(static_cast<uint8_t>(chunk[0]), kChunkFormatV3);
    ASSERT_FALSE(meta.filter.empty());
    GramQuery q(needle);
    ASSERT_TRUE(q.useful());
    EXPECT_TRUE(q.MayMatch(meta.filter));
    ScanStats all_stats, q_stats;
    auto all = Decode(chunk, nullptr, &all_stats);
    auto some = Decode(chunk, &q, &q_stats);
    ASSERT_EQ(all, lines);
    std::vector<std::string> want, got;
    for (const auto& l : all)
      if (l.find(needle) != std::string::npos) want.push_back(l);
    for (const auto& l : some)
      if (l.find(needle) != std::string::npos) got.push_back(l);
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(got, want);
    EXPECT_GT(q_stats.blocks_skipped, 0u);
    EXPECT_LT(q_stats.blocks_read, all_stats.blocks_read);
  }
}

TEST(GramFilterTest, VersionOneChunksStillReadAndAreNeverSkipped) {
  std::vector<std::string> lines = {"alpha beta", "gamma delta", "epsilon"};
  auto es = Entries(lines, 5);
  std::string chunk;
  ChunkMeta meta;
  EncodeChunk(es.data(), es.data() + es.size(), 8, 3, &chunk, &meta, kChunkFormatV1);
  EXPECT_EQ(static_cast<uint8_t>(chunk[0]), kChunkFormatV1);
  EXPECT_TRUE(meta.filter.empty());
  GramQuery q("zzzzzz");
  ScanStats st;
  EXPECT_EQ(Decode(chunk, &q, &st), lines);
  EXPECT_EQ(st.blocks_skipped, 0u);
  // A meta written before filters existed (no trailing filter) decodes.
  std::string mv;
  format::EncodeMeta(meta, &mv);
  ChunkMeta back;
  back.filter = "stale";
  ASSERT_TRUE(format::DecodeMeta(mv, &back));
  EXPECT_TRUE(back.filter.empty());
  EXPECT_EQ(back.entries, 3u);
}

TEST(GramFilterTest, StoreSkipsChunksWithoutTheNeedleAndKeepsTheOthers) {
  char tmpl[] = "/tmp/lode-gram-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  {
    StoreOptions o;
    o.dir = dir;
    o.background_flush = false;
    o.block_size = 4096;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(o, &store).ok());
    std::mt19937_64 rng(3);
    Labels a, b;
    ASSERT_TRUE(ParseLabels(R"({app="api"})", &a).ok());
    ASSERT_TRUE(ParseLabels(R"({app="web"})", &b).ok());
    std::vector<std::string> la, lb;
    for (int i = 0; i < 3000; ++i)
      la.push_back(RandomLine(rng) + (i == 1234 ? " tls handshake" : ""));
    for (int i = 0; i < 3000; ++i) lb.push_back(RandomLine(rng));
    auto push = [&](const Labels& l, const std::vector<std::string>& lines) {
      std::vector<EntryRef> refs;
      for (size_t i = 0; i < lines.size(); ++i)
        refs.push_back({static_cast<int64_t>(1000 + i), lines[i], nullptr, 0});
      ASSERT_TRUE(store->Append("fake", l, refs).ok());
    };
    push(a, la);
    push(b, lb);
    ASSERT_TRUE(store->Flush().ok());
    // The head is not filtered: a second, unflushed push is found too.
    push(b, {"late tls handshake"});
    std::vector<StreamRef> refs;
    ASSERT_TRUE(store->SelectStreams("fake", {}, 0, INT64_MAX, &refs).ok());
    ASSERT_EQ(refs.size(), 2u);
    std::vector<std::string> found;
    ScanStats st;
    for (const auto& r : refs) {
      ASSERT_TRUE(store
                      ->ScanStreamContaining(
                          "fake", r.id, 0, INT64_MAX, Direction::kBackward, "tls handshake",
                          [&](const EntryBatch& batch) {
                            for (auto l : batch.line)
                              if (l.find("tls handshake") != std::string_view::npos)
                                found.emplace_back(l);
                            return true;
                          },
                          &st)
                      .ok());
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> want = {"late tls handshake", la[1234]};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(found, want);
    EXPECT_GT(st.blocks_skipped, 0u);
    EXPECT_LT(st.lines_scanned, 3000u);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lode
