#include "base/go_parse.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "base/labels.h"

namespace lode {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Length of the case-insensitive common prefix of s and the lowercase word.
size_t CommonPrefixIgnoreCase(std::string_view s, std::string_view word) {
  size_t n = 0;
  while (n < s.size() && n < word.size() && Lower(s[n]) == word[n]) ++n;
  return n;
}

std::string FloatError(std::string_view s, const char* what) {
  return "strconv.ParseFloat: parsing " + GoQuote(s) + ": " + what;
}

// Checks Go's float literal syntax and copies s without underscores into
// *clean (NUL-terminated) for strtod. Returns false on a syntax error.
bool CleanFloat(std::string_view s, char* clean, size_t cap) {
  size_t i = 0, w = 0;
  auto put = [&](char c) {
    if (w + 1 >= cap) return false;
    clean[w++] = c;
    return true;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (!put(s[i])) return false;
    ++i;
  }
  bool hex = false;
  if (i + 1 < s.size() && s[i] == '0' && Lower(s[i + 1]) == 'x') {
    hex = true;
    if (!put('0') || !put('x')) return false;
    i += 2;
  }
  auto digit = [hex](char c) { return hex ? IsHexDigit(c) : IsDigit(c); };
  const size_t mant_start = i;
  bool digits = false, dot = false;
  // Mantissa.
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (digit(c)) {
      digits = true;
      if (!put(c)) return false;
    } else if (c == '_') {
      // Only between digits, or between the base prefix and a digit.
      const bool prev_ok = (i > mant_start && digit(s[i - 1])) || (hex && i == mant_start);
      if (!prev_ok || i + 1 >= s.size() || !digit(s[i + 1])) return false;
    } else if (c == '.' && !dot) {
      dot = true;
      if (!put(c)) return false;
    } else {
      break;
    }
  }
  if (!digits) return false;
  const char exp_char = hex ? 'p' : 'e';
  if (i < s.size() && Lower(s[i]) == exp_char) {
    if (!put(exp_char)) return false;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      if (!put(s[i])) return false;
      ++i;
    }
    bool exp_digits = false;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (IsDigit(c)) {
        exp_digits = true;
        if (!put(c)) return false;
      } else if (c == '_' && exp_digits && i + 1 < s.size() && IsDigit(s[i + 1])) {
        continue;
      } else {
        break;
      }
    }
    if (!exp_digits) return false;
  } else if (hex) {
    return false;  // a hexadecimal float needs its p exponent
  }
  if (i != s.size()) return false;
  clean[w] = '\0';
  return true;
}

}  // namespace

bool GoParseFloat(std::string_view s, double* out, std::string* err) {
  if (s.empty()) {
    *err = FloatError(s, "invalid syntax");
    return false;
  }
  // Inf, Infinity, NaN (case-insensitive; NaN takes no sign).
  {
    std::string_view r = s;
    double sign = 1;
    bool has_sign = false;
    if (r[0] == '+' || r[0] == '-') {
      sign = r[0] == '-' ? -1 : 1;
      has_sign = true;
      r.remove_prefix(1);
    }
    if (!r.empty() && (r[0] == 'i' || r[0] == 'I')) {
      size_t n = CommonPrefixIgnoreCase(r, "infinity");
      if ((n == 3 || n == 8) && n == r.size()) {
        *out = sign * HUGE_VAL;
        return true;
      }
      *err = FloatError(s, "invalid syntax");
      return false;
    }
    if (!has_sign && !r.empty() && (r[0] == 'n' || r[0] == 'N')) {
      if (r.size() == 3 && CommonPrefixIgnoreCase(r, "nan") == 3) {
        *out = std::nan("");
        return true;
      }
      *err = FloatError(s, "invalid syntax");
      return false;
    }
  }
  char stack[128];
  std::string heap;
  char* clean = stack;
  size_t cap = sizeof(stack);
  if (s.size() + 2 > cap) {
    heap.resize(s.size() + 2);
    clean = heap.data();
    cap = heap.size();
  }
  if (!CleanFloat(s, clean, cap)) {
    *err = FloatError(s, "invalid syntax");
    return false;
  }
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(clean, &end);
  if (errno == ERANGE && std::isinf(v)) {
    *out = v;
    *err = FloatError(s, "value out of range");
    return false;
  }
  *out = v;
  return true;
}

