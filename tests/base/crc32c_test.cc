// base/crc32c.h: CRC-32C, checked against its definition bit by bit.
#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace lode {
namespace {

uint32_t BitwiseCrc32c(uint32_t crc, const std::string& s) {
  crc = ~crc;
  for (unsigned char c : s) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
  }
  return ~crc;
}

TEST(Crc32cTest, CheckValueAndEmptyInput) {
  EXPECT_EQ(Crc32c(0, "123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(0, ""), 0u);
  EXPECT_EQ(Crc32c(0x12345678u, ""), 0x12345678u);
}

TEST(Crc32cTest, EqualsTheDefinitionAtEveryLengthAndOffsetAndContinues) {
  std::mt19937_64 rng(5);
  std::string data(4096 + 64, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t n : {1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 255, 1000, 4096}) {
    for (size_t off = 0; off < 9; ++off) {
      const std::string s = data.substr(off, n);
      ASSERT_EQ(Crc32c(0, s), BitwiseCrc32c(0, s)) << n << " bytes at " << off;
      const size_t cut = rng() % (n + 1);
      EXPECT_EQ(Crc32c(Crc32c(0, s.substr(0, cut)), s.substr(cut)), Crc32c(0, s));
    }
  }
}

}  // namespace
}  // namespace lode
