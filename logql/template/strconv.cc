// Go's strconv formatting as the template engine prints values: float
// formatting (FormatFloat with the 'e' 'f' 'g' 'b' 'x' formats, shortest or
// with a precision) and Go-syntax quoting. Decimal digits come from
// std::to_chars, which is correctly rounded like strconv.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "logql/template/internal.h"

namespace lode::logql::tmpl {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";
constexpr char kUpperHex[] = "0123456789ABCDEF";

// Decimal digits d[0..nd) with the decimal point before d[dp].
struct Digits {
  char d[800];
  int nd = 0;
  int dp = 0;
};

// Fills digits from to_chars scientific output ("1.2345e+06"), trimming
// trailing zeros (strconv's decimal type does the same).
void FromScientific(const char* s, const char* end, Digits* out) {
  out->nd = 0;
  const char* p = s;
  for (; p < end && *p != 'e'; p++) {
    if (*p >= '0' && *p <= '9') out->d[out->nd++] = *p;
  }
  int exp = 0;
  if (p < end) {
    bool neg = p[1] == '-';
    for (p += 2; p < end; p++) exp = exp * 10 + (*p - '0');
    if (neg) exp = -exp;
  }
  while (out->nd > 0 && out->d[out->nd - 1] == '0') out->nd--;
  out->dp = out->nd == 0 ? 0 : exp + 1;
}

// |f| to `sig` significant digits; sig < 0 means shortest.
void DecimalDigits(double f, int sig, Digits* out) {
  // A double has at most 767 significant decimal digits: beyond that the
  // digits are zeros, which the formatters pad.
  if (sig > 780) sig = 780;
  char buf[800];
  std::to_chars_result r;
  if (sig < 0) {
    r = std::to_chars(buf, buf + sizeof(buf), std::fabs(f), std::chars_format::scientific);
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), std::fabs(f), std::chars_format::scientific, sig - 1);
  }
  FromScientific(buf, r.ptr, out);
}

void FmtE(std::string* out, bool neg, const Digits& d, int prec, char fmt) {
  if (neg) out->push_back('-');
  out->push_back(d.nd == 0 ? '0' : d.d[0]);
  if (prec > 0) {
    out->push_back('.');
    int i = 1;
    int m = std::min(d.nd, prec + 1);
    if (i < m) {
      out->append(d.d + i, m - i);
      i = m;
    }
    for (; i <= prec; i++) out->push_back('0');
  }
  out->push_back(fmt);
  int exp = d.nd == 0 ? 0 : d.dp - 1;
  out->push_back(exp < 0 ? '-' : '+');
  if (exp < 0) exp = -exp;
  if (exp < 10) {
    out->push_back('0');
    out->push_back(static_cast<char>('0' + exp));
  } else if (exp < 100) {
    out->push_back(static_cast<char>('0' + exp / 10));
    out->push_back(static_cast<char>('0' + exp % 10));
  } else {
    out->push_back(static_cast<char>('0' + exp / 100));
    out->push_back(static_cast<char>('0' + exp / 10 % 10));
    out->push_back(static_cast<char>('0' + exp % 10));
  }
}

void FmtF(std::string* out, bool neg, const Digits& d, int prec) {
  if (neg) out->push_back('-');
  if (d.dp > 0) {
    int m = std::min(d.nd, d.dp);
    out->append(d.d, m);
    for (; m < d.dp; m++) out->push_back('0');
  } else {
    out->push_back('0');
  }
  if (prec > 0) {
    out->push_back('.');
    for (int i = 1; i <= prec; i++) {
      int j = d.dp + i - 1;
      out->push_back(j >= 0 && j < d.nd ? d.d[j] : '0');
    }
  }
}

void FmtB(std::string* out, bool neg, uint64_t mant, int exp) {
  if (neg) out->push_back('-');
  out->append(std::to_string(mant));
  out->push_back('p');
  if (exp >= 0) out->push_back('+');
  out->append(std::to_string(exp));
}

