// LogQL parser entry points, token handling, errors and validation.

#include "logql/syntax/parser.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "logql/syntax/parser_impl.h"

namespace lode::logql {

namespace {

constexpr size_t kMaxInputSize = 5120;  // Loki's maxInputSize

constexpr const char* kErrEmptyCompatible =
    "queries require at least one regexp or equality matcher that does not have an "
    "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
    "app=~\".+\" will";

}  // namespace

Parser::Parser(std::string_view src) : src_(src), lexer_(src) { lexer_.Next(&tok_[0]); }

const Token& Parser::Peek() {
  if (!have_peek_) {
    lexer_.Next(&tok_[1]);
    have_peek_ = true;
  }
  return tok_[1];
}

void Parser::Advance() {
  prev_end_ = tok_[0].offset + tok_[0].length;
  if (have_peek_) {
    std::swap(tok_[0], tok_[1]);
    have_peek_ = false;
  } else {
    lexer_.Next(&tok_[0]);
  }
}

bool Parser::FailAt(int line, int col, const std::string& msg) {
  if (failed_) return false;
  failed_ = true;
  if (line == 0 && col == 0) {
    status_ = Status::InvalidArgument("parse error : " + msg);
  } else {
    status_ = Status::InvalidArgument("parse error at line " + std::to_string(line) + ", col " +
                                      std::to_string(col) + ": " + msg);
  }
  return false;
}

bool Parser::Fail(const std::string& msg) { return FailAt(0, 0, msg); }

bool Parser::Nest() {
  if (++depth_ <= kMaxNesting) return true;
  return Fail("expression nested too deeply: more than " + std::to_string(kMaxNesting) +
              " levels of parentheses, aggregations or operators");
}

bool Parser::SyntaxError(std::initializer_list<Tok> expected) {
  const Token& t = Cur();
  if (t.kind == Tok::kError) return FailAt(t.line, t.col, t.str);
  std::string msg = "syntax error: unexpected ";
  msg += TokName(t.kind);
  if (expected.size() > 0 && expected.size() <= 4) {
    std::vector<Tok> sorted(expected);
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); i++) {
      msg += i == 0 ? ", expecting " : " or ";
      msg += TokName(sorted[i]);
    }
  }
  return FailAt(t.line, t.col, msg);
}

bool Parser::Expect(Tok k, std::initializer_list<Tok> expected) {
  if (!Is(k)) return SyntaxError(expected);
  Advance();
  return true;
}

bool Parser::ExpectString(std::string* out) {
  if (!Is(Tok::kString)) return SyntaxError({Tok::kString});
  *out = std::move(tok_[0].str);
  Advance();
  return true;
}

void Parser::Defer(const Expr* e, std::string msg) { deferred_.emplace_back(e, std::move(msg)); }

const std::string* Parser::Deferred(const Expr* e) const {
  for (const auto& d : deferred_) {
    if (d.first == e) return &d.second;
  }
  return nullptr;
}

bool Parser::ParseRoot(ExprPtr* out) {
  if (src_.size() >= kMaxInputSize) {
    return Fail("input size too long (" + std::to_string(src_.size()) + " > " +
                std::to_string(kMaxInputSize) + ")");
  }
  if (!ParseBinExpr(0, out)) return false;
  if (!Is(Tok::kEnd)) return SyntaxError({});
  return true;
}

bool Parser::ValidateMatchers(const std::vector<MatcherPtr>& matchers) {
  for (const MatcherPtr& m : matchers) {
    if (!m->MatchesEmpty()) return true;
  }
  return Fail(kErrEmptyCompatible);
}

bool Parser::ValidateSample(const Expr& e) {
  if (const std::string* err = Deferred(&e)) return Fail(*err);
  switch (e.kind) {
    case Expr::Kind::kBinOp:
      return ValidateSample(*e.lhs) && ValidateSample(*e.rhs);
    case Expr::Kind::kLiteral:
    case Expr::Kind::kVector:
      return true;
    case Expr::Kind::kVectorAgg:
      if ((e.vector_op == VectorOp::kSort || e.vector_op == VectorOp::kSortDesc) && e.grouping &&
          !e.grouping->labels.empty()) {
        return Fail("sort and sort_desc doesn't allow grouping by ");
      }
      return ValidateSample(*e.lhs);
    case Expr::Kind::kLabelReplace:
      return ValidateSample(*e.lhs);
    case Expr::Kind::kRangeAgg:
      return ValidateMatchers(e.log_range.selector.matchers);
    case Expr::Kind::kLogSelector:
      return ValidateMatchers(e.log.matchers);
  }
  return true;
}

bool Parser::Validate(const Expr& e) {
  bool ok =
      e.kind == Expr::Kind::kLogSelector ? ValidateMatchers(e.log.matchers) : ValidateSample(e);
  if (!ok) return false;
  if (!pipeline_error_.empty()) {
    failed_ = true;
    status_ = Status::InvalidArgument(pipeline_error_);
    return false;
  }
  return true;
}

std::string GoFormatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%f", v);
  return buf;
}

bool ConstValue(const Expr& e, double* v) {
  if (e.kind == Expr::Kind::kLiteral) {
    *v = e.number;
    return true;
  }
  if (e.kind != Expr::Kind::kBinOp) return false;
  double l, r;
  if (!ConstValue(*e.lhs, &l) || !ConstValue(*e.rhs, &r)) return false;
  switch (e.binop) {
    case BinOpKind::kAdd:
      *v = l + r;
      return true;
    case BinOpKind::kSub:
      *v = l - r;
      return true;
    case BinOpKind::kMul:
      *v = l * r;
      return true;
    case BinOpKind::kDiv:
      *v = r == 0 ? std::nan("") : l / r;
      return true;
    case BinOpKind::kMod:
      *v = r == 0 ? std::nan("") : std::fmod(l, r);
      return true;
    case BinOpKind::kPow:
      *v = std::pow(l, r);
      return true;
    case BinOpKind::kEq:
      *v = l == r ? 1 : 0;
      return true;
    case BinOpKind::kNeq:
      *v = l != r ? 1 : 0;
      return true;
    case BinOpKind::kGt:
      *v = l > r ? 1 : 0;
      return true;
    case BinOpKind::kGte:
      *v = l >= r ? 1 : 0;
      return true;
    case BinOpKind::kLt:
      *v = l < r ? 1 : 0;
      return true;
    case BinOpKind::kLte:
      *v = l <= r ? 1 : 0;
      return true;
    case BinOpKind::kAnd:
    case BinOpKind::kOr:
    case BinOpKind::kUnless:
      return false;
  }
  return false;
}

Status ParseExpr(std::string_view query, ExprPtr* out) {
  Parser p(query);
  ExprPtr e;
  if (!p.ParseRoot(&e) || !p.Validate(*e)) return p.status();
  *out = std::move(e);
  return Status::OK();
}

Status ParseMatchers(std::string_view selector, std::vector<MatcherPtr>* out) {
  ExprPtr e;
  LODE_RETURN_IF_ERROR(ParseExpr(selector, &e));
  if (e->kind != Expr::Kind::kLogSelector || !e->log.stages.empty()) {
    return Status::InvalidArgument("only label matchers are supported");
  }
  *out = std::move(e->log.matchers);
  return Status::OK();
}

}  // namespace lode::logql
