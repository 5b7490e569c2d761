#include "logql/log/detected_level.h"

#include <array>
#include <cctype>

namespace lode::logql {

namespace {

constexpr std::array<std::string_view, 9> kLevelKeys = {
    "level", "LEVEL", "Level", "severity", "SEVERITY", "Severity", "lvl", "LVL", "Lvl"};

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Maps the many spellings of a level onto Loki's constants.
std::string_view Normalize(std::string_view v) {
  struct Alias {
    std::string_view name, level;
  };
  static constexpr Alias kAliases[] = {
      {"trace", "trace"}, {"trc", "trace"},      {"debug", "debug"},       {"dbg", "debug"},
      {"info", "info"},   {"inf", "info"},       {"information", "info"},  {"notice", "info"},
      {"warn", "warn"},   {"warning", "warn"},   {"wrn", "warn"},          {"error", "error"},
      {"err", "error"},   {"eror", "error"},     {"critical", "critical"}, {"crit", "critical"},
      {"fatal", "fatal"}, {"panic", "critical"}, {"emerg", "critical"},    {"alert", "critical"},
  };
  for (const auto& a : kAliases)
    if (IEquals(v, a.name)) return a.level;
  return {};
}

// Value of a level key in a JSON object line (top level, string value).
std::string_view JsonLevel(std::string_view line) {
  for (auto key : kLevelKeys) {
    std::string pat = "\"" + std::string(key) + "\"";
    size_t p = line.find(pat);
    while (p != std::string_view::npos) {
      size_t i = p + pat.size();
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] == ':') {
        ++i;
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i < line.size() && line[i] == '"') {
          size_t e = line.find('"', i + 1);
          if (e != std::string_view::npos) return line.substr(i + 1, e - i - 1);
        }
      }
      p = line.find(pat, p + 1);
    }
  }
  return {};
}

// Value of `level=...` style pairs in a logfmt-like line.
std::string_view LogfmtLevel(std::string_view line) {
  for (auto key : kLevelKeys) {
    size_t p = line.find(key);
    while (p != std::string_view::npos) {
      bool start_ok = p == 0 || line[p - 1] == ' ' || line[p - 1] == '\t';
      size_t i = p + key.size();
      if (start_ok && i < line.size() && line[i] == '=') {
        ++i;
        bool quoted = i < line.size() && line[i] == '"';
        if (quoted) ++i;
        size_t e = i;
        while (e < line.size() && line[e] != ' ' && line[e] != '\t' && line[e] != '"') ++e;
        return line.substr(i, e - i);
      }
      p = line.find(key, p + 1);
    }
  }
  return {};
}

// Keywords in free text: the first of Loki's checks that matches.
std::string_view KeywordLevel(std::string_view line) {
  auto has = [&](std::string_view w) { return line.find(w) != std::string_view::npos; };
  if (has("trace:") || has("TRACE")) return "trace";
  if (has("debug:") || has("DEBUG")) return "debug";
  if (has("info:") || has("INFO")) return "info";
  if (has("warn:") || has("WARN")) return "warn";
  if (has("error:") || has("ERROR") || has("err:") || has("ERR:")) return "error";
  if (has("critical:") || has("CRITICAL")) return "critical";
  if (has("fatal:") || has("FATAL")) return "fatal";
  return {};
}

}  // namespace

std::string_view DetectLevel(const Labels& stream, const LabelView* md, size_t n_md,
                             std::string_view line) {
  for (auto key : kLevelKeys) {
    if (const std::string* v = FindLabel(stream, key)) {
      std::string_view n = Normalize(*v);
      return n.empty() ? "unknown" : n;
    }
  }
  for (size_t i = 0; i < n_md; ++i) {
    for (auto key : kLevelKeys) {
      if (md[i].name == key) {
        std::string_view n = Normalize(md[i].value);
        return n.empty() ? "unknown" : n;
      }
    }
  }
  // OTLP logs: the severity_number structured metadata (1-4 trace, 5-8
  // debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal), as Loki does.
  for (size_t i = 0; i < n_md; ++i) {
    if (md[i].name != "severity_number") continue;
    std::string_view v = md[i].value;
    int n = 0;
    if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string_view::npos)
      return "info";
    for (char c : v) n = n * 10 + (c - '0');
    static constexpr std::string_view kBySeverity[] = {"trace", "debug", "info",
                                                       "warn",  "error", "fatal"};
    return n == 0 || n > 24 ? "unknown" : kBySeverity[(n - 1) / 4];
  }
  size_t s = 0;
  while (s < line.size() && (line[s] == ' ' || line[s] == '\t')) ++s;
  std::string_view v = s < line.size() && line[s] == '{' ? JsonLevel(line) : LogfmtLevel(line);
  std::string_view n = Normalize(v);
  if (n.empty()) n = KeywordLevel(line.substr(0, 256));
  return n.empty() ? "unknown" : n;
}

}  // namespace lode::logql
