// LogQL parser: metric expressions (aggregations, binary operations,
// literals, vector(), label_replace()).

#include "logql/syntax/parser_impl.h"

namespace lode::logql {

namespace {

bool RangeOpFor(Tok t, RangeOp* op) {
  switch (t) {
    case Tok::kRate:
      *op = RangeOp::kRate;
      return true;
    case Tok::kRateCounter:
      *op = RangeOp::kRateCounter;
      return true;
    case Tok::kCountOverTime:
      *op = RangeOp::kCountOverTime;
      return true;
    case Tok::kBytesRate:
      *op = RangeOp::kBytesRate;
      return true;
    case Tok::kBytesOverTime:
      *op = RangeOp::kBytesOverTime;
      return true;
    case Tok::kAbsentOverTime:
      *op = RangeOp::kAbsentOverTime;
      return true;
    case Tok::kSumOverTime:
      *op = RangeOp::kSumOverTime;
      return true;
    case Tok::kAvgOverTime:
      *op = RangeOp::kAvgOverTime;
      return true;
    case Tok::kMinOverTime:
      *op = RangeOp::kMinOverTime;
      return true;
    case Tok::kMaxOverTime:
      *op = RangeOp::kMaxOverTime;
      return true;
    case Tok::kStdvarOverTime:
      *op = RangeOp::kStdvarOverTime;
      return true;
    case Tok::kStddevOverTime:
      *op = RangeOp::kStddevOverTime;
      return true;
    case Tok::kQuantileOverTime:
      *op = RangeOp::kQuantileOverTime;
      return true;
    case Tok::kFirstOverTime:
      *op = RangeOp::kFirstOverTime;
      return true;
    case Tok::kLastOverTime:
      *op = RangeOp::kLastOverTime;
      return true;
    default:
      return false;
  }
}

bool VectorOpFor(Tok t, VectorOp* op, bool* approx) {
  *approx = false;
  switch (t) {
    case Tok::kSum:
      *op = VectorOp::kSum;
      return true;
    case Tok::kAvg:
      *op = VectorOp::kAvg;
      return true;
    case Tok::kMin:
      *op = VectorOp::kMin;
      return true;
    case Tok::kMax:
      *op = VectorOp::kMax;
      return true;
    case Tok::kCount:
      *op = VectorOp::kCount;
      return true;
    case Tok::kStddev:
      *op = VectorOp::kStddev;
      return true;
    case Tok::kStdvar:
      *op = VectorOp::kStdvar;
      return true;
    case Tok::kTopk:
      *op = VectorOp::kTopk;
      return true;
    case Tok::kBottomk:
      *op = VectorOp::kBottomk;
      return true;
    case Tok::kSort:
      *op = VectorOp::kSort;
      return true;
    case Tok::kSortDesc:
      *op = VectorOp::kSortDesc;
      return true;
    case Tok::kApproxTopk:
      *op = VectorOp::kTopk;
      *approx = true;
      return true;
    default:
      return false;
  }
}

// Loki's binary operator precedence (syntax.y, lowest first); ^ is the only
// right-associative one.
bool BinOpFor(Tok t, BinOpKind* op, int* prec) {
  switch (t) {
    case Tok::kOr:
      *op = BinOpKind::kOr;
      *prec = 1;
      return true;
    case Tok::kAnd:
      *op = BinOpKind::kAnd;
      *prec = 2;
      return true;
    case Tok::kUnless:
      *op = BinOpKind::kUnless;
      *prec = 2;
      return true;
    case Tok::kCmpEq:
      *op = BinOpKind::kEq;
      *prec = 3;
      return true;
    case Tok::kNeq:
      *op = BinOpKind::kNeq;
      *prec = 3;
      return true;
    case Tok::kGt:
      *op = BinOpKind::kGt;
      *prec = 3;
      return true;
    case Tok::kGte:
      *op = BinOpKind::kGte;
      *prec = 3;
      return true;
    case Tok::kLt:
      *op = BinOpKind::kLt;
      *prec = 3;
      return true;
    case Tok::kLte:
      *op = BinOpKind::kLte;
      *prec = 3;
      return true;
    case Tok::kAdd:
      *op = BinOpKind::kAdd;
      *prec = 4;
      return true;
    case Tok::kSub:
      *op = BinOpKind::kSub;
      *prec = 4;
      return true;
    case Tok::kMul:
      *op = BinOpKind::kMul;
      *prec = 5;
      return true;
    case Tok::kDiv:
      *op = BinOpKind::kDiv;
      *prec = 5;
      return true;
    case Tok::kMod:
      *op = BinOpKind::kMod;
      *prec = 5;
      return true;
    case Tok::kPow:
      *op = BinOpKind::kPow;
      *prec = 6;
      return true;
    default:
      return false;
  }
}

bool IsLogical(BinOpKind op) {
  return op == BinOpKind::kAnd || op == BinOpKind::kOr || op == BinOpKind::kUnless;
}

// The Go type Loki names for a log query used as a binary operation leg.
const char* LogExprType(const Expr& e) {
  return e.log.stages.empty() ? "*syntax.MatchersExpr" : "*syntax.PipelineExpr";
}

ExprPtr NewExpr(Expr::Kind kind) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  return e;
}

}  // namespace