namespace {

std::string TimeQuote(std::string_view s) {
  // time.quote: non-ASCII and control bytes as \xNN, '"' and '\\' escaped.
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x80 || c < ' ') {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

bool UnitNanos(std::string_view u, uint64_t* unit) {
  static const struct {
    const char* name;
    uint64_t ns;
  } kUnits[] = {
      {"ns", 1},
      {"us", 1000},
      {"\xc2\xb5s", 1000},  // µs (U+00B5)
      {"\xce\xbcs", 1000},  // μs (U+03BC)
      {"ms", 1000000},
      {"s", 1000000000ULL},
      {"m", 60ULL * 1000000000ULL},
      {"h", 3600ULL * 1000000000ULL},
  };
  for (const auto& e : kUnits) {
    if (u == e.name) {
      *unit = e.ns;
      return true;
    }
  }
  return false;
}

}  // namespace

bool GoParseDuration(std::string_view s, int64_t* ns, std::string* err) {
  const std::string_view orig = s;
  auto invalid = [&]() {
    *err = "time: invalid duration " + TimeQuote(orig);
    return false;
  };
  uint64_t d = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *ns = 0;
    return true;
  }
  if (s.empty()) return invalid();
  constexpr uint64_t kLimit = 1ULL << 63;
  while (!s.empty()) {
    uint64_t v = 0, f = 0;
    double scale = 1;
    if (!(s[0] == '.' || IsDigit(s[0]))) return invalid();
    // leadingInt
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (v > kLimit / 10) return invalid();
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kLimit) return invalid();
    }
    const bool pre = i > 0;
    s.remove_prefix(i);
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      // leadingFraction
      size_t j = 0;
      bool overflow = false;
      for (; j < s.size() && IsDigit(s[j]); ++j) {
        if (overflow) continue;
        if (f > (kLimit - 1) / 10) {
          overflow = true;
          continue;
        }
        uint64_t y = f * 10 + static_cast<uint64_t>(s[j] - '0');
        if (y > kLimit) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) return invalid();
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !IsDigit(s[u])) ++u;
    if (u == 0) {
      *err = "time: missing unit in duration " + TimeQuote(orig);
      return false;
    }
    std::string_view unit_name = s.substr(0, u);
    s.remove_prefix(u);
    uint64_t unit = 0;
    if (!UnitNanos(unit_name, &unit)) {
      *err = "time: unknown unit " + TimeQuote(unit_name) + " in duration " + TimeQuote(orig);
      return false;
    }
    if (v > kLimit / unit) return invalid();
    v *= unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kLimit) return invalid();
    }
    d += v;
    if (d > kLimit) return invalid();
  }
  if (neg) {
    *ns = d == kLimit ? INT64_MIN : -static_cast<int64_t>(d);
    return true;
  }
  if (d > kLimit - 1) return invalid();
  *ns = static_cast<int64_t>(d);
  return true;
}

double DurationSeconds(int64_t ns) {
  const int64_t sec = ns / 1000000000LL;
  const int64_t nsec = ns % 1000000000LL;
  return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
}

