// Durations, byte sizes and floats parsed the way Loki's Go code does:
// Prometheus model.ParseDuration, Go time.ParseDuration, go-humanize
// ParseBytes and strconv.ParseFloat, with their error texts.

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "logql/lexer.h"
#include "logql/value_conv.h"
#include "logql/parser.h"
#include "storage/labels.h"

namespace lode::logql {

namespace {

constexpr uint64_t kMaxDur = uint64_t{1} << 63;  // |time.Duration| bound

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

struct PromUnit {
  std::string_view name;
  int pos;
  uint64_t mult;
};

constexpr uint64_t kSecond = 1000000000ULL;
constexpr PromUnit kPromUnits[] = {
    {"ms", 7, 1000000ULL},           {"s", 6, kSecond},         {"m", 5, 60 * kSecond},
    {"h", 4, 3600 * kSecond},        {"d", 3, 86400 * kSecond}, {"w", 2, 7 * 86400 * kSecond},
    {"y", 1, 365 * 86400 * kSecond},
};


}  // namespace

bool ParseGoTimeDuration(std::string_view orig, int64_t* ns, std::string* err) {
  return GoParseDuration(orig, ns, err);
}

namespace {

// Go's strconv underscoreOK: `_` only between digits (a base prefix counts as
// a digit).
bool UnderscoreOK(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); i++) {
    char c = s[i];
    if (IsDigit(c) || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

}  // namespace

bool ParsePromDuration(std::string_view orig, int64_t* ns, std::string* err) {
  if (orig == "0") {
    *ns = 0;
    return true;
  }
  if (orig.empty()) {
    *err = "empty duration string";
    return false;
  }
  std::string_view s = orig;
  auto invalid = [&]() {
    *err = "not a valid duration string: " + GoQuote(orig);
    return false;
  };
  uint64_t dur = 0;
  int last_pos = 0;
  while (!s.empty()) {
    if (!IsDigit(s[0])) return invalid();
    size_t i = 0;
    uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && IsDigit(s[i]); i++) {
      uint64_t d = static_cast<uint64_t>(s[i] - '0');
      if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) overflow = true;
      v = v * 10 + d;
    }
    if (overflow) return invalid();
    s.remove_prefix(i);
    size_t u = 0;
    while (u < s.size() && !IsDigit(s[u])) u++;
    if (u == 0) return invalid();
    std::string_view unit_name = s.substr(0, u);
    s.remove_prefix(u);
    const PromUnit* unit = nullptr;
    for (const PromUnit& pu : kPromUnits) {
      if (pu.name == unit_name) unit = &pu;
    }
    if (unit == nullptr) {
      *err = "unknown unit " + GoQuote(unit_name) + " in duration " + GoQuote(orig);
      return false;
    }
    if (unit->pos <= last_pos) return invalid();
    last_pos = unit->pos;
    if (v > kMaxDur / unit->mult) {
      *err = "duration out of range";
      return false;
    }
    dur += v * unit->mult;
    if (dur > kMaxDur - 1) {
      *err = "duration out of range";
      return false;
    }
  }
  *ns = static_cast<int64_t>(dur);
  return true;
}