const char* VectorOpText(VectorOp op, bool approx) {
  return approx ? "approx_topk" : VectorOpName(op);
}

bool Parser::ParseBinExpr(int min_prec, ExprPtr* out) {
  if (!Nest()) return false;
  int nested = 1;  // this call, plus one per operator of a left-deep chain
  ExprPtr lhs;
  if (!ParseOperand(&lhs)) return false;
  for (;;) {
    BinOpKind op;
    int prec;
    if (!BinOpFor(Cur().kind, &op, &prec) || prec < min_prec) break;
    if (!Nest()) return false;
    ++nested;
    Advance();
    auto e = NewExpr(Expr::Kind::kBinOp);
    e->binop = op;
    if (!ParseBinOpModifiers(&e->modifiers)) return false;
    if (!ParseBinExpr(op == BinOpKind::kPow ? prec : prec + 1, &e->rhs)) return false;
    e->lhs = std::move(lhs);
    CheckBinOp(*e);
    lhs = std::move(e);
  }
  depth_ -= nested;
  *out = std::move(lhs);
  return true;
}

bool Parser::ParseOperand(ExprPtr* out) {
  RangeOp rop;
  VectorOp vop;
  bool approx;
  if (RangeOpFor(Cur().kind, &rop)) return ParseRangeAgg(out);
  if (VectorOpFor(Cur().kind, &vop, &approx)) return ParseVectorAgg(out);
  switch (Cur().kind) {
    case Tok::kOpenBrace: {
      auto e = NewExpr(Expr::Kind::kLogSelector);
      if (!ParseSelector(&e->log.matchers) || !ParsePipeline(&e->log, false)) return false;
      *out = std::move(e);
      return true;
    }
    case Tok::kOpenParen:
      Advance();
      if (!ParseBinExpr(0, out)) return false;
      return Expect(Tok::kCloseParen, {});
    case Tok::kLabelReplace:
      return ParseLabelReplace(out);
    case Tok::kVector:
      return ParseVectorExpr(out);
    case Tok::kNumber:
    case Tok::kAdd:
    case Tok::kSub:
      return ParseLiteral(out);
    default:
      return SyntaxError({});
  }
}

bool Parser::ParseMetricExpr(ExprPtr* out) {
  if (!ParseBinExpr(0, out)) return false;
  // A bare log query where the grammar wants a metricExpr: goyacc detects
  // it at the token after it.
  if ((*out)->kind == Expr::Kind::kLogSelector) return SyntaxError({});
  return true;
}

bool Parser::ParseLiteral(ExprPtr* out) {
  bool neg = false;
  if (Is(Tok::kAdd) || Is(Tok::kSub)) {
    neg = Is(Tok::kSub);
    Advance();
    if (!Is(Tok::kNumber)) return SyntaxError({Tok::kNumber});
  }
  auto e = NewExpr(Expr::Kind::kLiteral);
  std::string err;
  if (!GoParseFloat(Cur().text, &e->number, &err)) {
    return Fail("unable to parse literal as a float: " + err);
  }
  if (neg) e->number = -e->number;
  Advance();
  *out = std::move(e);
  return true;
}

bool Parser::ParseVectorExpr(ExprPtr* out) {
  Advance();  // vector
  if (!Expect(Tok::kOpenParen, {Tok::kOpenParen})) return false;
  if (!Is(Tok::kNumber)) return SyntaxError({Tok::kNumber});
  auto e = NewExpr(Expr::Kind::kVector);
  std::string err;
  if (!GoParseFloat(Cur().text, &e->number, &err)) {
    Defer(e.get(), "unable to parse vectorExpr as a float: " + err);
  }
  Advance();
  if (!Expect(Tok::kCloseParen, {Tok::kCloseParen})) return false;
  *out = std::move(e);
  return true;
}

bool Parser::ParseLabelList(std::vector<std::string>* out) {
  if (!Expect(Tok::kOpenParen, {Tok::kOpenParen})) return false;
  if (Is(Tok::kCloseParen)) {
    Advance();
    return true;
  }
  if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier, Tok::kCloseParen});
  for (;;) {
    out->emplace_back(Cur().text);
    Advance();
    if (Is(Tok::kCloseParen)) {
      Advance();
      return true;
    }
    if (!Expect(Tok::kComma, {Tok::kComma, Tok::kCloseParen})) return false;
    if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier});
  }
}

