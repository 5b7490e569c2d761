// LogQL parser: stream selectors, pipelines, label filters and log ranges.

#include "logql/syntax/parser_impl.h"

namespace lode::logql {

namespace {

bool IsLineFilterOp(Tok k, LineFilterOp* op) {
  switch (k) {
    case Tok::kPipeExact:
      *op = LineFilterOp::kContains;
      return true;
    case Tok::kNeq:
      *op = LineFilterOp::kNotContains;
      return true;
    case Tok::kPipeMatch:
      *op = LineFilterOp::kRegex;
      return true;
    case Tok::kNre:
      *op = LineFilterOp::kNotRegex;
      return true;
    case Tok::kPipePattern:
      *op = LineFilterOp::kPattern;
      return true;
    case Tok::kNpa:
      *op = LineFilterOp::kNotPattern;
      return true;
    default:
      return false;
  }
}

}  // namespace

bool Parser::ParseSelector(std::vector<MatcherPtr>* out) {
  if (!Expect(Tok::kOpenBrace, {Tok::kOpenBrace})) return false;
  if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier});
  for (;;) {
    MatcherPtr m;
    if (!ParseMatcher(&m)) return false;
    out->push_back(std::move(m));
    if (Is(Tok::kCloseBrace)) {
      Advance();
      return true;
    }
    if (!Expect(Tok::kComma, {Tok::kCloseBrace, Tok::kComma})) return false;
    if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier});
  }
}

bool Parser::ParseMatcher(MatcherPtr* out) {
  std::string name(Cur().text);
  Advance();
  MatchType type;
  switch (Cur().kind) {
    case Tok::kEq:
      type = MatchType::kEqual;
      break;
    case Tok::kNeq:
      type = MatchType::kNotEqual;
      break;
    case Tok::kRe:
      type = MatchType::kRegexMatch;
      break;
    case Tok::kNre:
      type = MatchType::kRegexNoMatch;
      break;
    default:
      return SyntaxError({Tok::kEq, Tok::kRe, Tok::kNre, Tok::kNeq});
  }
  Advance();
  std::string value;
  if (!ExpectString(&value)) return false;
  return NewMatcher(type, std::move(name), std::move(value), out);
}

bool Parser::NewMatcher(MatchType type, std::string name, std::string value, MatcherPtr* out) {
  Status s = LabelMatcher::Create(type, std::move(name), value, out);
  if (s.ok()) return true;
  // Prometheus compiles matcher regexes as ^(?s:...)$; report it in Go's words.
  std::string err = RegexpCompileError("^(?s:" + value + ")$");
  return Fail(err.empty() ? s.message() : err);
}

bool Parser::ParsePipeline(LogSelectorExpr* sel, bool in_range) {
  for (;;) {
    LineFilterOp op;
    if (IsLineFilterOp(Cur().kind, &op)) {
      if (!ParseLineFilter(sel)) return false;
      continue;
    }
    if (!Is(Tok::kPipe) || (in_range && AtUnwrap())) return true;
    Advance();
    if (!ParsePipeStage(sel)) return false;
  }
}

bool Parser::ParseLineFilterValue(LineFilterValue* out) {
  if (Is(Tok::kString)) {
    out->is_ip = false;
    out->value = std::move(tok_[0].str);
    Advance();
    return true;
  }
  if (Is(Tok::kIp)) {
    out->is_ip = true;
    return ParseIpCall(&out->value);
  }
  return SyntaxError({Tok::kString, Tok::kIp});
}

bool Parser::ParseIpCall(std::string* pattern) {
  Advance();  // ip
  if (!Expect(Tok::kOpenParen, {Tok::kOpenParen})) return false;
  if (!ExpectString(pattern)) return false;
  return Expect(Tok::kCloseParen, {Tok::kCloseParen});
}

