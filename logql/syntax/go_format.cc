// Go's number and duration formatting, as Loki's String()/Pretty() use it
// (declared in logql/syntax/prettier.h).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "logql/syntax/prettier.h"

namespace lode::logql {

namespace {

std::string NonFinite(double v) {
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "+Inf" : "-Inf";
}

// Fraction digits of v / 10^prec without trailing zeros (Go's fmtFrac).
std::string Frac(uint64_t* v, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    uint64_t digit = *v % 10;
    print = print || digit != 0;
    if (print) digits.insert(digits.begin(), static_cast<char>('0' + digit));
    *v /= 10;
  }
  return print ? "." + digits : "";
}

}  // namespace

std::string GoFormatFloatF(double v) {
  if (!std::isfinite(v)) return NonFinite(v);
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string GoFormatFloatV(double v) {
  if (!std::isfinite(v)) return NonFinite(v);
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  const size_t e = sci.find('e');
  const int exp = std::stoi(sci.substr(e + 1));
  // %v is %g with the shortest digits; the exponent form is used when the
  // exponent is < -4 or >= 6 (strconv's eprec for shortest formatting).
  if (exp < -4 || exp >= 6) return sci;
  return GoFormatFloatF(v);
}

std::string GoDurationString(int64_t ns) {
  if (ns == 0) return "0s";
  const bool neg = ns < 0;
  uint64_t u = neg ? -static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string out;
  if (u < 1000000000ULL) {
    const char* unit;
    int prec;
    if (u < 1000ULL) {
      prec = 0;
      unit = "ns";
    } else if (u < 1000000ULL) {
      prec = 3;
      unit = "\xC2\xB5s";
    } else {
      prec = 6;
      unit = "ms";
    }
    std::string frac = Frac(&u, prec);
    out = std::to_string(u) + frac + unit;
  } else {
    std::string frac = Frac(&u, 9);
    out = std::to_string(u % 60) + frac + "s";
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) out = std::to_string(u) + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

std::string PromDurationString(int64_t ns) {
  int64_t ms = ns / 1000000;
  if (ms == 0) return "0s";
  std::string r;
  if (ms < 0) {
    r = "-";
    ms = -ms;
  }
  auto unit = [&](const char* name, int64_t mult, bool exact) {
    if (exact && ms % mult != 0) return;
    if (int64_t v = ms / mult; v > 0) {
      r += std::to_string(v) + name;
      ms -= v * mult;
    }
  };
  const int64_t day = 1000LL * 60 * 60 * 24;
  unit("y", day * 365, true);
  unit("w", day * 7, true);
  unit("d", day, false);
  unit("h", 1000LL * 60 * 60, false);
  unit("m", 1000LL * 60, false);
  unit("s", 1000, false);
  unit("ms", 1, false);
  return r;
}

std::string HumanizeBytes(double bytes) {
  const uint64_t s = bytes <= 0 ? 0 : static_cast<uint64_t>(bytes);
  if (s < 10) return std::to_string(s) + "B";
  static const char* kSizes[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  const double e = std::floor(std::log(static_cast<double>(s)) / std::log(1000.0));
  const double val = std::floor(static_cast<double>(s) / std::pow(1000.0, e) * 10 + 0.5) / 10;
  char buf[64];
  std::snprintf(buf, sizeof(buf), val < 10 ? "%.1f%s" : "%.0f%s", val, kSizes[static_cast<int>(e)]);
  return buf;
}

}  // namespace lode::logql
