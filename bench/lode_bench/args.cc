#include "bench/lode_bench/args.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace lode::bench {
namespace {

bool ParseDouble(std::string_view text, double* out, size_t* consumed) {
  std::string copy(text);
  char* end = nullptr;
  *out = std::strtod(copy.c_str(), &end);
  *consumed = static_cast<size_t>(end - copy.c_str());
  return *consumed > 0;
}

bool ParseDigits(std::string_view text, int* out) {
  if (text.empty()) return false;
  auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

Args::Args(int argc, char** argv, int first, const std::set<std::string>& flags) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (!arg.starts_with("--")) {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      values_[name.substr(0, eq)] = name.substr(eq + 1);
    } else if (flags.count(name) != 0) {
      values_[name] = "true";
    } else if (i + 1 < argc) {
      values_[name] = argv[++i];
    } else {
      errors_.push_back("option --" + name + " needs a value");
    }
  }
}

bool Args::Has(const std::string& name) const { return values_.count(name) != 0; }

std::string Args::String(const std::string& name, const std::string& fallback) {
  used_.insert(name);
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

bool Args::Flag(const std::string& name) {
  used_.insert(name);
  auto it = values_.find(name);
  return it != values_.end() && it->second != "false" && it->second != "0";
}

#define LODE_ARGS_ACCESSOR(Name, Type, Parser, What)                           \
  Type Args::Name(const std::string& name, Type fallback) {                    \
    used_.insert(name);                                                        \
    auto it = values_.find(name);                                              \
    if (it == values_.end()) return fallback;                                  \
    Type value{};                                                              \
    if (!Parser(it->second, &value)) {                                         \
      errors_.push_back("--" + name + ": not " What ": '" + it->second + "'"); \
      return fallback;                                                         \
    }                                                                          \
    return value;                                                              \
  }

LODE_ARGS_ACCESSOR(Count, uint64_t, ParseCount, "a count (like 1000, 10k, 1M)")
LODE_ARGS_ACCESSOR(Bytes, uint64_t, ParseBytes, "a size (like 1048576, 1MiB)")
LODE_ARGS_ACCESSOR(DurationNs, int64_t, ParseDurationNs, "a duration (like 24h, 90s)")
LODE_ARGS_ACCESSOR(TimeNs, int64_t, ParseTimeNs, "a time (Unix seconds or RFC 3339)")
#undef LODE_ARGS_ACCESSOR

std::vector<std::string> Args::Unused() const {
  std::vector<std::string> unused;
  for (const auto& [name, value] : values_) {
    if (used_.count(name) == 0) unused.push_back("--" + name);
  }
  return unused;
}

bool ParseDurationNs(std::string_view text, int64_t* out) {
  static const std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1},   {"us", 1e3},   {"µs", 1e3},    {"ms", 1e6},    {"s", 1e9},
      {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9}, {"w", 604800e9}};
  if (text.empty()) return false;
  double total = 0;
  while (!text.empty()) {
    double value;
    size_t consumed;
    if (!ParseDouble(text, &value, &consumed) || value < 0) return false;
    text.remove_prefix(consumed);
    bool matched = false;
    // Longest unit first so "ms" is not read as "m" followed by "s".
    for (const auto& [unit, scale] : kUnits) {
      if (text.starts_with(unit) && !(unit == "m" && text.starts_with("ms"))) {
        total += value * scale;
        text.remove_prefix(unit.size());
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  *out = static_cast<int64_t>(std::llround(total));
  return true;
}

bool ParseTimeNs(std::string_view text, int64_t* out) {
  if (text.size() >= 19 && text[4] == '-' && text[10] == 'T') {
    int y, mo, d, h, mi, s;
    if (!ParseDigits(text.substr(0, 4), &y) || !ParseDigits(text.substr(5, 2), &mo) ||
        !ParseDigits(text.substr(8, 2), &d) || !ParseDigits(text.substr(11, 2), &h) ||
        !ParseDigits(text.substr(14, 2), &mi) || !ParseDigits(text.substr(17, 2), &s)) {
      return false;
    }
    std::string_view rest = text.substr(19);
    int64_t nanos = 0;
    if (!rest.empty() && rest[0] == '.') {
      rest.remove_prefix(1);
      int64_t scale = 100'000'000;
      while (!rest.empty() && rest[0] >= '0' && rest[0] <= '9') {
        nanos += (rest[0] - '0') * scale;
        scale /= 10;
        rest.remove_prefix(1);
      }
    }
    int64_t offset_s = 0;
    if (rest == "Z" || rest == "z") {
      offset_s = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
      int oh, om;
      if (!ParseDigits(rest.substr(1, 2), &oh) || !ParseDigits(rest.substr(4, 2), &om)) {
        return false;
      }
      offset_s = (rest[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return false;
    }
    int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_s;
    *out = seconds * 1'000'000'000 + nanos;
    return true;
  }
  double seconds;
  size_t consumed;
  if (!ParseDouble(text, &seconds, &consumed) || consumed != text.size()) return false;
  *out = static_cast<int64_t>(std::llround(seconds * 1e9));
  return true;
}

bool ParseCount(std::string_view text, uint64_t* out) {
  double value;
  size_t consumed;
  if (!ParseDouble(text, &value, &consumed) || value < 0) return false;
  std::string_view suffix = text.substr(consumed);
  double scale = suffix.empty()                   ? 1
                 : suffix == "k" || suffix == "K" ? 1e3
                 : suffix == "M" || suffix == "m" ? 1e6
                 : suffix == "G"                  ? 1e9
                                                  : -1;
  if (scale < 0) return false;
  *out = static_cast<uint64_t>(std::llround(value * scale));
  return true;
}

bool ParseBytes(std::string_view text, uint64_t* out) {
  static const std::pair<std::string_view, double> kUnits[] = {
      {"", 1},          {"B", 1},         {"KiB", 1024}, {"KB", 1e3},    {"k", 1024},
      {"K", 1024},      {"MiB", 1 << 20}, {"MB", 1e6},   {"M", 1 << 20}, {"m", 1 << 20},
      {"GiB", 1 << 30}, {"GB", 1e9},      {"G", 1 << 30}};
  double value;
  size_t consumed;
  if (!ParseDouble(text, &value, &consumed) || value < 0) return false;
  std::string_view suffix = text.substr(consumed);
  for (const auto& [unit, scale] : kUnits) {
    if (suffix == unit) {
      *out = static_cast<uint64_t>(std::llround(value * scale));
      return true;
    }
  }
  return false;
}

std::string FormatDuration(int64_t ns) {
  if (ns % 1'000'000'000 != 0) return std::to_string(ns / 1'000'000) + "ms";
  int64_t s = ns / 1'000'000'000;
  if (s == 0) return "0s";
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h";
  if (s % 3600 >= 60) out += std::to_string(s % 3600 / 60) + "m";
  if (s % 60 != 0) out += std::to_string(s % 60) + "s";
  return out;
}

}  // namespace lode::bench