bool Parser::ParseLineFilter(LogSelectorExpr* sel) {
  Stage st;
  st.kind = Stage::Kind::kLineFilter;
  IsLineFilterOp(Cur().kind, &st.line_filter.op);
  Advance();
  for (;;) {
    LineFilterValue v;
    if (!ParseLineFilterValue(&v)) return false;
    st.line_filter.values.push_back(std::move(v));
    if (!Is(Tok::kOr)) break;
    Advance();
  }
  LineFilterOp op = st.line_filter.op;
  if (op != LineFilterOp::kContains && op != LineFilterOp::kNotContains &&
      pipeline_error_.empty()) {
    for (const LineFilterValue& v : st.line_filter.values) {
      if (v.is_ip) pipeline_error_ = "ip: invalid operation";
    }
  }
  sel->stages.push_back(std::move(st));
  return true;
}

bool Parser::ParseExtractionParams(std::vector<ExtractionParam>* out) {
  for (;;) {
    ExtractionParam p;
    p.label.assign(Cur().text);
    Advance();
    if (Is(Tok::kEq)) {
      Advance();
      if (!ExpectString(&p.expr)) return false;
    } else {
      p.expr = p.label;
    }
    out->push_back(std::move(p));
    if (!Is(Tok::kComma)) return true;
    Advance();
    if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier});
  }
}

bool Parser::ParseLabelFormat(LabelFormatStage* out) {
  if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier});
  for (;;) {
    LabelFormatItem item;
    item.dst.assign(Cur().text);
    Advance();
    if (!Expect(Tok::kEq, {Tok::kEq})) return false;
    if (Is(Tok::kIdentifier)) {
      item.src.assign(Cur().text);
    } else if (Is(Tok::kString)) {
      item.src = std::move(tok_[0].str);
      item.is_template = true;
    } else {
      return SyntaxError({Tok::kIdentifier, Tok::kString});
    }
    Advance();
    out->items.push_back(std::move(item));
    if (!Is(Tok::kComma)) return true;
    Advance();
    if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier});
  }
}

bool Parser::ParseNamedMatchers(DropKeepStage* out) {
  if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier});
  for (;;) {
    NamedMatcher nm;
    nm.name.assign(Cur().text);
    Tok next = Peek().kind;
    if (next == Tok::kEq || next == Tok::kNeq || next == Tok::kRe || next == Tok::kNre) {
      if (!ParseMatcher(&nm.matcher)) return false;
    } else {
      Advance();
    }
    out->items.push_back(std::move(nm));
    if (!Is(Tok::kComma)) return true;
    Advance();
    if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier});
  }
}

bool Parser::ParsePipeStage(LogSelectorExpr* sel) {
  Stage st;
  switch (Cur().kind) {
    case Tok::kLogfmt:
      st.kind = Stage::Kind::kParser;
      st.parser.kind = ParserKind::kLogfmt;
      Advance();
      while (Is(Tok::kParserFlag)) {
        if (Cur().str == "--strict") st.parser.strict = true;
        if (Cur().str == "--keep-empty") st.parser.keep_empty = true;
        Advance();
      }
      if (Is(Tok::kIdentifier) && !ParseExtractionParams(&st.parser.params)) return false;
      break;
    case Tok::kJson:
      st.kind = Stage::Kind::kParser;
      st.parser.kind = ParserKind::kJson;
      Advance();
      if (Is(Tok::kIdentifier) && !ParseExtractionParams(&st.parser.params)) return false;
      break;
    case Tok::kUnpack:
      st.kind = Stage::Kind::kParser;
      st.parser.kind = ParserKind::kUnpack;
      Advance();
      break;
    case Tok::kRegexp:
    case Tok::kPattern: {
      bool regexp = Is(Tok::kRegexp);
      st.kind = Stage::Kind::kParser;
      st.parser.kind = regexp ? ParserKind::kRegexp : ParserKind::kPattern;
      Advance();
      if (!ExpectString(&st.parser.pattern)) return false;
      std::string err =
          regexp ? CheckRegexpParser(st.parser.pattern) : CheckPattern(st.parser.pattern);
      if (!err.empty()) {
        return Fail(std::string(regexp ? "invalid regexp parser: " : "invalid pattern parser: ") +
                    err);
      }
      break;
    }
    case Tok::kLineFmt:
      st.kind = Stage::Kind::kLineFormat;
      Advance();
      if (!ExpectString(&st.line_format.tmpl)) return false;
      break;
    case Tok::kDecolorize:
      st.kind = Stage::Kind::kDecolorize;
      Advance();
      break;
    case Tok::kLabelFmt:
      st.kind = Stage::Kind::kLabelFormat;
      Advance();
      if (!ParseLabelFormat(&st.label_format)) return false;
      break;
    case Tok::kDrop:
    case Tok::kKeep:
      st.kind = Stage::Kind::kDropKeep;
      st.drop_keep.keep = Is(Tok::kKeep);
      Advance();
      if (!ParseNamedMatchers(&st.drop_keep)) return false;
      break;
    case Tok::kIdentifier:
    case Tok::kOpenParen:
      st.kind = Stage::Kind::kLabelFilter;
      if (!ParseLabelFilter(&st.label_filter.expr)) return false;
      break;
    default:
      return SyntaxError({});
  }
  sel->stages.push_back(std::move(st));
  return true;
}