void FmtX(std::string* out, int prec, char fmt, bool neg, uint64_t mant, int exp) {
  if (mant == 0) exp = 0;
  mant <<= 60 - 52;
  while (mant != 0 && (mant & (uint64_t{1} << 60)) == 0) {
    mant <<= 1;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    unsigned shift = static_cast<unsigned>(prec * 4);
    uint64_t extra = (mant << shift) & ((uint64_t{1} << 60) - 1);
    mant >>= 60 - shift;
    if ((extra | (mant & 1)) > (uint64_t{1} << 59)) mant++;
    mant <<= 60 - shift;
    if (mant & (uint64_t{1} << 61)) {
      mant >>= 1;
      exp++;
    }
  }
  const char* hex = fmt == 'X' ? kUpperHex : kLowerHex;
  if (neg) out->push_back('-');
  out->push_back('0');
  out->push_back(fmt);
  out->push_back(static_cast<char>('0' + ((mant >> 60) & 1)));
  mant <<= 4;
  if (prec < 0 && mant != 0) {
    out->push_back('.');
    while (mant != 0) {
      out->push_back(hex[(mant >> 60) & 15]);
      mant <<= 4;
    }
  } else if (prec > 0) {
    out->push_back('.');
    for (int i = 0; i < prec; i++) {
      out->push_back(hex[(mant >> 60) & 15]);
      mant <<= 4;
    }
  }
  out->push_back(fmt == 'X' ? 'P' : 'p');
  out->push_back(exp < 0 ? '-' : '+');
  if (exp < 0) exp = -exp;
  std::string e = std::to_string(exp);
  if (e.size() < 2) e.insert(0, "0");
  out->append(e);
}

void AppendEscapedRune(std::string* out, int32_t r, char quote, bool ascii_only) {
  if (r == quote || r == '\\') {
    out->push_back('\\');
    AppendRune(out, r);
    return;
  }
  if (ascii_only) {
    if (r < 0x80 && IsPrintRune(r)) {
      out->push_back(static_cast<char>(r));
      return;
    }
  } else if (IsPrintRune(r)) {
    AppendRune(out, r);
    return;
  }
  switch (r) {
    case '\a':
      out->append("\\a");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\v':
      out->append("\\v");
      return;
    default:
      break;
  }
  if (r < ' ' || r == 0x7f) {
    out->append("\\x");
    out->push_back(kLowerHex[(r >> 4) & 0xF]);
    out->push_back(kLowerHex[r & 0xF]);
    return;
  }
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x10000) {
    out->append("\\u");
    for (int s = 12; s >= 0; s -= 4) out->push_back(kLowerHex[(r >> s) & 0xF]);
  } else {
    out->append("\\U");
    for (int s = 28; s >= 0; s -= 4) out->push_back(kLowerHex[(r >> s) & 0xF]);
  }
}

}  // namespace

