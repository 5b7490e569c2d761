#include "pattern/drain.h"

#include <algorithm>

namespace lode::pattern {

namespace {

constexpr std::string_view kVar = "<_>";
constexpr size_t kMaxExactKeys = 50000;
constexpr size_t kMaxClustersPerKey = 64;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsDelimiter(char c) {
  switch (c) {
    case '=':
    case '"':
    case '\'':
    case ',':
    case ';':
    case ':':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '|':
      return true;
    default:
      return false;
  }
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexLetter(char c) { return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Numbers, durations, sizes, IPs, dates, UUIDs and hex ids.
bool IsVariable(std::string_view w) {
  bool digit = false, hex_only = true;
  int run = 0, max_run = 0;
  for (char c : w) {
    if (IsDigit(c)) {
      digit = true;
      run = 0;
    } else if (IsLetter(c)) {
      max_run = std::max(max_run, ++run);
      hex_only &= IsHexLetter(c);
    } else {
      run = 0;
      hex_only &= c == '-';
    }
  }
  if (!digit) return false;
  if (max_run < 3) return true;
  return hex_only && w.size() >= 8;
}

}  // namespace

PatternMiner::PatternMiner(int64_t step_ns, size_t max_clusters)
    : step_(step_ns > 0 ? step_ns : 1000000000LL), max_clusters_(max_clusters) {}

void PatternMiner::Tokenize(std::string_view line, std::vector<Token>* out) {
  out->clear();
  size_t i = 0;
  while (i < line.size()) {
    size_t s = i;
    while (i < line.size() && IsSpace(line[i])) ++i;
    std::string_view space = line.substr(s, i - s);
    if (i >= line.size()) break;
    size_t b = i;
    if (IsDelimiter(line[i])) {
      ++i;
    } else {
      while (i < line.size() && !IsSpace(line[i]) && !IsDelimiter(line[i])) ++i;
    }
    std::string_view w = line.substr(b, i - b);
    out->push_back({IsVariable(w) ? kVar : w, space});
  }
}

std::string PatternMiner::MaskLine(std::string_view line) {
  std::vector<Token> tokens;
  Tokenize(line, &tokens);
  std::vector<std::string> t, s;
  for (const auto& tok : tokens) {
    t.emplace_back(tok.text);
    s.emplace_back(tok.space);
  }
  return Render(t, s);
}

size_t PatternMiner::FindOrCreate(const std::vector<Token>& tokens, std::string_view level) {
  key_.assign(level);
  key_.push_back('\x1f');
  for (const auto& t : tokens) {
    key_.append(t.text);
    key_.push_back('\x1f');
  }
  auto ex = exact_.find(key_);
  if (ex != exact_.end()) return ex->second;

  std::string group(level);
  group += '\x1f' + std::to_string(tokens.size()) + '\x1f';
  if (!tokens.empty()) group.append(tokens[0].text);
  auto& candidates = by_key_[group];
  size_t best = SIZE_MAX;
  size_t best_same = 0;
  for (size_t id : candidates) {
    const Cluster& c = clusters_[id];
    size_t same = 0;
    for (size_t k = 0; k < tokens.size(); ++k) {
      if (c.tokens[k] == kVar || c.tokens[k] == tokens[k].text) ++same;
    }
    if (same * 2 >= tokens.size() && (best == SIZE_MAX || same > best_same)) {
      best = id;
      best_same = same;
    }
  }
  if (best != SIZE_MAX) {
    Cluster& c = clusters_[best];
    for (size_t k = 0; k < tokens.size(); ++k) {
      if (c.tokens[k] != tokens[k].text) c.tokens[k] = kVar;
    }
  } else {
    if (clusters_.size() >= max_clusters_ || candidates.size() >= kMaxClustersPerKey)
      return SIZE_MAX;
    Cluster c;
    c.level.assign(level);
    for (const auto& t : tokens) {
      c.tokens.emplace_back(t.text);
      c.spaces.emplace_back(t.space);
    }
    best = clusters_.size();
    clusters_.push_back(std::move(c));
    candidates.push_back(best);
  }
  if (exact_.size() < kMaxExactKeys) exact_.emplace(key_, best);
  return best;
}

void PatternMiner::Add(int64_t ts_ns, std::string_view line, std::string_view level) {
  Tokenize(line, &tokens_);
  size_t id = FindOrCreate(tokens_, level);
  if (id == SIZE_MAX) {
    ++dropped_;
    return;
  }
  int64_t bucket = ts_ns >= 0 ? ts_ns / step_ : -((-ts_ns + step_ - 1) / step_);
  Cluster& c = clusters_[id];
  c.counts[bucket * step_ / 1000000000LL]++;
  c.total++;
}

std::string PatternMiner::Render(const std::vector<std::string>& tokens,
                                 const std::vector<std::string>& spaces) {
  std::string out;
  size_t k = 0;
  while (k < tokens.size()) {
    if (k > 0) out += spaces[k];
    out += tokens[k];
    if (tokens[k] != kVar) {
      ++k;
      continue;
    }
    // Collapse `<_>` (delimiter <_>)* written without spaces into one `<_>`.
    size_t j = k + 1;
    size_t last_var = k;
    while (j < tokens.size() && spaces[j].empty() &&
           (tokens[j] == kVar || (tokens[j].size() == 1 && IsDelimiter(tokens[j][0])))) {
      if (tokens[j] == kVar) last_var = j;
      ++j;
    }
    k = last_var + 1;
  }
  return out;
}

std::vector<MinedPattern> PatternMiner::Patterns() const {
  std::vector<MinedPattern> out;
  std::map<std::pair<std::string, std::string>, size_t> index;  // (level, pattern) -> out
  for (const auto& c : clusters_) {
    std::string text = Render(c.tokens, c.spaces);
    auto [it, inserted] = index.try_emplace({c.level, text}, out.size());
    if (inserted) {
      out.push_back({text, c.level, {}, 0});
    }
    MinedPattern& p = out[it->second];
    std::map<int64_t, int64_t> merged(p.samples.begin(), p.samples.end());
    for (const auto& [t, n] : c.counts) merged[t] += n;
    p.samples.assign(merged.begin(), merged.end());
    p.total += c.total;
  }
  std::sort(out.begin(), out.end(), [](const MinedPattern& a, const MinedPattern& b) {
    return a.total != b.total ? a.total > b.total : a.pattern < b.pattern;
  });
  return out;
}

}  // namespace lode::pattern
