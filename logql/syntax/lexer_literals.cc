// LogQL lexer: number and quoted-string literals, scanned as Go's
// text/scanner does (with its error texts) and unquoted as Prometheus's
// strutil.Unquote does.

#include <string>

#include "base/utf8.h"
#include "logql/syntax/lexer.h"

namespace lode::logql {

using lexer_detail::HexVal;
using lexer_detail::IsAsciiDigit;
using lexer_detail::kBadRune;
using lexer_detail::kEof;
using lexer_detail::LowerAscii;

namespace {

void AppendUtf8(std::string* out, uint32_t r) { AppendRune(r, out); }

// Prometheus strutil.Unquote of a double-quoted literal the scanner already
// accepted: resolves escapes; fails on octal > 255 and invalid code points.
bool UnquoteDouble(std::string_view lit, std::string* out) {
  std::string_view s = lit.substr(1, lit.size() - 2);
  out->clear();
  if (s.find('\\') == std::string_view::npos) {
    out->assign(s);
    return true;
  }
  out->reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c != '\\') {
      out->push_back(c);
      i++;
      continue;
    }
    if (i + 1 >= s.size()) return false;
    char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '"':
        out->push_back('"');
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n > s.size()) return false;
        uint32_t v = 0;
        for (size_t k = 0; k < n; k++) {
          int h = HexVal(s[i + k]);
          if (h >= 16) return false;
          v = v * 16 + static_cast<uint32_t>(h);
        }
        i += n;
        if (e == 'x') {
          out->push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
          AppendUtf8(out, v);
        }
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        uint32_t v = static_cast<uint32_t>(e - '0');
        for (int k = 0; k < 2; k++) {
          if (i >= s.size() || s[i] < '0' || s[i] > '7') return false;
          v = v * 8 + static_cast<uint32_t>(s[i] - '0');
          i++;
        }
        if (v > 255) return false;
        out->push_back(static_cast<char>(v));
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

std::string GoQuoteRune(char c) {
  std::string s = "'";
  s += c;
  s += "'";
  return s;
}

const char* LitName(char prefix) {
  switch (prefix) {
    case 'x':
      return "hexadecimal literal";
    case 'o':
    case '0':
      return "octal literal";
    case 'b':
      return "binary literal";
    default:
      return "decimal literal";
  }
}

// Go text/scanner invalidSep: index of the first misplaced '_', or -1.
int InvalidSep(std::string_view x) {
  char x1 = ' ';
  char d = '.';
  size_t i = 0;
  if (x.size() >= 2 && x[0] == '0') {
    x1 = LowerAscii(x[1]);
    if (x1 == 'x' || x1 == 'o' || x1 == 'b') {
      d = '0';
      i = 2;
    }
  }
  for (; i < x.size(); i++) {
    char p = d;
    d = x[i];
    if (d == '_') {
      if (p != '0') return static_cast<int>(i);
    } else if (IsAsciiDigit(d) || (x1 == 'x' && HexVal(d) < 16)) {
      d = '0';
    } else {
      if (p == '_') return static_cast<int>(i) - 1;
      d = '.';
    }
  }
  if (d == '_') return static_cast<int>(x.size()) - 1;
  return -1;
}

}  // namespace