// Label filter operators as goyacc resolves their conflicts: `or` and `and`
// are left-associative with `and` binding tighter; `,` and juxtaposition
// (both "and") have no precedence, so the parser shifts: they group to the
// right, and an `and`/`or` that follows them also groups to the right.
namespace {
enum class FilterOp { kAnd, kOr, kComma, kJuxt };

bool ReduceBefore(FilterOp top, FilterOp next) {
  auto prec = [](FilterOp op) { return op == FilterOp::kOr ? 1 : op == FilterOp::kAnd ? 2 : 0; };
  if (prec(top) == 0 || prec(next) == 0) return false;
  return prec(top) >= prec(next);
}
}  // namespace

bool Parser::ParseLabelFilter(std::unique_ptr<LabelFilterExpr>* out) {
  std::vector<std::unique_ptr<LabelFilterExpr>> operands;
  std::vector<FilterOp> ops;
  auto reduce = [&]() {
    auto node = std::make_unique<LabelFilterExpr>();
    node->kind =
        ops.back() == FilterOp::kOr ? LabelFilterExpr::Kind::kOr : LabelFilterExpr::Kind::kAnd;
    node->right = std::move(operands.back());
    operands.pop_back();
    node->left = std::move(operands.back());
    operands.back() = std::move(node);
    ops.pop_back();
  };
  if (!Nest()) return false;
  int nested = 1;
  std::unique_ptr<LabelFilterExpr> first;
  if (!ParseLabelFilterOperand(&first)) return false;
  operands.push_back(std::move(first));
  for (;;) {
    FilterOp op;
    if (Is(Tok::kAnd)) {
      op = FilterOp::kAnd;
    } else if (Is(Tok::kOr)) {
      op = FilterOp::kOr;
    } else if (Is(Tok::kComma)) {
      op = FilterOp::kComma;
    } else if (Is(Tok::kIdentifier) || Is(Tok::kOpenParen)) {
      op = FilterOp::kJuxt;
    } else {
      break;
    }
    if (op != FilterOp::kJuxt) {
      Advance();
      if (!Is(Tok::kIdentifier) && !Is(Tok::kOpenParen)) {
        return SyntaxError({Tok::kIdentifier, Tok::kOpenParen});
      }
    }
    while (!ops.empty() && ReduceBefore(ops.back(), op)) reduce();
    if (!Nest()) return false;
    ++nested;
    ops.push_back(op);
    std::unique_ptr<LabelFilterExpr> operand;
    if (!ParseLabelFilterOperand(&operand)) return false;
    operands.push_back(std::move(operand));
  }
  while (!ops.empty()) reduce();
  depth_ -= nested;
  *out = std::move(operands.back());
  return true;
}

bool Parser::ParseLabelFilterOperand(std::unique_ptr<LabelFilterExpr>* out) {
  if (Is(Tok::kOpenParen)) {
    Advance();
    if (!Is(Tok::kIdentifier) && !Is(Tok::kOpenParen)) {
      return SyntaxError({Tok::kIdentifier, Tok::kOpenParen});
    }
    if (!ParseLabelFilter(out)) return false;
    return Expect(Tok::kCloseParen, {});
  }
  return ParseLabelFilterLeaf(out);
}

