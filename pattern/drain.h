// PatternMiner: groups log lines into patterns such as
// `<_> level=info msg="request done" duration=<_>`, with per-step counts,
// for /loki/api/v1/patterns. A small Drain-like clusterer:
//
// 1. Tokenise: a line splits into words (runs of characters other than
//    whitespace and the delimiters = " ' , ; : ( ) [ ] { } |) and delimiter
//    tokens; each token remembers the whitespace before it, so a pattern
//    prints with the line's own spacing.
// 2. Mask: a word with a digit and no run of three letters (numbers, 12ms,
//    IPs, dates, UUIDs, hex ids), or a hex string of 8+ characters with a
//    digit, becomes `<_>`.
// 3. Cluster: lines with the same level, token count and first token are
//    compared with the clusters already found for that key; the line joins
//    the most similar one when at least half of the positions match
//    (`<_>` matches anything), and the positions that differ become `<_>`.
//    Identical masked lines skip the search (hash lookup).
// 4. Print: consecutive `<_>` joined only by delimiters collapse into one.
//
// Not thread-safe; one miner per request. Lines are copied only when they
// start a new cluster.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lode::pattern {

struct MinedPattern {
  std::string pattern;
  std::string level;
  std::vector<std::pair<int64_t, int64_t>> samples;  // (bucket start, seconds; count), ascending
  int64_t total = 0;
};

class PatternMiner {
 public:
  // Buckets are [k*step, (k+1)*step) in ns; samples carry the bucket start
  // in seconds. At most max_clusters patterns are kept; lines that would
  // start another one are counted in dropped_lines().
  PatternMiner(int64_t step_ns, size_t max_clusters = 2000);

  void Add(int64_t ts_ns, std::string_view line, std::string_view level);

  // The patterns, most frequent first.
  std::vector<MinedPattern> Patterns() const;
  uint64_t dropped_lines() const { return dropped_; }

  // The masked token sequence of a line, printed (for tests).
  static std::string MaskLine(std::string_view line);

 private:
  struct Token {
    std::string_view text;   // "<_>" when masked
    std::string_view space;  // whitespace before the token
  };
  struct Cluster {
    std::string level;
    std::vector<std::string> tokens;
    std::vector<std::string> spaces;
    std::map<int64_t, int64_t> counts;  // bucket -> lines
    int64_t total = 0;
  };

  static void Tokenize(std::string_view line, std::vector<Token>* out);
  size_t FindOrCreate(const std::vector<Token>& tokens, std::string_view level);
  static std::string Render(const std::vector<std::string>& tokens,
                            const std::vector<std::string>& spaces);

  int64_t step_;
  size_t max_clusters_;
  std::vector<Cluster> clusters_;
  std::unordered_map<std::string, std::vector<size_t>>
      by_key_;                                     // level|count|first token -> clusters
  std::unordered_map<std::string, size_t> exact_;  // level|masked line -> cluster
  std::vector<Token> tokens_;
  std::string key_;
  uint64_t dropped_ = 0;
};

}  // namespace lode::pattern
