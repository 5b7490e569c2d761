// logfmt stages: `| logfmt [--strict] [--keep-empty]` and
// `| logfmt [--strict] a, b="key"` (pkg/logql/log/parser.go LogfmtParser and
// LogfmtExpressionParser, pkg/logql/log/logfmt/decode.go).
//
// The decoder scans `key=value` pairs (values may be double-quoted with
// JSON-style escapes). By default a malformed pair is skipped and parsing
// goes on; with --strict the first error stops parsing and sets
// __error__=LogfmtParserErr with the decoder's message, e.g.
// "logfmt syntax error at pos 12 : unterminated quoted value". Keys are
// sanitised like every parsed key; empty values are dropped unless
// --keep-empty; a duplicate key keeps its first value.
//
// With parameters only the named keys are extracted (each label starts as
// an empty value), the others are ignored.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "logql/log/log_stage.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

// A reusable logfmt decoder over one line; no allocation except for values
// with escape sequences (decoded into an internal buffer).
class LogfmtDecoder {
 public:
  void Reset(std::string_view line);
  bool EOL() const { return pos_ >= line_.size(); }
  // Advances to the next pair; false on an error or at the end.
  bool ScanKeyval();
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  bool has_error() const { return err_kind_ != kNone; }
  // Go's "logfmt syntax error at pos N : msg" for the first error.
  std::string ErrorText() const;

 private:
  enum ErrKind { kNone, kUnexpected, kInvalidKey, kUntermQuote, kInvalidQuote };
  void SyntaxError(ErrKind k) {
    err_kind_ = k;
    err_pos_ = pos_ + 1;
  }
  void UnexpectedByte(char c) {
    err_kind_ = kUnexpected;
    err_pos_ = pos_ + 1;
    err_char_ = c;
  }
  bool SkipValue();

  std::string_view line_;
  size_t pos_ = 0;
  std::string_view key_, value_;
  std::string buf_;
  ErrKind err_kind_ = kNone;
  size_t err_pos_ = 0;
  char err_char_ = 0;
};

// `| logfmt` with its flags and optional parameters.
Status NewLogfmtStage(const ParserStage& p, LogStagePtr* out);

}  // namespace lode::logql