bool ParseGoFloatText(std::string_view s, double* v, std::string* err) {
  auto syntax = [&]() {
    *err = "strconv.ParseFloat: parsing " + GoQuote(s) + ": invalid syntax";
    return false;
  };
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualFold(body, "inf") || EqualFold(body, "infinity")) {
    *v = neg ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (EqualFold(body, "nan")) {
    if (s.size() != body.size()) return syntax();  // Go rejects a signed NaN
    *v = std::nan("");
    return true;
  }
  bool hex = body.size() >= 2 && body[0] == '0' && Lower(body[1]) == 'x';
  std::string clean;
  clean.reserve(s.size());
  if (neg) clean += '-';
  size_t i = hex ? 2 : 0;
  if (hex) clean += "0x";
  bool digits = false, seen_dot = false, seen_exp = false, underscores = false;
  for (; i < body.size(); i++) {
    char c = body[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (IsDigit(c) || (hex && !seen_exp && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      digits = true;
      clean += c;
      continue;
    }
    if (c == '.' && !seen_dot && !seen_exp) {
      seen_dot = true;
      clean += c;
      continue;
    }
    if (!seen_exp && digits && Lower(c) == (hex ? 'p' : 'e')) {
      seen_exp = true;
      clean += c;
      if (i + 1 < body.size() && (body[i + 1] == '+' || body[i + 1] == '-')) clean += body[++i];
      if (i + 1 >= body.size() || !IsDigit(body[i + 1])) return syntax();
      continue;
    }
    return syntax();
  }
  if (!digits || (hex && !seen_exp)) return syntax();
  if (underscores && !UnderscoreOK(s)) return syntax();
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return syntax();
  if (errno == ERANGE && std::isinf(d)) {
    *err = "strconv.ParseFloat: parsing " + GoQuote(s) + ": value out of range";
    return false;
  }
  *v = d;
  return true;
}

bool ParseGoInt(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  uint64_t acc = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (acc > (uint64_t{1} << 63) / 10) return false;
    acc = acc * 10 + d;
    if (acc > (uint64_t{1} << 63)) return false;
  }
  if (!neg && acc > (uint64_t{1} << 63) - 1) return false;
  *v = neg ? static_cast<int64_t>(0 - acc) : static_cast<int64_t>(acc);
  return true;
}

Status ParseDuration(std::string_view s, int64_t* ns) {
  std::string err;
  if (ParsePromDuration(s, ns, &err)) return Status::OK();
  err.clear();
  if (!ParseGoTimeDuration(s, ns, &err)) return Status::InvalidArgument(err);
  return Status::OK();
}

Status ParseBytes(std::string_view s, double* bytes) {
  // go-humanize ParseBytes: leading [0-9.,] is the number, the rest (trimmed,
  // case-insensitive) the unit.
  size_t last_digit = 0;
  bool has_comma = false;
  while (last_digit < s.size() &&
         (IsDigit(s[last_digit]) || s[last_digit] == '.' || s[last_digit] == ',')) {
    if (s[last_digit] == ',') has_comma = true;
    last_digit++;
  }
  std::string num(s.substr(0, last_digit));
  if (has_comma) {
    std::string no_comma;
    for (char c : num) {
      if (c != ',') no_comma += c;
    }
    num = no_comma;
  }
  double f = 0;
  std::string err;
  if (!ParseGoFloatText(num, &f, &err)) return Status::InvalidArgument(err);
  std::string_view extra = s.substr(last_digit);
  while (!extra.empty() &&
         (extra.front() == ' ' || extra.front() == '\t' || extra.front() == '\n' ||
          extra.front() == '\r' || extra.front() == '\v' || extra.front() == '\f')) {
    extra.remove_prefix(1);
  }
  while (!extra.empty() && (extra.back() == ' ' || extra.back() == '\t' || extra.back() == '\n' ||
                            extra.back() == '\r' || extra.back() == '\v' || extra.back() == '\f')) {
    extra.remove_suffix(1);
  }
  std::string unit;
  for (char c : extra) unit += Lower(c);
  struct Size {
    const char* name;
    double mult;
  };
  static const Size kSizes[] = {
      {"", 1},
      {"b", 1},
      {"k", 1e3},
      {"kb", 1e3},
      {"ki", 1024.0},
      {"kib", 1024.0},
      {"m", 1e6},
      {"mb", 1e6},
      {"mi", 1048576.0},
      {"mib", 1048576.0},
      {"g", 1e9},
      {"gb", 1e9},
      {"gi", 1073741824.0},
      {"gib", 1073741824.0},
      {"t", 1e12},
      {"tb", 1e12},
      {"ti", 1099511627776.0},
      {"tib", 1099511627776.0},
      {"p", 1e15},
      {"pb", 1e15},
      {"pi", 1125899906842624.0},
      {"pib", 1125899906842624.0},
      {"e", 1e18},
      {"eb", 1e18},
      {"ei", 1152921504606846976.0},
      {"eib", 1152921504606846976.0},
  };
  for (const Size& sz : kSizes) {
    if (unit == sz.name) {
      f *= sz.mult;
      if (f >= 18446744073709551616.0)
        return Status::InvalidArgument("too large: " + std::string(s));
      *bytes = std::trunc(f);
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unhandled size name: " + unit);
}

}  // namespace lode::logql
