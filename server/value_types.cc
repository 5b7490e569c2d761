#include "server/value_types.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace lode::server {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string Lower(std::string_view v) {
  std::string s(v);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Decimal mantissa with optional fraction and exponent (Go's readFloat for
// base 10, without underscores), the whole string.
bool IsDecimalFloat(std::string_view v) {
  size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  bool digits = false;
  while (i < v.size() && IsDigit(v[i])) ++i, digits = true;
  if (i < v.size() && v[i] == '.') {
    ++i;
    while (i < v.size() && IsDigit(v[i])) ++i, digits = true;
  }
  if (!digits) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    bool exp = false;
    while (i < v.size() && IsDigit(v[i])) ++i, exp = true;
    if (!exp) return false;
  }
  return i == v.size();
}

// 0x mantissa with a mandatory p exponent (Go accepts hex floats).
bool IsHexFloat(std::string_view v) {
  size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  if (i + 1 >= v.size() || v[i] != '0' || (v[i + 1] != 'x' && v[i + 1] != 'X')) return false;
  i += 2;
  bool digits = false;
  while (i < v.size() && IsHex(v[i])) ++i, digits = true;
  if (i < v.size() && v[i] == '.') {
    ++i;
    while (i < v.size() && IsHex(v[i])) ++i, digits = true;
  }
  if (!digits || i >= v.size() || (v[i] != 'p' && v[i] != 'P')) return false;
  ++i;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  bool exp = false;
  while (i < v.size() && IsDigit(v[i])) ++i, exp = true;
  return exp && i == v.size();
}

}  // namespace

bool IsGoInt(std::string_view v) {
  size_t i = 0;
  bool neg = false;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) neg = v[i++] == '-';
  if (i == v.size()) return false;
  uint64_t n = 0;
  const uint64_t max = neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  for (; i < v.size(); ++i) {
    if (!IsDigit(v[i])) return false;
    uint64_t d = static_cast<uint64_t>(v[i] - '0');
    if (n > (max - d) / 10) return false;
    n = n * 10 + d;
  }
  return true;
}

bool IsGoFloat(std::string_view v) {
  if (IsDecimalFloat(v) || IsHexFloat(v)) {
    // Out-of-range values are a range error in Go.
    std::string s(v);
    double d = std::strtod(s.c_str(), nullptr);
    return std::isfinite(d);
  }
  std::string l = Lower(v);
  if (!l.empty() && (l[0] == '+' || l[0] == '-')) l.erase(0, 1);
  return l == "inf" || l == "infinity" || l == "nan";
}

bool IsGoBool(std::string_view v) {
  static const char* kAccepted[] = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"};
  for (const char* a : kAccepted)
    if (v == a) return true;
  return false;
}

bool IsGoDuration(std::string_view v) {
  size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  if (v.substr(i) == "0") return true;
  if (i == v.size()) return false;
  while (i < v.size()) {
    bool digits = false;
    while (i < v.size() && IsDigit(v[i])) ++i, digits = true;
    if (i < v.size() && v[i] == '.') {
      ++i;
      while (i < v.size() && IsDigit(v[i])) ++i, digits = true;
    }
    if (!digits) return false;
    size_t u = i;
    while (u < v.size() && !IsDigit(v[u]) && v[u] != '.') ++u;
    std::string_view unit = v.substr(i, u - i);
    if (unit != "ns" && unit != "us" && unit != "\xc2\xb5s" && unit != "\xce\xbcs" && unit != "ms" && unit != "s" &&
        unit != "m" && unit != "h") {
      return false;
    }
    i = u;
  }
  return true;
}

bool IsUuid(std::string_view v) {
  if (v.size() == 45) {
    if (Lower(v.substr(0, 9)) != "urn:uuid:") return false;
    v.remove_prefix(9);
  } else if (v.size() == 38) {
    if (v.front() != '{' || v.back() != '}') return false;
    v = v.substr(1, 36);
  } else if (v.size() == 32) {
    for (char c : v)
      if (!IsHex(c)) return false;
    return true;
  }
  if (v.size() != 36) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? v[i] != '-' : !IsHex(v[i])) return false;
  }
  return true;
}

bool HumanizeParseBytes(std::string_view v, uint64_t* out) {
  size_t n = 0;
  bool comma = false;
  while (n < v.size() && (IsDigit(v[n]) || v[n] == '.' || v[n] == ',')) comma |= v[n++] == ',';
  std::string num(v.substr(0, n));
  if (comma) {
    std::string s;
    for (char c : num)
      if (c != ',') s.push_back(c);
    num = s;
  }
  if (!IsGoFloat(num)) return false;
  double f = std::strtod(num.c_str(), nullptr);
  std::string_view rest = v.substr(n);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back()))) rest.remove_suffix(1);
  std::string unit = Lower(rest);
  static const struct {
    const char* name;
    double mult;
  } kUnits[] = {{"", 1},          {"b", 1},           {"kib", 1024.0},    {"kb", 1e3},     {"ki", 1024.0},
                {"k", 1e3},       {"mib", 1048576.0}, {"mb", 1e6},        {"mi", 1048576.0}, {"m", 1e6},
                {"gib", 1073741824.0}, {"gb", 1e9},   {"gi", 1073741824.0}, {"g", 1e9},
                {"tib", 1099511627776.0}, {"tb", 1e12}, {"ti", 1099511627776.0}, {"t", 1e12},
                {"pib", 1125899906842624.0}, {"pb", 1e15}, {"pi", 1125899906842624.0}, {"p", 1e15},
                {"eib", 1152921504606846976.0}, {"eb", 1e18}, {"ei", 1152921504606846976.0}, {"e", 1e18}};
  for (const auto& u : kUnits) {
    if (unit != u.name) continue;
    f *= u.mult;
    if (!(f < 18446744073709551615.0)) return false;
    *out = static_cast<uint64_t>(f);
    return true;
  }
  return false;
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

const char* DetectFieldType(std::string_view v) {
  if (IsGoInt(v)) return "int";
  if (IsGoFloat(v)) return "float";
  if (IsGoBool(v)) return "boolean";
  if (IsGoDuration(v)) return "duration";
  uint64_t b;
  if (HumanizeParseBytes(v, &b)) return "bytes";
  return "string";
}

}  // namespace lode::server