void AppendFloat(std::string* out, double f, char fmt, int prec) {
  if (std::isnan(f)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(f)) {
    out->append(f > 0 ? "+Inf" : "-Inf");
    return;
  }
  bool neg = std::signbit(f);
  if (fmt == 'b' || fmt == 'x' || fmt == 'X') {
    uint64_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    int exp = static_cast<int>((bits >> 52) & 0x7FF);
    uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
    if (exp == 0) {
      exp++;
    } else {
      mant |= uint64_t{1} << 52;
    }
    exp += -1023;
    if (fmt == 'b') {
      FmtB(out, neg, mant, exp - 52);
    } else {
      FmtX(out, prec, fmt, neg, mant, exp);
    }
    return;
  }
  Digits d;
  if (fmt == 'f' && prec >= 0) {
    char buf[2000];
    auto r = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::fixed, prec);
    if (r.ec == std::errc()) {
      out->append(buf, r.ptr);
      return;
    }
    // Precision beyond the exact expansion: all digits are exact.
    DecimalDigits(f, 780, &d);
    FmtF(out, neg, d, prec);
    return;
  }
  bool shortest = prec < 0;
  switch (fmt) {
    case 'e':
    case 'E':
      DecimalDigits(f, shortest ? -1 : prec + 1, &d);
      if (shortest) prec = std::max(d.nd - 1, 0);
      FmtE(out, neg, d, prec, fmt);
      return;
    case 'f':
      DecimalDigits(f, -1, &d);
      FmtF(out, neg, d, std::max(d.nd - d.dp, 0));
      return;
    case 'g':
    case 'G': {
      if (!shortest && prec == 0) prec = 1;
      DecimalDigits(f, shortest ? -1 : prec, &d);
      if (shortest) prec = d.nd;
      int eprec = prec;
      if (eprec > d.nd && d.nd >= d.dp) eprec = d.nd;
      if (shortest) eprec = 6;
      int exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > d.nd) prec = d.nd;
        FmtE(out, neg, d, prec - 1, fmt == 'g' ? 'e' : 'E');
        return;
      }
      if (prec > d.dp) prec = d.nd;
      FmtF(out, neg, d, std::max(prec - d.dp, 0));
      return;
    }
    default:
      out->push_back('%');
      out->push_back(fmt);
      return;
  }
}

void AppendQuote(std::string* out, std::string_view s, bool ascii_only) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    int32_t r;
    int w = DecodeRune(s, i, &r);
    if (w == 1 && r == 0xFFFD) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      out->append("\\x");
      out->push_back(kLowerHex[c >> 4]);
      out->push_back(kLowerHex[c & 0xF]);
    } else {
      AppendEscapedRune(out, r, '"', ascii_only);
    }
    i += w;
  }
  out->push_back('"');
}

void AppendQuoteRune(std::string* out, int32_t r, bool ascii_only) {
  if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  out->push_back('\'');
  AppendEscapedRune(out, r, '\'', ascii_only);
  out->push_back('\'');
}

bool CanBackquote(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int32_t r;
    int w = DecodeRune(s, i, &r);
    i += w;
    if (w > 1) {
      if (r == 0xFEFF) return false;
      continue;
    }
    if (r == 0xFFFD) return false;
    if ((r < ' ' && r != '\t') || r == '`' || r == 0x7F) return false;
  }
  return true;
}

std::string FormatRuneU(int32_t r) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "U+%04X", static_cast<unsigned>(r));
  std::string s = buf;
  if (r >= 0 && r <= 0x10FFFF && IsPrintRune(r)) {
    s += " '";
    AppendRune(&s, r);
    s += "'";
  }
  return s;
}

std::string_view TypeName(const Value& v) {
  switch (v.kind) {
    case Kind::kInvalid:
    case Kind::kNil:
      return "<nil>";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return v.itype == IntType::kInt ? "int" : v.itype == IntType::kInt64 ? "int64" : "uint8";
    case Kind::kFloat:
      return "float64";
    case Kind::kString:
      return "string";
    case Kind::kTime:
      return "time.Time";
    case Kind::kList:
      return "[]interface {}";
    case Kind::kMap:
      return "map[string]interface {}";
    case Kind::kLabels:
      return "map[string]string";
  }
  return "<nil>";
}

bool Truth(const Value& v) {
  switch (v.kind) {
    case Kind::kInvalid:
    case Kind::kNil:
      return false;
    case Kind::kBool:
      return v.b;
    case Kind::kInt:
      return v.i != 0;
    case Kind::kFloat:
      return v.f != 0;
    case Kind::kString:
      return !v.s.empty();
    case Kind::kTime:
      return true;
    case Kind::kList:
      return !v.list()->items.empty();
    case Kind::kMap:
      return !v.map()->items.empty();
    case Kind::kLabels:
      return v.i > 0;
  }
  return false;
}

}  // namespace lode::logql::tmpl
