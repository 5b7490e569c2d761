// PatternMinerTest: the Drain-like miner behind /loki/api/v1/patterns.

#include "pattern/drain.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>

namespace lode::pattern {
namespace {

constexpr int64_t kSec = 1000000000;

TEST(PatternMinerTest, MasksVariablesAndClustersLines) {
  EXPECT_EQ(PatternMiner::MaskLine("GET /a 200 12ms from 10.0.0.1:8080"),
            "GET /a <_> <_> from <_>");
  EXPECT_EQ(
      PatternMiner::MaskLine("at 2024-01-02T10:11:12Z id=550e8400-e29b-41d4-a716-446655440000"),
      "at <_> id=<_>");
  PatternMiner miner(60 * kSec);
  for (int i = 0; i < 90; ++i) {
    miner.Add(1700000000LL * kSec + i * kSec,
              "user u" + std::to_string(i % 7) + "x logged in after " + std::to_string(i) + "ms",
              "info");
  }
  miner.Add(1700000000LL * kSec, "disk full on /var", "error");
  auto patterns = miner.Patterns();
  ASSERT_EQ(patterns.size(), 2u);
  EXPECT_EQ(patterns[0].pattern, "user <_> logged in after <_>");
  EXPECT_EQ(patterns[0].level, "info");
  EXPECT_EQ(patterns[0].total, 90);
  // 1700000000 is 20 s into its minute: 40 lines in the first bucket, 50 in the next.
  ASSERT_EQ(patterns[0].samples.size(), 2u);
  EXPECT_EQ(patterns[0].samples[0], (std::pair<int64_t, int64_t>{1699999980, 40}));
  EXPECT_EQ(patterns[0].samples[1], (std::pair<int64_t, int64_t>{1700000040, 50}));
  EXPECT_EQ(patterns[1].pattern, "disk full on /var");
}

}  // namespace
}  // namespace lode::pattern