bool Lexer::ScanNumber(Token* t, size_t start, int line, int col) {
  // Go text/scanner scanNumber, recording the first error it would report.
  std::string err;
  auto fail = [&err](std::string m) {
    if (err.empty()) err = std::move(m);
  };
  auto at = [this](size_t p) -> char { return p < src_.size() ? src_[p] : '\0'; };
  size_t p = start;
  bool seen_dot = at(p) == '.';
  if (seen_dot) p++;
  int base = 10;
  char prefix = 0;
  int digsep = 0;
  char invalid = 0;
  bool is_float = false;
  auto digits = [&](int b, bool track_invalid) {
    int ds = 0;
    if (b <= 10) {
      char max = static_cast<char>('0' + b);
      while (IsAsciiDigit(at(p)) || at(p) == '_') {
        if (at(p) == '_') {
          ds |= 2;
        } else {
          ds |= 1;
          if (track_invalid && at(p) >= max && invalid == 0) invalid = at(p);
        }
        p++;
      }
    } else {
      while (HexVal(at(p)) < 16 || at(p) == '_') {
        ds |= at(p) == '_' ? 2 : 1;
        p++;
      }
    }
    return ds;
  };
  if (!seen_dot) {
    if (at(p) == '0') {
      p++;
      char c = LowerAscii(at(p));
      if (c == 'x') {
        p++;
        base = 16;
        prefix = 'x';
      } else if (c == 'o') {
        p++;
        base = 8;
        prefix = 'o';
      } else if (c == 'b') {
        p++;
        base = 2;
        prefix = 'b';
      } else {
        base = 8;
        prefix = '0';
        digsep = 1;
      }
    }
    digsep |= digits(base, true);
    if (at(p) == '.') {
      p++;
      seen_dot = true;
    }
  }
  if (seen_dot) {
    is_float = true;
    if (prefix == 'o' || prefix == 'b')
      fail(std::string("invalid radix point in ") + LitName(prefix));
    digsep |= digits(base, true);
  }
  if ((digsep & 1) == 0) fail(std::string(LitName(prefix)) + " has no digits");
  char e = LowerAscii(at(p));
  if (e == 'e' || e == 'p') {
    if (e == 'e' && prefix != 0 && prefix != '0') {
      fail(GoQuoteRune(at(p)) + " exponent requires decimal mantissa");
    } else if (e == 'p' && prefix != 'x') {
      fail(GoQuoteRune(at(p)) + " exponent requires hexadecimal mantissa");
    }
    p++;
    is_float = true;
    if (at(p) == '+' || at(p) == '-') p++;
    int ds = digits(10, false);
    digsep |= ds;
    if ((ds & 1) == 0) fail("exponent has no digits");
  } else if (prefix == 'x' && is_float) {
    fail("hexadecimal mantissa requires a 'p' exponent");
  }
  if (!is_float && invalid != 0) {
    fail("invalid digit " + GoQuoteRune(invalid) + " in " + LitName(prefix));
  }
  std::string_view text = src_.substr(start, p - start);
  if ((digsep & 2) != 0 && InvalidSep(text) >= 0) fail("'_' must separate successive digits");
  AdvanceTo(p);
  if (!err.empty()) {
    EmitError(t, std::move(err), line, col);
    return false;
  }
  size_t end = 0;
  if (TryDuration(text, pos_, &t->duration_ns, &end)) {
    AdvanceTo(end);
    Emit(t, Tok::kDuration, start, 0, col);
    return true;
  }
  if (TryBytes(text, pos_, &t->bytes, &end)) {
    AdvanceTo(end);
    Emit(t, Tok::kBytes, start, 0, col);
    return true;
  }
  Emit(t, Tok::kNumber, start, line, col);
  return true;
}

bool Lexer::ScanQuoted(Token* t, size_t start, int line, int col) {
  char quote = src_[start];
  size_t p = start + 1;
  int count = 0;
  std::string err;
  auto fail = [&err](const char* m) {
    if (err.empty()) err = m;
  };
  for (;;) {
    int w;
    int32_t r = RuneAt(p, &w);
    if (r == kEof || (r == '\n' && quote != '`')) {
      fail("literal not terminated");
      break;
    }
    if (r == kBadRune) {
      fail("invalid UTF-8 encoding");
      p += 1;
      continue;
    }
    if (r == 0) fail("invalid character NUL");
    if (r == quote) {
      p += 1;
      break;
    }
    if (r == '\\' && quote != '`') {
      char e = p + 1 < src_.size() ? src_[p + 1] : '\0';
      p += 2;
      switch (e) {
        case 'a':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
        case 'v':
        case '\\':
          break;
        case 'x':
        case 'u':
        case 'U':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
          // Octal escapes have three digits including `e`; hex ones start after it.
          int base = (e >= '0' && e <= '7') ? 8 : 16;
          int n = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 2;
          while (n > 0 && p < src_.size() && HexVal(src_[p]) < base) {
            p++;
            n--;
          }
          if (n > 0) fail("invalid char escape");
          break;
        }
        default:
          if (e == quote) break;
          fail("invalid char escape");
          if (e == '\0' || e == '\n') p -= 1;
          break;
      }
      count++;
      continue;
    }
    p += static_cast<size_t>(w);
    count++;
  }
  AdvanceTo(p);
  if (quote == '\'' && err.empty() && count != 1) fail("invalid char literal");
  if (!err.empty()) {
    EmitError(t, std::move(err), line, col);
    return false;
  }
  if (quote == '\'') {
    // A Go char literal is not a LogQL string: Loki's lexer makes it an identifier.
    Emit(t, Tok::kIdentifier, start, line, col);
    return true;
  }
  Emit(t, Tok::kString, start, line, col);
  if (quote == '`') {
    t->str.assign(t->text.substr(1, t->text.size() - 2));
  } else if (!UnquoteDouble(t->text, &t->str)) {
    EmitError(t, "invalid syntax", line, col);
    return false;
  }
  return true;
}

}  // namespace lode::logql
