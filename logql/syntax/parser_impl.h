// Internal: the recursive-descent LogQL parser behind logql/parser.h.
//
// It accepts exactly the language of Loki's goyacc grammar
// (pkg/logql/syntax/syntax.y) and reproduces its error messages:
//  - syntax errors name the offending token and, when the grammar state
//    allows at most four tokens, the expected ones in goyacc's order
//    (`unexpected $end, expecting } or ,`) at the token's position;
//  - errors Loki raises while building nodes (bad matcher regex, bad
//    `regexp`/`pattern` parser, unparsable literal) fail immediately;
//  - errors Loki stores in nodes (`grouping not allowed ...`, `parameter
//    required ...`, binary operation leg types) are kept aside and reported
//    by Validate() in Loki's pre-order, followed by the check that every
//    selector has a matcher that is not empty-compatible;
//  - `ip()` in a `|~`/`!~`/`|>`/`!>` line filter, which Loki rejects when it
//    builds the pipeline ("ip: invalid operation"), is reported last so the
//    AST only holds `ip()` with `|=` and `!=`.
// Operator precedence is resolved the way goyacc resolves the grammar's
// conflicts, including for label filters (`and` binds tighter than `or`;
// `,` and juxtaposition group to the right).
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/go_parse.h"
#include "base/status.h"
#include "logql/syntax/ast.h"
#include "logql/syntax/lexer.h"

namespace lode::logql {

class Parser {
 public:
  explicit Parser(std::string_view src);

  // Parses the whole input as one expression. On failure returns false and
  // status() holds Loki's message.
  bool ParseRoot(ExprPtr* out);

  // Loki's validateExpr on the tree ParseRoot returned.
  bool Validate(const Expr& e);

  const Status& status() const { return status_; }

 private:
  // --- tokens (parser.cc) ---
  const Token& Cur() const { return tok_[0]; }
  const Token& Peek();
  void Advance();
  bool Is(Tok k) const { return tok_[0].kind == k; }

  // --- errors (parser.cc) ---
  // A syntax error at the current token; `expected` is the set of tokens the
  // grammar state accepts (listed only when there are one to four of them).
  bool SyntaxError(std::initializer_list<Tok> expected);
  bool FailAt(int line, int col, const std::string& msg);
  bool Fail(const std::string& msg);  // `parse error : msg`
  void Defer(const Expr* e, std::string msg);
  const std::string* Deferred(const Expr* e) const;
  // Expects token k (set `expected` when it is not there), then consumes it.
  bool Expect(Tok k, std::initializer_list<Tok> expected);
  bool ExpectString(std::string* out);

  // --- validation (parser.cc) ---
  bool ValidateSample(const Expr& e);
  bool ValidateMatchers(const std::vector<MatcherPtr>& matchers);

  // --- log selectors and pipelines (parser_log.cc) ---
  bool ParseSelector(std::vector<MatcherPtr>* out);
  bool ParseMatcher(MatcherPtr* out);
  bool NewMatcher(MatchType type, std::string name, std::string value, MatcherPtr* out);
  bool ParsePipeline(LogSelectorExpr* sel, bool in_range);
  bool ParseLineFilter(LogSelectorExpr* sel);
  bool ParseLineFilterValue(LineFilterValue* out);
  bool ParsePipeStage(LogSelectorExpr* sel);
  bool ParseExtractionParams(std::vector<ExtractionParam>* out);
  bool ParseLabelFormat(LabelFormatStage* out);
  bool ParseNamedMatchers(DropKeepStage* out);
  bool ParseLabelFilter(std::unique_ptr<LabelFilterExpr>* out);
  bool ParseLabelFilterOperand(std::unique_ptr<LabelFilterExpr>* out);
  bool ParseLabelFilterLeaf(std::unique_ptr<LabelFilterExpr>* out);
  bool ParseFilterLiteral(double* out);
  bool ParseIpCall(std::string* pattern);
  bool ParseUnwrap(std::optional<Unwrap>* out);
  bool ParseLogRange(LogRange* out);
  bool ParseRangeTail(LogRange* out, bool has_pipeline, bool has_unwrap, bool in_parens);
  bool ParseOffset(int64_t* ns);
  bool AtUnwrap() { return Is(Tok::kPipe) && Peek().kind == Tok::kUnwrap; }

  // --- metric expressions (parser_metric.cc) ---
  bool ParseBinExpr(int min_prec, ExprPtr* out);
  bool ParseOperand(ExprPtr* out);
  bool ParseMetricExpr(ExprPtr* out);
  bool ParseRangeAgg(ExprPtr* out);
  bool ParseVectorAgg(ExprPtr* out);
  bool ParseLabelReplace(ExprPtr* out);
  bool ParseVectorExpr(ExprPtr* out);
  bool ParseLiteral(ExprPtr* out);
  bool ParseGrouping(Grouping* out);
  bool ParseLabelList(std::vector<std::string>* out);
  bool ParseBinOpModifiers(BinOpModifiers* out);
  void CheckBinOp(const Expr& e);
  void CheckRangeAgg(Expr* e, std::optional<std::string_view> param);
  void CheckVectorAgg(Expr* e, std::optional<std::string_view> param, bool has_grouping);

  std::string_view src_;
  Lexer lexer_;
  Token tok_[2];
  bool have_peek_ = false;
  size_t prev_end_ = 0;  // end offset of the last consumed token
  Status status_;
  bool failed_ = false;
  std::vector<std::pair<const Expr*, std::string>> deferred_;
  // An error Loki only finds when it builds the pipeline (`ip()` with a
  // regex or pattern line filter); reported after everything else.
  std::string pipeline_error_;
  // Nesting of the expression being parsed (parentheses, aggregations,
  // operator chains): bounded so that parsing, validating, evaluating and
  // destroying the tree cannot overflow the stack.
  int depth_ = 0;
  bool Nest();  // ++depth_; false (a parse error) past kMaxNesting
};

// Deepest expression tree accepted; deeper is `parse error : ... nested too
// deeply` (HTTP 400). Real queries stay far below it.
inline constexpr int kMaxNesting = 256;

// Loki's name for an operation (error messages).
const char* VectorOpText(VectorOp op, bool approx);

// Empty when `pattern` compiles, else the error in Go's wording
// (`error parsing regexp: missing closing ): `(``).
std::string RegexpCompileError(const std::string& pattern);

// Loki's log.NewRegexpParser / pattern.New checks: empty when valid, else
// the error (`at least one named capture must be supplied`, ...).
std::string CheckRegexpParser(const std::string& pattern);
std::string CheckPattern(std::string_view pattern);

// Go's fmt %f of a float64 (`NaN`, `+Inf` included).
std::string GoFormatF(double v);

// True when e is a tree of number literals joined by arithmetic or
// comparison operators (what Loki folds into one literal); *v is its value.
bool ConstValue(const Expr& e, double* v);

}  // namespace lode::logql