bool HumanizeParseBytes(std::string_view s, uint64_t* out, std::string* err) {
  size_t last = 0;
  bool comma = false;
  while (last < s.size()) {
    char c = s[last];
    if (!(IsDigit(c) || c == '.' || c == ',')) break;
    if (c == ',') comma = true;
    ++last;
  }
  std::string_view num = s.substr(0, last);
  std::string no_commas;
  if (comma) {
    no_commas.reserve(num.size());
    for (char c : num)
      if (c != ',') no_commas.push_back(c);
    num = no_commas;
  }
  double f = 0;
  if (!GoParseFloat(num, &f, err)) return false;
  // strings.ToLower(strings.TrimSpace(rest))
  std::string_view rest = s.substr(last);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '\n' ||
                           rest.front() == '\r' || rest.front() == '\v' || rest.front() == '\f')) {
    rest.remove_prefix(1);
  }
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t' || rest.back() == '\n' ||
                           rest.back() == '\r' || rest.back() == '\v' || rest.back() == '\f')) {
    rest.remove_suffix(1);
  }
  char unit[8];
  size_t n = 0;
  bool too_long = rest.size() >= sizeof(unit);
  if (!too_long) {
    for (char c : rest) unit[n++] = Lower(c);
  }
  std::string_view u(unit, n);
  static const struct {
    const char* name;
    double mult;
  } kTable[] = {
      {"b", 1},
      {"", 1},
      {"kib", 1024.0},
      {"ki", 1024.0},
      {"kb", 1e3},
      {"k", 1e3},
      {"mib", 1048576.0},
      {"mi", 1048576.0},
      {"mb", 1e6},
      {"m", 1e6},
      {"gib", 1073741824.0},
      {"gi", 1073741824.0},
      {"gb", 1e9},
      {"g", 1e9},
      {"tib", 1099511627776.0},
      {"ti", 1099511627776.0},
      {"tb", 1e12},
      {"t", 1e12},
      {"pib", 1125899906842624.0},
      {"pi", 1125899906842624.0},
      {"pb", 1e15},
      {"p", 1e15},
      {"eib", 1152921504606846976.0},
      {"ei", 1152921504606846976.0},
      {"eb", 1e18},
      {"e", 1e18},
  };
  if (!too_long) {
    for (const auto& e : kTable) {
      if (u == e.name) {
        f *= e.mult;
        if (f >= 18446744073709551615.0) {
          *err = "too large: " + std::string(s);
          return false;
        }
        *out = f <= 0 ? 0 : static_cast<uint64_t>(f);
        return true;
      }
    }
  }
  std::string lowered(rest);
  for (char& c : lowered) c = Lower(c);
  *err = "unhandled size name: " + lowered;
  return false;
}

namespace {

constexpr uint64_t kMaxDur = uint64_t{1} << 63;  // |time.Duration| bound

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

bool GoUnderscoreOK(std::string_view s) {
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
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
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

bool GoParseUint(std::string_view s, int base, uint64_t* out, bool* range_err) {
  if (range_err) *range_err = false;
  if (s.empty()) return false;
  std::string_view s0 = s;
  bool base0 = base == 0;
  if (base == 0) {
    base = 10;
    if (s[0] == '0') {
      if (s.size() >= 3 && Lower(s[1]) == 'b') {
        base = 2;
        s.remove_prefix(2);
      } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
        base = 8;
        s.remove_prefix(2);
      } else if (s.size() >= 3 && Lower(s[1]) == 'x') {
        base = 16;
        s.remove_prefix(2);
      } else {
        base = 8;
        s.remove_prefix(1);
      }
    }
  }
  uint64_t cutoff = UINT64_MAX / static_cast<uint64_t>(base) + 1;
  bool underscores = false;
  uint64_t n = 0;
  for (char c : s) {
    int d;
    if (c == '_' && base0) {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (Lower(c) >= 'a' && Lower(c) <= 'z') {
      d = Lower(c) - 'a' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (n >= cutoff) {
      if (range_err) *range_err = true;
      return false;
    }
    n *= static_cast<uint64_t>(base);
    uint64_t n1 = n + static_cast<uint64_t>(d);
    if (n1 < n) {
      if (range_err) *range_err = true;
      return false;
    }
    n = n1;
  }
  if (underscores && !GoUnderscoreOK(s0)) return false;
  *out = n;
  return true;
}

bool GoParseInt(std::string_view s, int base, int64_t* out, bool* range_err) {
  *range_err = false;
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t un;
  if (!GoParseUint(s, base, &un, range_err)) return false;
  const uint64_t cutoff = uint64_t{1} << 63;
  if (!neg && un >= cutoff) {
    *range_err = true;
    return false;
  }
  if (neg && un > cutoff) {
    *range_err = true;
    return false;
  }
  *out = neg ? static_cast<int64_t>(0 - un) : static_cast<int64_t>(un);
  return true;
}

bool PromParseDuration(std::string_view orig, int64_t* ns, std::string* err) {
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

std::string HumanizeBytes(uint64_t n) {
  static const char* kSizes[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  char buf[64];
  if (n < 10) {
    snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(n));
    return buf;
  }
  double e = std::floor(std::log(static_cast<double>(n)) / std::log(1000.0));
  double val = std::floor(static_cast<double>(n) / std::pow(1000.0, e) * 10 + 0.5) / 10;
  snprintf(buf, sizeof(buf), val < 10 ? "%.1f %s" : "%.0f %s", val, kSizes[static_cast<int>(e)]);
  return buf;
}

}  // namespace lode