bool Parser::ParseFilterLiteral(double* out) {
  bool neg = false;
  if (Is(Tok::kAdd) || Is(Tok::kSub)) {
    neg = Is(Tok::kSub);
    Advance();
    if (!Is(Tok::kNumber)) return SyntaxError({Tok::kNumber});
  }
  std::string err;
  double v = 0;
  if (!GoParseFloat(Cur().text, &v, &err))
    return Fail("unable to parse literal as a float: " + err);
  Advance();
  *out = neg ? -v : v;
  return true;
}

bool Parser::ParseLabelFilterLeaf(std::unique_ptr<LabelFilterExpr>* out) {
  size_t start = Cur().offset;
  auto leaf = std::make_unique<LabelFilterExpr>();
  leaf->name.assign(Cur().text);
  Advance();
  Tok op = Cur().kind;
  CmpOp cmp = CmpOp::kEq;
  switch (op) {
    case Tok::kEq:
    case Tok::kCmpEq:
      cmp = CmpOp::kEq;
      break;
    case Tok::kNeq:
      cmp = CmpOp::kNeq;
      break;
    case Tok::kGt:
      cmp = CmpOp::kGt;
      break;
    case Tok::kGte:
      cmp = CmpOp::kGte;
      break;
    case Tok::kLt:
      cmp = CmpOp::kLt;
      break;
    case Tok::kLte:
      cmp = CmpOp::kLte;
      break;
    case Tok::kRe:
    case Tok::kNre:
      break;
    default:
      return SyntaxError({});
  }
  Advance();
  leaf->cmp = cmp;
  bool string_ok = op == Tok::kEq || op == Tok::kNeq || op == Tok::kRe || op == Tok::kNre;
  bool numeric_ok = op != Tok::kRe && op != Tok::kNre;
  if (Is(Tok::kString) && string_ok) {
    MatchType type = op == Tok::kEq    ? MatchType::kEqual
                     : op == Tok::kNeq ? MatchType::kNotEqual
                     : op == Tok::kRe  ? MatchType::kRegexMatch
                                       : MatchType::kRegexNoMatch;
    std::string value = std::move(tok_[0].str);
    Advance();
    leaf->kind = LabelFilterExpr::Kind::kString;
    if (!NewMatcher(type, leaf->name, std::move(value), &leaf->matcher)) return false;
  } else if (Is(Tok::kIp) && (op == Tok::kEq || op == Tok::kNeq)) {
    leaf->kind = LabelFilterExpr::Kind::kIp;
    if (!ParseIpCall(&leaf->ip_pattern)) return false;
  } else if (numeric_ok && Is(Tok::kDuration)) {
    leaf->kind = LabelFilterExpr::Kind::kDuration;
    leaf->number = static_cast<double>(Cur().duration_ns) / 1e9;
    Advance();
  } else if (numeric_ok && Is(Tok::kBytes)) {
    leaf->kind = LabelFilterExpr::Kind::kBytes;
    leaf->number = static_cast<double>(Cur().bytes);
    Advance();
  } else if (numeric_ok && (Is(Tok::kNumber) || Is(Tok::kAdd) || Is(Tok::kSub))) {
    leaf->kind = LabelFilterExpr::Kind::kNumeric;
    if (!ParseFilterLiteral(&leaf->number)) return false;
  } else if (!numeric_ok) {
    return SyntaxError({Tok::kString});
  } else if (!string_ok) {
    // Loki 2.x lists these three; 3.x adds the literal signs (+ and -).
    return SyntaxError({Tok::kBytes, Tok::kNumber, Tok::kDuration});
  } else {
    return SyntaxError({});
  }
  leaf->text.assign(src_.substr(start, prev_end_ - start));
  *out = std::move(leaf);
  return true;
}

