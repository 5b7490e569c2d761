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

#include "base/utf8.h"
#include "logql/template/internal.h"

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
    case 'a':
      *value = '\a';
      return true;
    case 'b':
      *value = '\b';
      return true;
    case 'f':
      *value = '\f';
      return true;
    case 'n':
      *value = '\n';
      return true;
    case 'r':
      *value = '\r';
      return true;
    case 't':
      *value = '\t';
      return true;
    case 'v':
      *value = '\v';
      return true;
    case 'x':
    case 'u':
    case 'U': {
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
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
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
    case '\\':
      *value = '\\';
      return true;
    case '\'':
    case '"':
      if (e != quote) return false;
      *value = e;
      return true;
    default:
      return false;
  }
}

}  // namespace

int DecodeRune(std::string_view s, size_t i, int32_t* r) {
  size_t width = 1;
  *r = static_cast<int32_t>(lode::DecodeRune(s, i, &width));
  return static_cast<int>(width);
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
  lode::AppendRune(ValidRune(r) ? static_cast<uint32_t>(r) : kRuneError, out);
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
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
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

bool ParseGoFloat(std::string_view s, double* out, bool* range_err) {
  std::string err;
  if (GoParseFloat(s, out, &err)) {
    *range_err = false;
    return true;
  }
  *range_err = err.ends_with("value out of range");
  return false;
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
