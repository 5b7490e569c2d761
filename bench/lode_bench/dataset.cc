#include "bench/lode_bench/dataset.h"

#include <algorithm>
#include <cmath>

namespace lode::bench {
namespace {

constexpr const char* kAppNames[kAppCount] = {"api",      "nginx",  "worker",
                                              "postgres", "syslog", "billing"};
// Relative line volume per app and per level.
constexpr double kAppWeight[kAppCount] = {3.0, 3.0, 2.0, 1.0, 1.0, 1.0};
constexpr double kLevelWeight[kLevelCount] = {0.6, 1.0, 0.25, 0.1};
constexpr const char* kLevelNames[kLevelCount] = {"debug", "info", "warn", "error"};
constexpr const char* kNamespaces[] = {"shop",     "payments", "identity",
                                       "platform", "search",   "data"};

// Picks index i with probability weights[i] / sum, from a hash value.
int PickWeighted(uint64_t h, const double* weights, int n) {
  double total = 0;
  for (int i = 0; i < n; ++i) total += weights[i];
  double point = static_cast<double>(h >> 11) * 0x1.0p-53 * total;
  for (int i = 0; i < n; ++i) {
    if (point < weights[i]) return i;
    point -= weights[i];
  }
  return n - 1;
}

void AppendBase36(uint64_t v, int digits, std::string* out) {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (int i = 0; i < digits; ++i) {
    out->push_back(kAlphabet[v % 36]);
    v /= 36;
  }
}

}  // namespace

const char* AppName(App app) { return kAppNames[static_cast<int>(app)]; }
const char* LevelName(int level) { return kLevelNames[level]; }

Dataset::Dataset(const DatasetOptions& options) : options_(options) {
  if (options_.streams == 0) options_.streams = 1;
  if (options_.lines == 0) options_.lines = 1;
  uint64_t seed = SplitMix64(options_.seed);
  stream_salt_ = SplitMix64(seed ^ 0x73747265616dULL);
  time_salt_ = SplitMix64(seed ^ 0x74696d65ULL);
  text_salt_ = SplitMix64(seed ^ 0x74657874ULL);

  const uint32_t n = options_.streams;
  streams_.resize(n);
  std::vector<double> weight(n);
  static constexpr double kEnvWeights[] = {60, 25, 15};
  static constexpr const char* kEnvs[] = {"prod", "staging", "dev"};
  for (uint32_t s = 0; s < n; ++s) {
    StreamInfo& info = streams_[s];
    uint64_t h = SplitMix64(seed + 0x9e37ULL * (s + 1));
    info.app = static_cast<App>(s % kAppCount);
    info.level = static_cast<uint8_t>(PickWeighted(SplitMix64(h + 1), kLevelWeight, kLevelCount));
    info.env = kEnvs[PickWeighted(SplitMix64(h + 2), kEnvWeights, 3)];
    info.namespace_name = kNamespaces[SplitMix64(h + 3) % std::size(kNamespaces)];
    // Pod-style instance name; the stream number keeps label sets unique.
    info.instance = std::string(AppName(info.app)) + "-";
    AppendBase36(SplitMix64(h + 4), 9, &info.instance);
    info.instance += "-";
    AppendBase36(s, 5, &info.instance);
    info.labels = std::string("{app=\"") + AppName(info.app) + "\", env=\"" + info.env +
                  "\", instance=\"" + info.instance + "\", level=\"" + LevelName(info.level) +
                  "\", namespace=\"" + info.namespace_name + "\"}";
    double rank = static_cast<double>(s / kAppCount);
    weight[s] = kAppWeight[static_cast<int>(info.app)] * kLevelWeight[info.level] /
                std::pow(rank + 1.0, 0.6);
  }

  // Vose's alias method: O(1) weighted choice per entry.
  double total = 0;
  for (double w : weight) total += w;
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (uint32_t s = 0; s < n; ++s) {
    scaled[s] = weight[s] * n / total;
    (scaled[s] < 1.0 ? small : large).push_back(s);
  }
  alias_threshold_.assign(n, UINT32_MAX);
  alias_.resize(n);
  for (uint32_t s = 0; s < n; ++s) alias_[s] = s;
  while (!small.empty() && !large.empty()) {
    uint32_t lo = small.back(), hi = large.back();
    small.pop_back();
    alias_threshold_[lo] = static_cast<uint32_t>(std::min(scaled[lo] * 4294967296.0, 4294967295.0));
    alias_[lo] = hi;
    scaled[hi] -= 1.0 - scaled[lo];
    if (scaled[hi] < 1.0) {
      large.pop_back();
      small.push_back(hi);
    }
  }

  spacing_ns_ = static_cast<double>(options_.span_ns) / static_cast<double>(options_.lines);
  jitter_range_ = std::max<uint64_t>(1, static_cast<uint64_t>(spacing_ns_ / 2));
}

}  // namespace lode::bench