bool Parser::ParseUnwrap(std::optional<Unwrap>* out) {
  Advance();  // |
  Advance();  // unwrap
  Unwrap u;
  switch (Cur().kind) {
    case Tok::kIdentifier:
      u.label.assign(Cur().text);
      Advance();
      break;
    case Tok::kBytesConv:
    case Tok::kDurationConv:
    case Tok::kDurationSecondsConv:
      u.conv = Is(Tok::kBytesConv)      ? UnwrapConv::kBytes
               : Is(Tok::kDurationConv) ? UnwrapConv::kDuration
                                        : UnwrapConv::kDurationSeconds;
      Advance();
      if (!Expect(Tok::kOpenParen, {Tok::kOpenParen})) return false;
      if (!Is(Tok::kIdentifier)) return SyntaxError({Tok::kIdentifier});
      u.label.assign(Cur().text);
      Advance();
      if (!Expect(Tok::kCloseParen, {Tok::kCloseParen})) return false;
      break;
    default:
      return SyntaxError(
          {Tok::kIdentifier, Tok::kBytesConv, Tok::kDurationConv, Tok::kDurationSecondsConv});
  }
  while (Is(Tok::kPipe)) {
    Advance();
    if (!Is(Tok::kIdentifier) && !Is(Tok::kOpenParen)) {
      return SyntaxError({Tok::kIdentifier, Tok::kOpenParen});
    }
    LabelFilterStage f;
    if (!ParseLabelFilter(&f.expr)) return false;
    u.post_filters.push_back(std::move(f));
  }
  *out = std::move(u);
  return true;
}

bool Parser::ParseOffset(int64_t* ns) {
  Advance();  // offset
  if (!Is(Tok::kDuration)) return SyntaxError({Tok::kDuration});
  *ns = Cur().duration_ns;
  Advance();
  return true;
}

// logRangeExpr: a selector with a pipeline and/or unwrap before or after the
// `[range]`, optionally parenthesized (see the grammar for the exact forms).
bool Parser::ParseLogRange(LogRange* out) {
  if (Is(Tok::kOpenBrace)) {
    if (!ParseSelector(&out->selector.matchers)) return false;
    if (!ParsePipeline(&out->selector, true)) return false;
    bool has_pipeline = !out->selector.stages.empty();
    if (AtUnwrap() && !ParseUnwrap(&out->unwrap)) return false;
    return ParseRangeTail(out, has_pipeline, out->unwrap.has_value(), false);
  }
  if (!Is(Tok::kOpenParen)) return SyntaxError({Tok::kOpenBrace, Tok::kOpenParen});
  Advance();
  if (Is(Tok::kOpenParen)) {
    if (!Nest() || !ParseLogRange(out)) return false;
    --depth_;
    return Expect(Tok::kCloseParen, {Tok::kCloseParen});
  }
  if (!Is(Tok::kOpenBrace)) return SyntaxError({Tok::kOpenBrace, Tok::kOpenParen});
  if (!ParseSelector(&out->selector.matchers)) return false;
  if (!ParsePipeline(&out->selector, true)) return false;
  bool has_pipeline = !out->selector.stages.empty();
  if (AtUnwrap() && !ParseUnwrap(&out->unwrap)) return false;
  bool has_unwrap = out->unwrap.has_value();
  if (Is(Tok::kCloseParen)) {
    // `( selector ... ) [range] [offset]`, plus `| unwrap` after a bare selector.
    Advance();
    if (!Is(Tok::kRange)) return SyntaxError({Tok::kRange});
    out->range_ns = Cur().duration_ns;
    Advance();
    if (Is(Tok::kOffset) && !ParseOffset(&out->offset_ns)) return false;
    if (!has_pipeline && !has_unwrap && AtUnwrap() && !ParseUnwrap(&out->unwrap)) return false;
    return true;
  }
  // `( logRangeExpr )` whose range is inside the parentheses.
  if (!ParseRangeTail(out, has_pipeline, has_unwrap, true)) return false;
  return Expect(Tok::kCloseParen, {Tok::kCloseParen});
}

bool Parser::ParseRangeTail(LogRange* out, bool has_pipeline, bool has_unwrap, bool in_parens) {
  if (!Is(Tok::kRange)) {
    if (!has_unwrap) return SyntaxError({});
    if (in_parens) return SyntaxError({Tok::kRange, Tok::kCloseParen, Tok::kPipe});
    return SyntaxError({Tok::kRange, Tok::kPipe});
  }
  out->range_ns = Cur().duration_ns;
  Advance();
  if (Is(Tok::kOffset) && !ParseOffset(&out->offset_ns)) return false;
  if (has_pipeline || has_unwrap) return true;
  // `selector [range] [offset] pipeline [unwrap]`
  if (!ParsePipeline(&out->selector, true)) return false;
  if (AtUnwrap() && !ParseUnwrap(&out->unwrap)) return false;
  return true;
}

}  // namespace lode::logql
