// LogQL lexer: turns query text into the token stream Loki's lexer produces.
//
// Loki's lexer (pkg/logql/syntax/lex.go) sits on a copy of Go's text/scanner;
// this one reproduces both, quirks included, because the tokens decide which
// queries parse and the positions appear in error messages:
//  - identifiers are Go identifiers; keywords (`by`, `bool`, `json`, `or`,
//    ...) are case-insensitive; function names (`sum`, `rate`, `bytes`, `ip`,
//    ...) are tokens only when followed by `(` or by `by (` / `without (`,
//    otherwise they are identifiers (so `by (rate)` works);
//  - numbers are Go literals (`1`, `1.5`, `1e3`, `0x1p3`, `0b1`, `1_000`);
//    a number directly followed by a unit becomes a DURATION (`5m`, `1h30m`,
//    `-5m`) or BYTES (`10KB`, `1.5MiB`) token;
//  - `[...]` is one RANGE token holding a Prometheus duration;
//  - strings are double-quoted with Go escapes or backtick raw strings;
//    `# ...` and Go comments (`// ...`, `/* */`) are skipped;
//  - `--strict` / `--keep-empty` are PARSER_FLAG tokens.
// Positions are what Loki reports: 1-based line and column (in characters)
// of the token start; `line` is 0 for tokens Loki completes with
// Scanner.Next() (two-character operators, durations, bytes, ranges, flags).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lode::logql {

// Token kinds. After kError the order is the declaration order of Loki's
// grammar tokens (syntax.y): goyacc lists expected tokens in that order in
// its syntax error messages, so the order must not change.
enum class Tok : uint8_t {
  kEnd,    // $end
  kError,  // a lexer error; Token::str holds the message
  kBytes,
  kIdentifier,
  kString,
  kNumber,
  kParserFlag,
  kDuration,
  kRange,
  kMatchers,  // grammar placeholders, never produced
  kLabels,
  kEq,
  kRe,
  kNre,
  kNpa,
  kOpenBrace,
  kCloseBrace,
  kOpenBracket,
  kCloseBracket,
  kComma,
  kDot,
  kPipeMatch,
  kPipeExact,
  kPipePattern,
  kOpenParen,
  kCloseParen,
  kBy,
  kWithout,
  kCountOverTime,
  kRate,
  kRateCounter,
  kSum,
  kSort,
  kSortDesc,
  kAvg,
  kMax,
  kMin,
  kCount,
  kStddev,
  kStdvar,
  kBottomk,
  kTopk,
  kApproxTopk,
  kBytesOverTime,
  kBytesRate,
  kBool,
  kJson,
  kXml,  // never produced (not in Loki's lexer)
  kRegexp,
  kLogfmt,
  kPipe,
  kLineFmt,
  kLabelFmt,
  kUnwrap,
  kAvgOverTime,
  kSumOverTime,
  kMinOverTime,
  kMaxOverTime,
  kStdvarOverTime,
  kStddevOverTime,
  kQuantileOverTime,
  kBytesConv,
  kDurationConv,
  kDurationSecondsConv,
  kFirstOverTime,
  kLastOverTime,
  kAbsentOverTime,
  kVector,
  kLabelReplace,
  kUnpack,
  kOffset,
  kPattern,
  kIp,
  kOn,
  kIgnoring,
  kGroupLeft,
  kGroupRight,
  kDecolorize,
  kDrop,
  kKeep,
  kOr,
  kAnd,
  kUnless,
  kCmpEq,
  kNeq,
  kLt,
  kLte,
  kGt,
  kGte,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
};

// The name goyacc prints for a token in "unexpected X, expecting Y": the
// operator or keyword text for tokens in Loki's `tokens` map (`}`, `!=`,
// `by`, `ip`), the grammar name otherwise (`IDENTIFIER`, `SUM`, `RANGE`).
const char* TokName(Tok t);

struct Token {
  Tok kind = Tok::kEnd;
  int line = 0;       // as Loki reports it (0 for tokens completed with Next())
  int col = 0;        // 1-based, in characters
  size_t offset = 0;  // byte range of the token in the source
  size_t length = 0;
  std::string_view text;    // source text of the token
  std::string str;          // kString: unquoted value; kParserFlag: the flag; kError: message
  int64_t duration_ns = 0;  // kDuration, kRange
  uint64_t bytes = 0;       // kBytes
};

class Lexer {
 public:
  // `src` must outlive the lexer and the tokens it returns.
  explicit Lexer(std::string_view src);

  // Scans the next token into *t. Once kEnd or kError has been returned it is
  // returned again on every call.
  void Next(Token* t);

 private:
  int32_t RuneAt(size_t off, int* width) const;
  void Advance();  // consumes the character at pos_
  void Emit(Token* t, Tok kind, size_t start, int line, int col);
  void EmitError(Token* t, std::string msg, int line, int col);
  bool ScanNumber(Token* t, size_t start, int line, int col);
  bool ScanQuoted(Token* t, size_t start, int line, int col);
  bool ScanRange(Token* t, size_t start, int line, int col);
  void ScanIdentifierToken(Token* t, size_t start, int line, int col);
  bool TryDuration(std::string_view prefix, size_t from, int64_t* ns, size_t* end) const;
  bool TryBytes(std::string_view prefix, size_t from, uint64_t* bytes, size_t* end) const;
  bool IsFunctionCall(size_t from) const;
  void AdvanceTo(size_t end);

  std::string_view src_;
  size_t pos_ = 0;  // byte offset of the current character
  int line_ = 1;    // position of the current character
  int col_ = 1;
  bool done_ = false;
  Token last_;  // the kEnd / kError token, repeated once reached
};

// Loki's keyword for a lower-cased identifier, or kIdentifier. *needs_call
// is set for function names, which are keywords only when a call follows.
Tok LookupKeyword(std::string_view lower, bool* needs_call);

namespace lexer_detail {
constexpr int32_t kEof = -1;      // RuneAt past the end
constexpr int32_t kBadRune = -2;  // RuneAt on invalid UTF-8
inline bool IsAsciiDigit(int32_t r) { return r >= '0' && r <= '9'; }
inline char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
inline int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = LowerAscii(c);
  return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 16;
}
}  // namespace lexer_detail

}  // namespace lode::logql
