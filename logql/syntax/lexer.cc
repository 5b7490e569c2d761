// LogQL lexer: the scanning loop, identifiers, keywords, operators, ranges
// and comments (literals are in lexer_literals.cc).

#include "logql/syntax/lexer.h"

#include <string>

#include "base/go_parse.h"
#include "logql/syntax/parser.h"

namespace lode::logql {

using lexer_detail::IsAsciiDigit;
using lexer_detail::kBadRune;
using lexer_detail::kEof;
using lexer_detail::LowerAscii;

namespace {

// Approximates Go's unicode.IsLetter: ASCII letters, and non-ASCII code
// points outside the common punctuation, symbol and space blocks.
bool IsLetterRune(int32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  if (r < 0xC0) return r == 0xAA || r == 0xB5 || r == 0xBA;
  if (r == 0xD7 || r == 0xF7) return false;
  if (r >= 0x2000 && r <= 0x2BFF) return false;
  if (r >= 0x3000 && r <= 0x303F) return false;
  if (r >= 0xFE00 && r <= 0xFE6F) return false;
  if (r >= 0xFF00 && r <= 0xFF20) return false;
  if (r >= 0x1F000) return false;
  return true;
}

bool IsIdentRune(int32_t r, bool first) {
  return r == '_' || IsLetterRune(r) || (!first && IsAsciiDigit(r));
}

bool IsDurationRune(int32_t r) {
  switch (r) {
    case 'n':
    case 'u':
    case 0xB5:
    case 'm':
    case 's':
    case 'h':
    case 'd':
    case 'w':
    case 'y':
      return true;
    default:
      return false;
  }
}

bool IsBytesRune(int32_t r) {
  switch (r) {
    case 'B':
    case 'i':
    case 'k':
    case 'K':
    case 'M':
    case 'G':
    case 'T':
    case 'P':
      return true;
    default:
      return false;
  }
}

}  // namespace

Lexer::Lexer(std::string_view src) : src_(src) {
  // Go's scanner reports the end of an empty input at line 0, column 0.
  if (src.empty()) line_ = col_ = 0;
}

int32_t Lexer::RuneAt(size_t off, int* width) const {
  *width = 0;
  if (off >= src_.size()) return kEof;
  auto b = static_cast<unsigned char>(src_[off]);
  *width = 1;
  if (b < 0x80) return b;
  int n = 0;
  int32_t r = 0;
  if ((b & 0xE0) == 0xC0) {
    n = 2;
    r = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    r = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    r = b & 0x07;
  } else {
    return kBadRune;
  }
  if (off + static_cast<size_t>(n) > src_.size()) return kBadRune;
  for (int i = 1; i < n; i++) {
    auto c = static_cast<unsigned char>(src_[off + static_cast<size_t>(i)]);
    if ((c & 0xC0) != 0x80) return kBadRune;
    r = (r << 6) | (c & 0x3F);
  }
  static const int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (r < kMin[n] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return kBadRune;
  *width = n;
  return r;
}

void Lexer::Advance() {
  int w;
  int32_t r = RuneAt(pos_, &w);
  if (r == kEof) return;
  pos_ += static_cast<size_t>(w);
  if (r == '\n') {
    line_++;
    col_ = 1;
  } else {
    col_++;
  }
}

void Lexer::AdvanceTo(size_t end) {
  while (pos_ < end) Advance();
}

void Lexer::Emit(Token* t, Tok kind, size_t start, int line, int col) {
  t->kind = kind;
  t->line = line;
  t->col = col;
  t->offset = start;
  t->length = pos_ - start;
  t->text = src_.substr(start, pos_ - start);
}

void Lexer::EmitError(Token* t, std::string msg, int line, int col) {
  t->kind = Tok::kError;
  t->line = line;
  t->col = col;
  t->offset = pos_;
  t->length = 0;
  t->text = {};
  t->str = std::move(msg);
  done_ = true;
  last_ = *t;
}

bool Lexer::IsFunctionCall(size_t p) const {
  auto skip_space = [this](size_t q) {
    while (q < src_.size()) {
      char c = src_[q];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        q++;
      } else if (c == '\xC2' && q + 1 < src_.size() &&
                 (src_[q + 1] == '\x85' || src_[q + 1] == '\xA0')) {
        q += 2;
      } else {
        break;
      }
    }
    return q;
  };
  auto starts_with_fold = [this](size_t q, std::string_view word) {
    if (q + word.size() > src_.size()) return false;
    for (size_t i = 0; i < word.size(); i++) {
      if (LowerAscii(src_[q + i]) != word[i]) return false;
    }
    return true;
  };
  p = skip_space(p);
  if (p < src_.size() && src_[p] == '(') return true;
  for (std::string_view word : {std::string_view("by"), std::string_view("without")}) {
    if (starts_with_fold(p, word)) {
      size_t q = skip_space(p + word.size());
      return q < src_.size() && src_[q] == '(';
    }
  }
  return false;
}

bool Lexer::TryDuration(std::string_view prefix, size_t from, int64_t* ns, size_t* end) const {
  size_t p = from;
  for (;;) {
    int w;
    int32_t r = RuneAt(p, &w);
    if (r < 0 || !(IsAsciiDigit(r) || IsDurationRune(r) || r == '.')) break;
    p += static_cast<size_t>(w);
  }
  if (p == from) return false;
  std::string s(prefix);
  s.append(src_.substr(from, p - from));
  if (!ParseDuration(s, ns).ok()) return false;
  *end = p;
  return true;
}

bool Lexer::TryBytes(std::string_view prefix, size_t from, uint64_t* bytes, size_t* end) const {
  size_t p = from;
  while (p < src_.size() && (IsAsciiDigit(src_[p]) || IsBytesRune(src_[p]) || src_[p] == '.')) p++;
  if (p == from) return false;
  std::string s(prefix);
  s.append(src_.substr(from, p - from));
  double b = 0;
  if (!ParseBytes(s, &b).ok()) return false;
  *bytes = static_cast<uint64_t>(b);
  *end = p;
  return true;
}

void Lexer::ScanIdentifierToken(Token* t, size_t start, int line, int col) {
  bool first = true;
  for (;;) {
    int w;
    int32_t r = RuneAt(pos_, &w);
    if (r < 0 || !IsIdentRune(r, first)) break;
    first = false;
    Advance();
  }
  std::string_view text = src_.substr(start, pos_ - start);
  char lower[24];
  Tok kind = Tok::kIdentifier;
  if (text.size() < sizeof(lower)) {
    for (size_t i = 0; i < text.size(); i++) lower[i] = LowerAscii(text[i]);
    bool needs_call = false;
    kind = LookupKeyword(std::string_view(lower, text.size()), &needs_call);
    if (needs_call && !IsFunctionCall(pos_)) kind = Tok::kIdentifier;
  }
  Emit(t, kind, start, line, col);
}

bool Lexer::ScanRange(Token* t, size_t start, int /*line*/, int col) {
  size_t close = src_.find(']', start + 1);
  if (close == std::string_view::npos) {
    AdvanceTo(src_.size());
    EmitError(t, "missing closing ']' in duration", 0, col);
    return false;
  }
  std::string_view body = src_.substr(start + 1, close - start - 1);
  AdvanceTo(close + 1);
  std::string err;
  int64_t ns = 0;
  if (!PromParseDuration(body, &ns, &err)) {
    EmitError(t, std::move(err), 0, col);
    return false;
  }
  Emit(t, Tok::kRange, start, 0, col);
  t->duration_ns = ns;
  return true;
}

void Lexer::Next(Token* t) {
  if (done_) {
    *t = last_;
    return;
  }
  t->str.clear();
  t->duration_ns = 0;
  t->bytes = 0;
  for (;;) {
    while (pos_ < src_.size() &&
           (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\n' || src_[pos_] == '\r')) {
      Advance();
    }
    size_t start = pos_;
    int line = line_, col = col_;
    int w;
    int32_t r = RuneAt(pos_, &w);
    if (r == kEof) {
      Emit(t, Tok::kEnd, start, line, col);
      done_ = true;
      last_ = *t;
      return;
    }
    if (r == kBadRune) {
      EmitError(t, "invalid UTF-8 encoding", line, col);
      return;
    }
    if (r == 0) {
      EmitError(t, "invalid character NUL", line, col);
      return;
    }
    if (IsIdentRune(r, true)) {
      ScanIdentifierToken(t, start, line, col);
      return;
    }
    char next = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
    if (IsAsciiDigit(r) || (r == '.' && IsAsciiDigit(next))) {
      ScanNumber(t, start, line, col);
      return;
    }
    switch (r) {
      case '"':
      case '`':
      case '\'':
        ScanQuoted(t, start, line, col);
        return;
      case '[':
        ScanRange(t, start, line, col);
        return;
      case '#':
        while (pos_ < src_.size() && src_[pos_] != '\n') Advance();
        if (pos_ < src_.size()) Advance();
        continue;
      case '/':
        if (next == '/') {
          while (pos_ < src_.size() && src_[pos_] != '\n') Advance();
          continue;
        }
        if (next == '*') {
          size_t close = src_.find("*/", pos_ + 2);
          if (close == std::string_view::npos) {
            AdvanceTo(src_.size());
            EmitError(t, "comment not terminated", line, col);
            return;
          }
          AdvanceTo(close + 2);
          continue;
        }
        break;
      case '-':
        if (next == '-') {
          size_t p = pos_ + 1;
          for (;;) {
            int fw;
            int32_t fr = RuneAt(p, &fw);
            if (fr < 0 || !(IsLetterRune(fr) || fr == '-')) break;
            p += static_cast<size_t>(fw);
          }
          std::string_view flag = src_.substr(pos_, p - pos_);
          if (flag == "--strict" || flag == "--keep-empty") {
            AdvanceTo(p);
            Emit(t, Tok::kParserFlag, start, 0, col);
            t->str.assign(flag);
            return;
          }
        }
        {
          size_t end = 0;
          if (TryDuration("-", pos_ + 1, &t->duration_ns, &end)) {
            AdvanceTo(end);
            Emit(t, Tok::kDuration, start, 0, col);
            return;
          }
        }
        break;
      default:
        break;
    }
    // Operators: a two-character token when the next character completes
    // one (Loki completes it with Next(), hence line 0), else one character.
    static const struct {
      char a, b;
      Tok tok;
    } kPairs[] = {
        {'!', '=', Tok::kNeq},         {'=', '~', Tok::kRe},        {'!', '~', Tok::kNre},
        {'!', '>', Tok::kNpa},         {'|', '=', Tok::kPipeExact}, {'|', '~', Tok::kPipeMatch},
        {'|', '>', Tok::kPipePattern}, {'=', '=', Tok::kCmpEq},     {'>', '=', Tok::kGte},
        {'<', '=', Tok::kLte},
    };
    for (const auto& pr : kPairs) {
      if (r == pr.a && next == pr.b) {
        AdvanceTo(pos_ + 2);
        Emit(t, pr.tok, start, 0, col);
        return;
      }
    }
    Advance();
    Tok kind = Tok::kIdentifier;
    switch (r) {
      case ',':
        kind = Tok::kComma;
        break;
      case '.':
        kind = Tok::kDot;
        break;
      case '{':
        kind = Tok::kOpenBrace;
        break;
      case '}':
        kind = Tok::kCloseBrace;
        break;
      case '=':
        kind = Tok::kEq;
        break;
      case '|':
        kind = Tok::kPipe;
        break;
      case '(':
        kind = Tok::kOpenParen;
        break;
      case ')':
        kind = Tok::kCloseParen;
        break;
      case ']':
        kind = Tok::kCloseBracket;
        break;
      case '+':
        kind = Tok::kAdd;
        break;
      case '-':
        kind = Tok::kSub;
        break;
      case '*':
        kind = Tok::kMul;
        break;
      case '/':
        kind = Tok::kDiv;
        break;
      case '%':
        kind = Tok::kMod;
        break;
      case '^':
        kind = Tok::kPow;
        break;
      case '>':
        kind = Tok::kGt;
        break;
      case '<':
        kind = Tok::kLt;
        break;
      default:
        break;
    }
    Emit(t, kind, start, line, col);
    return;
  }
}

}  // namespace lode::logql