bool Parser::ParseGrouping(Grouping* out) {
  out->without = Is(Tok::kWithout);
  Advance();
  return ParseLabelList(&out->labels);
}

bool Parser::ParseBinOpModifiers(BinOpModifiers* out) {
  if (Is(Tok::kBool)) {
    out->return_bool = true;
    Advance();
  }
  if (!Is(Tok::kOn) && !Is(Tok::kIgnoring)) return true;
  out->has_matching = true;
  out->on = Is(Tok::kOn);
  Advance();
  if (!ParseLabelList(&out->matching_labels)) return false;
  if (!Is(Tok::kGroupLeft) && !Is(Tok::kGroupRight)) return true;
  out->card =
      Is(Tok::kGroupLeft) ? BinOpModifiers::Card::kManyToOne : BinOpModifiers::Card::kOneToMany;
  Advance();
  if (Is(Tok::kOpenParen)) return ParseLabelList(&out->include_labels);
  return true;
}

// Loki's mustNewBinOpExpr checks, reported by Validate().
void Parser::CheckBinOp(const Expr& e) {
  const char* op = BinOpName(e.binop);
  if (e.lhs->kind == Expr::Kind::kLogSelector) {
    Defer(&e, std::string("unexpected type for left leg of binary operation (") + op +
                  "): " + LogExprType(*e.lhs));
    return;
  }
  if (e.rhs->kind == Expr::Kind::kLogSelector) {
    Defer(&e, std::string("unexpected type for right leg of binary operation (") + op +
                  "): " + LogExprType(*e.rhs));
    return;
  }
  if (!IsLogical(e.binop)) return;
  double v;
  if (ConstValue(*e.lhs, &v)) {
    Defer(&e, std::string("unexpected literal for left leg of logical/set binary operation (") +
                  op + "): " + GoFormatF(v));
  } else if (ConstValue(*e.rhs, &v)) {
    Defer(&e, std::string("unexpected literal for right leg of logical/set binary operation (") +
                  op + "): " + GoFormatF(v));
  }
}

bool Parser::ParseRangeAgg(ExprPtr* out) {
  auto e = NewExpr(Expr::Kind::kRangeAgg);
  RangeOpFor(Cur().kind, &e->range_op);
  Advance();
  if (!Expect(Tok::kOpenParen, {Tok::kOpenParen})) return false;
  std::optional<std::string_view> param;
  if (Is(Tok::kNumber)) {
    param = Cur().text;
    Advance();
    if (!Expect(Tok::kComma, {Tok::kComma})) return false;
    if (!Is(Tok::kOpenBrace) && !Is(Tok::kOpenParen)) {
      return SyntaxError({Tok::kOpenBrace, Tok::kOpenParen});
    }
  } else if (!Is(Tok::kOpenBrace) && !Is(Tok::kOpenParen)) {
    return SyntaxError({Tok::kNumber, Tok::kOpenBrace, Tok::kOpenParen});
  }
  if (!ParseLogRange(&e->log_range)) return false;
  if (!Expect(Tok::kCloseParen, {Tok::kCloseParen})) return false;
  if (Is(Tok::kBy) || Is(Tok::kWithout)) {
    e->grouping.emplace();
    if (!ParseGrouping(&*e->grouping)) return false;
  }
  CheckRangeAgg(e.get(), param);
  *out = std::move(e);
  return true;
}

// Loki's newRangeAggregationExpr and RangeAggregationExpr.validate checks.
void Parser::CheckRangeAgg(Expr* agg, std::optional<std::string_view> param) {
  const Expr& e = *agg;
  RangeOp op = e.range_op;
  std::string name = RangeOpName(op);
  if (param) {
    if (op != RangeOp::kQuantileOverTime) {
      Defer(&e, "parameter " + std::string(*param) + " not supported for operation " + name);
      return;
    }
    std::string err;
    double v = 0;
    if (!GoParseFloat(*param, &v, &err)) {
      Defer(&e, "invalid parameter for operation " + name + ": " + err);
      return;
    }
    agg->param = v;
  } else if (op == RangeOp::kQuantileOverTime) {
    Defer(&e, "parameter required for operation " + name);
    return;
  }
  if (e.grouping) {
    switch (op) {
      case RangeOp::kAvgOverTime:
      case RangeOp::kStddevOverTime:
      case RangeOp::kStdvarOverTime:
      case RangeOp::kQuantileOverTime:
      case RangeOp::kMaxOverTime:
      case RangeOp::kMinOverTime:
      case RangeOp::kFirstOverTime:
      case RangeOp::kLastOverTime:
        break;
      default:
        Defer(&e, "grouping not allowed for " + name + " aggregation");
        return;
    }
  }
  if (e.log_range.unwrap) {
    switch (op) {
      case RangeOp::kAvgOverTime:
      case RangeOp::kSumOverTime:
      case RangeOp::kMaxOverTime:
      case RangeOp::kMinOverTime:
      case RangeOp::kStddevOverTime:
      case RangeOp::kStdvarOverTime:
      case RangeOp::kQuantileOverTime:
      case RangeOp::kRate:
      case RangeOp::kRateCounter:
      case RangeOp::kAbsentOverTime:
      case RangeOp::kFirstOverTime:
      case RangeOp::kLastOverTime:
        return;
      default:
        Defer(&e, "invalid aggregation " + name + " with unwrap");
        return;
    }
  }
  switch (op) {
    case RangeOp::kBytesOverTime:
    case RangeOp::kBytesRate:
    case RangeOp::kCountOverTime:
    case RangeOp::kRate:
    case RangeOp::kAbsentOverTime:
      return;
    default:
      Defer(&e, "invalid aggregation " + name + " without unwrap");
  }
}

