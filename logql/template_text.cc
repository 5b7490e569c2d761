// UTF-8, Unicode classes and Go's strconv parsing rules, as the template
// engine needs them. Unicode case mapping and classes come from the C
// library's C.UTF-8 locale (with ASCII fast paths); without that locale only
// ASCII is mapped.

#include <locale.h>
#include <wctype.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "logql/template_internal.h"
#include "logql/utf8.h"

namespace lode::logql::tmpl {
namespace {

locale_t Utf8Locale() {
  static const locale_t loc = [] {
    for (const char* name : {"C.UTF-8", "C.utf8", "en_US.UTF-8"}) {
      locale_t l = newlocale(LC_CTYPE_MASK, name, static_cast<locale_t>(0));
      if (l != static_cast<locale_t>(0)) return l;
    }
    return static_cast<locale_t>(0);
  }();
  return loc;
}

char Lower(char c) { return static_cast<char>(c | ('x' - 'X')); }

bool UnderscoreOK(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
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

int Unhex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ValidRune(int64_t r) { return (r >= 0 && r < 0xD800) || (r > 0xDFFF && r <= 0x10FFFF); }

// strconv.UnquoteChar. Sets *multibyte when the value must be UTF-8 encoded.
bool UnquoteOne(std::string_view* s, char quote, int32_t* value, bool* multibyte) {
  *multibyte = false;
  if (s->empty()) return false;
  unsigned char c = static_cast<unsigned char>((*s)[0]);
  if (c == static_cast<unsigned char>(quote) && (quote == '\'' || quote == '"')) return false;
  if (c >= 0x80) {
    int w = DecodeRune(*s, 0, value);
    s->remove_prefix(w);
    *multibyte = true;
    return true;
  }
  if (c != '\\') {
    *value = c;
    s->remove_prefix(1);
    return true;
  }
  if (s->size() <= 1) return false;
  char e = (*s)[1];
  s->remove_prefix(2);
  switch (e) {
    case 'a': *value = '\a'; return true;
    case 'b': *value = '\b'; return true;
    case 'f': *value = '\f'; return true;
    case 'n': *value = '\n'; return true;
    case 'r': *value = '\r'; return true;
    case 't': *value = '\t'; return true;
    case 'v': *value = '\v'; return true;
    case 'x': case 'u': case 'U': {
      size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (s->size() < n) return false;
      int64_t v = 0;
      for (size_t j = 0; j < n; j++) {
        int x = Unhex((*s)[j]);
        if (x < 0) return false;
        v = (v << 4) | x;
      }
      s->remove_prefix(n);
      if (e != 'x') {
        if (!ValidRune(v)) return false;
        *multibyte = true;
      }
      *value = static_cast<int32_t>(v);
      return true;
    }
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      int v = e - '0';
      if (s->size() < 2) return false;
      for (int j = 0; j < 2; j++) {
        int x = (*s)[j] - '0';
        if (x < 0 || x > 7) return false;
        v = (v << 3) | x;
      }
      s->remove_prefix(2);
      if (v > 255) return false;
      *value = v;
      return true;
    }
    case '\\': *value = '\\'; return true;
    case '\'': case '"':
      if (e != quote) return false;
      *value = e;
      return true;
    default:
      return false;
  }
}

}  // namespace

int DecodeRune(std::string_view s, size_t i, int32_t* r) {
  if (i >= s.size()) {
    *r = 0xFFFD;
    return 0;
  }
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  if (c < 0x80) {
    *r = c;
    return 1;
  }
  size_t left = s.size() - i;
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < left && b(k) >= lo && b(k) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    *r = ((c & 0x1F) << 6) | (b(1) & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    if (cont(1, lo, hi) && cont(2)) {
      *r = ((c & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
      return 3;
    }
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    if (cont(1, lo, hi) && cont(2) && cont(3)) {
      *r = ((c & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
      return 4;
    }
  }
  *r = 0xFFFD;
  return 1;
}

int DecodeLastRune(std::string_view s, int32_t* r) {
  if (s.empty()) {
    *r = 0xFFFD;
    return 0;
  }
  size_t start = s.size() - 1;
  size_t lim = s.size() >= 4 ? s.size() - 4 : 0;
  while (start > lim && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) start--;
  int w = DecodeRune(s, start, r);
  if (start + w != s.size()) {
    *r = 0xFFFD;
    return 1;
  }
  return w;
}

void AppendRune(std::string* out, int32_t r) {
  lode::logql::AppendRune(ValidRune(r) ? static_cast<uint32_t>(r) : kRuneError, out);
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    int32_t r;
    i += DecodeRune(s, i, &r);
    n++;
  }
  return n;
}

int32_t ToUpperRune(int32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
  locale_t l = Utf8Locale();
  return l ? static_cast<int32_t>(towupper_l(static_cast<wint_t>(r), l)) : r;
}

int32_t ToLowerRune(int32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
  locale_t l = Utf8Locale();
  return l ? static_cast<int32_t>(towlower_l(static_cast<wint_t>(r), l)) : r;
}

int32_t ToTitleRune(int32_t r) {
  // The Latin digraphs are the only runes whose title case is not upper case.
  if (r >= 0x1C4 && r <= 0x1CC) return 0x1C5 + (r - 0x1C4) / 3 * 3;
  if (r >= 0x1F1 && r <= 0x1F3) return 0x1F2;
  return ToUpperRune(r);
}

bool IsSpaceRune(int32_t r) {
  switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

bool IsLetterRune(int32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  locale_t l = Utf8Locale();
  return l && iswalpha_l(static_cast<wint_t>(r), l);
}

bool IsDigitRune(int32_t r) {
  if (r < 0x80) return r >= '0' && r <= '9';
  locale_t l = Utf8Locale();
  return l && iswdigit_l(static_cast<wint_t>(r), l);
}

bool IsPrintRune(int32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r == 0xFFFD) return true;
  if (IsSpaceRune(r) || r == 0xAD) return false;
  locale_t l = Utf8Locale();
  return l && iswprint_l(static_cast<wint_t>(r), l);
}

void AppendMapped(std::string* out, std::string_view s, int32_t (*fn)(int32_t)) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(fn(c)));
      i++;
      continue;
    }
    int32_t r;
    i += DecodeRune(s, i, &r);
    AppendRune(out, fn(r));
  }
}

