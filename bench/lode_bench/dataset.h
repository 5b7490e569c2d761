// Dataset: the shape of a generated benchmark data set.
//
// A data set is a sequence of `lines` entries numbered k = 0..lines-1. Entry k
// belongs to stream StreamOf(k) and has timestamp TimestampOf(k); its text is
// written by LineWriter (line_writer.h) from EntryRng(k). All three depend
// only on (seed, k) and the options, so any subset of entries can be produced
// by any thread in any order and the data set is identical whatever the
// connection count. Timestamps are spread evenly over the open interval
// (end - span, end) with jitter below half the spacing, so they strictly
// increase with k (whenever span >= 4 * lines nanoseconds) and hence within
// every stream; a query over [end - span, end] sees every entry whether the
// server treats `end` as inclusive or exclusive.
//
// Streams carry the labels app, env, namespace, instance and level. The app
// decides the log format (see App), the level label matches the level written
// in the line. Streams are unequally busy: the choice of stream per entry
// follows weights by app, level and a Zipf-like rank.
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/lode_bench/rng.h"

namespace lode::bench {

enum class App : uint8_t { kApi, kNginx, kWorker, kPostgres, kSyslog, kBilling };
inline constexpr int kAppCount = 6;
const char* AppName(App app);

// 0 debug, 1 info, 2 warn, 3 error.
inline constexpr int kLevelCount = 4;
const char* LevelName(int level);

struct DatasetOptions {
  uint64_t lines = 10'000'000;
  uint32_t streams = 1000;
  int64_t span_ns = 24LL * 3600 * 1'000'000'000;
  int64_t end_ns = 0;  // Unix ns of the last possible timestamp
  uint64_t seed = 1;
};

struct StreamInfo {
  App app;
  uint8_t level;
  std::string env, namespace_name, instance;
  std::string labels;  // Loki/Prometheus text form: {app="api", env="prod", ...}
};

class Dataset {
 public:
  explicit Dataset(const DatasetOptions& options);

  const DatasetOptions& options() const { return options_; }
  const std::vector<StreamInfo>& streams() const { return streams_; }
  int64_t start_ns() const { return options_.end_ns - options_.span_ns; }

  uint32_t StreamOf(uint64_t k) const {
    uint64_t h = SplitMix64(stream_salt_ + k);
    uint32_t slot = static_cast<uint32_t>(((h >> 32) * streams_.size()) >> 32);
    return static_cast<uint32_t>(h) < alias_threshold_[slot] ? slot : alias_[slot];
  }
  int64_t TimestampOf(uint64_t k) const {
    uint64_t h = SplitMix64(time_salt_ + k);
    int64_t base = start_ns() + static_cast<int64_t>((static_cast<double>(k) + 0.5) * spacing_ns_);
    return base - static_cast<int64_t>(h % jitter_range_);
  }
  // The random source for the text of entry k.
  Rng EntryRng(uint64_t k) const { return Rng(SplitMix64(text_salt_ + k)); }

 private:
  DatasetOptions options_;
  std::vector<StreamInfo> streams_;
  // Vose alias table over stream weights.
  std::vector<uint32_t> alias_threshold_;  // scaled to 2^32
  std::vector<uint32_t> alias_;
  double spacing_ns_ = 1;
  uint64_t jitter_range_ = 1;
  uint64_t stream_salt_ = 0, time_salt_ = 0, text_salt_ = 0;
};

}  // namespace lode::bench
