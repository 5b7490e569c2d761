// FindBytes (base/find.h) against std::string_view::find: every needle
// length and position around the 16- and 32-byte vector steps, and random
// haystacks of a small alphabet (many partial matches), in exactly-sized
// buffers so that the sanitizer builds see any read outside them.
#include "base/find.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>

namespace lode {
namespace {

// hay and needle copied into allocations of exactly their size.
const char* Find(std::string_view hay, std::string_view needle, const char** base) {
  static std::unique_ptr<char[]> h, n;
  h.reset(new char[hay.size()]);
  n.reset(new char[needle.size()]);
  std::memcpy(h.get(), hay.data(), hay.size());
  std::memcpy(n.get(), needle.data(), needle.size());
  *base = h.get();
  return FindBytes(h.get(), hay.size(), n.get(), needle.size());
}

void Expect(std::string_view hay, std::string_view needle) {
  const char* base = nullptr;
  const char* got = Find(hay, needle, &base);
  const size_t want = hay.find(needle);
  if (want == std::string_view::npos) {
    EXPECT_EQ(got, nullptr) << "needle '" << needle << "' in '" << hay << "'";
  } else {
    ASSERT_NE(got, nullptr) << "needle '" << needle << "' in '" << hay << "'";
    EXPECT_EQ(static_cast<size_t>(got - base), want) << "needle '" << needle << "' in '" << hay << "'";
  }
}

TEST(FindBytesTest, EveryLengthAndPosition) {
  for (size_t hn = 0; hn <= 80; ++hn) {
    for (size_t nl = 0; nl <= hn + 1 && nl <= 40; ++nl) {
      const std::string needle = std::string(nl, 'a').substr(0, nl > 0 ? nl - 1 : 0) +
                                 (nl > 0 ? "b" : "");
      for (size_t at = 0; at + nl <= hn; at += 3) {
        std::string hay(hn, 'a');  // a's everywhere: first bytes match all along
        hay.replace(at, nl, needle);
        Expect(hay, needle);
        if (HasFatalFailure()) return;
      }
      Expect(std::string(hn, 'a'), needle);  // absent (or empty)
    }
  }
}

TEST(FindBytesTest, RandomSmallAlphabet) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 20000; ++round) {
    const size_t hn = rng() % 200;
    std::string hay(hn, 'x');
    for (char& c : hay) c = "abc/"[rng() % 4];
    size_t nl = 1 + rng() % 12;
    std::string needle(nl, 'x');
    if (hn >= nl && rng() % 2) {
      needle = hay.substr(rng() % (hn - nl + 1), nl);  // present
    } else {
      for (char& c : needle) c = "abc/"[rng() % 4];
    }
    Expect(hay, needle);
    if (HasFatalFailure()) return;
  }
}

TEST(FindBytesTest, LogLines) {
  const std::string line =
      "10.2.28.14 - - [05/Dec/2026:02:51:17 +0000] \"GET /api/v1/orders HTTP/2.0\" 200 29401 "
      "\"-\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\"\n";
  std::string block;
  for (int i = 0; i < 50; ++i) block += line;
  Expect(block, "/api/v1/orders");
  Expect(block, "unknown authority");
  Expect(block + "x509: certificate signed by unknown authority", "unknown authority");
  Expect(block, "\n10.2");
}

}  // namespace
}  // namespace lode