bool ParseGoUint(std::string_view s, int base, uint64_t* out) {
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
    if (n >= cutoff) return false;
    n *= static_cast<uint64_t>(base);
    uint64_t n1 = n + static_cast<uint64_t>(d);
    if (n1 < n) return false;
    n = n1;
  }
  if (underscores && !UnderscoreOK(s0)) return false;
  *out = n;
  return true;
}

bool ParseGoInt(std::string_view s, int base, int64_t* out, bool* range_err) {
  *range_err = false;
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t un;
  if (!ParseGoUint(s, base, &un)) return false;
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

bool ParseGoFloat(std::string_view s, double* out, bool* range_err) {
  *range_err = false;
  if (s.empty()) return false;
  // Special values: [+-]inf, [+-]infinity, nan (case-insensitive).
  {
    std::string_view t = s;
    double sign = 1;
    bool signed_ = false;
    if (t[0] == '+' || t[0] == '-') {
      sign = t[0] == '-' ? -1 : 1;
      signed_ = true;
      t.remove_prefix(1);
    }
    std::string low;
    for (char c : t) low.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    if (low == "inf" || low == "infinity") {
      *out = sign * HUGE_VAL;
      return true;
    }
    if (low == "nan" && !signed_) {
      *out = NAN;
      return true;
    }
  }
  // Syntax check as Go's readFloat, then let strtod do the conversion.
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') i++;
  bool hex = false;
  if (i + 2 < s.size() && s[i] == '0' && Lower(s[i + 1]) == 'x') {
    hex = true;
    i += 2;
  }
  bool digits = false, dot = false, exp = false, underscores = false;
  std::string clean(s.substr(0, i));
  for (; i < s.size(); i++) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c == '.') {
      if (dot) return false;
      dot = true;
    } else if ((c >= '0' && c <= '9') || (hex && Unhex(c) >= 0)) {
      digits = true;
    } else {
      break;
    }
    clean.push_back(c);
  }
  if (!digits) return false;
  if (i < s.size() && Lower(s[i]) == (hex ? 'p' : 'e')) {
    clean.push_back(s[i]);
    i++;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) clean.push_back(s[i++]);
    bool edigits = false;
    for (; i < s.size(); i++) {
      if (s[i] == '_') {
        underscores = true;
        continue;
      }
      if (s[i] < '0' || s[i] > '9') break;
      edigits = true;
      clean.push_back(s[i]);
    }
    if (!edigits) return false;
    exp = true;
  }
  if (i != s.size()) return false;
  if (hex && !exp) return false;
  if (underscores && !UnderscoreOK(s)) return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return false;
  if (std::isinf(v)) {
    *range_err = true;
    return false;
  }
  *out = v;
  return true;
}

bool GoUnquote(std::string_view s, std::string* out) {
  out->clear();
  if (s.size() < 2) return false;
  char quote = s[0];
  if (s.back() != quote) return false;
  std::string_view in = s.substr(1, s.size() - 2);
  if (quote == '`') {
    if (in.find('`') != std::string_view::npos) return false;
    for (char c : in) {
      if (c != '\r') out->push_back(c);
    }
    return true;
  }
  if (quote != '"' && quote != '\'') return false;
  while (!in.empty()) {
    if (in[0] == '\n') return false;
    int32_t r;
    bool multibyte;
    if (!UnquoteOne(&in, quote, &r, &multibyte)) return false;
    if (r < 0x80 || !multibyte) {
      out->push_back(static_cast<char>(r));
    } else {
      AppendRune(out, r);
    }
    if (quote == '\'' && !in.empty()) return false;
  }
  if (quote == '\'' && out->empty()) return false;
  return true;
}

bool GoUnquoteChar(std::string_view s, int32_t* r, bool* malformed) {
  *malformed = false;
  if (s.size() < 2 || s[0] != '\'') return false;
  std::string_view in = s.substr(1);
  bool multibyte;
  if (!UnquoteOne(&in, '\'', r, &multibyte)) return false;
  *malformed = in != "'";
  return !*malformed;
}

}  // namespace lode::logql::tmpl