bool Parser::ParseVectorAgg(ExprPtr* out) {
  auto e = NewExpr(Expr::Kind::kVectorAgg);
  VectorOpFor(Cur().kind, &e->vector_op, &e->approx_topk);
  Advance();
  bool has_grouping = false;
  if (Is(Tok::kBy) || Is(Tok::kWithout)) {
    e->grouping.emplace();
    if (!ParseGrouping(&*e->grouping)) return false;
    has_grouping = true;
    if (!Expect(Tok::kOpenParen, {Tok::kOpenParen})) return false;
  } else if (!Expect(Tok::kOpenParen, {Tok::kOpenParen, Tok::kBy, Tok::kWithout})) {
    return false;
  }
  std::optional<std::string_view> param;
  if (Is(Tok::kNumber) && Peek().kind == Tok::kComma) {
    param = Cur().text;
    Advance();
    Advance();
  }
  if (!ParseMetricExpr(&e->lhs)) return false;
  if (!Expect(Tok::kCloseParen, {})) return false;
  if (!has_grouping && (Is(Tok::kBy) || Is(Tok::kWithout))) {
    e->grouping.emplace();
    if (!ParseGrouping(&*e->grouping)) return false;
    has_grouping = true;
  }
  if (!e->grouping) e->grouping.emplace();
  CheckVectorAgg(e.get(), param, has_grouping);
  *out = std::move(e);
  return true;
}

// Loki's mustNewVectorAggregationExpr checks.
void Parser::CheckVectorAgg(Expr* agg, std::optional<std::string_view> param, bool has_grouping) {
  const Expr& e = *agg;
  std::string name = VectorOpText(e.vector_op, e.approx_topk);
  if (e.vector_op == VectorOp::kTopk || e.vector_op == VectorOp::kBottomk) {
    if (!param) {
      Defer(&e, "parameter required for operation " + name);
      return;
    }
    int64_t k = 0;
    bool range_err = false;
    if (!GoParseInt(*param, 10, &k, &range_err)) {
      Defer(&e, "invalid parameter " + name + "(" + std::string(*param) + ",");
      return;
    }
    if (k <= 0) {
      Defer(&e, "invalid parameter (must be greater than 0) " + name + "(" + std::string(*param));
      return;
    }
    if (e.approx_topk && has_grouping) {
      Defer(&e, "grouping not allowed for " + name + " aggregation");
      return;
    }
    agg->param = static_cast<double>(k);
  } else if (param) {
    Defer(&e, "unsupported parameter for operation " + name + "(" + std::string(*param) + ",");
  }
}

bool Parser::ParseLabelReplace(ExprPtr* out) {
  auto e = NewExpr(Expr::Kind::kLabelReplace);
  Advance();  // label_replace
  if (!Expect(Tok::kOpenParen, {Tok::kOpenParen})) return false;
  if (!ParseMetricExpr(&e->lhs)) return false;
  if (!Expect(Tok::kComma, {})) return false;
  std::string* args[] = {&e->dst, &e->replacement, &e->src, &e->regex};
  for (int i = 0; i < 4; i++) {
    if (!ExpectString(args[i])) return false;
    if (i < 3 && !Expect(Tok::kComma, {Tok::kComma})) return false;
  }
  if (!Expect(Tok::kCloseParen, {Tok::kCloseParen})) return false;
  std::string err = RegexpCompileError("^(?:" + e->regex + ")$");
  if (!err.empty()) Defer(e.get(), "invalid regex in label_replace: " + err);
  *out = std::move(e);
  return true;
}

}  // namespace lode::logql
