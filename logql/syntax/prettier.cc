// Loki's Expr.String() and syntax.Prettify over lode's AST. The Loki AST
// differs in two places that matter here, both rebuilt on the fly:
//  - consecutive line filters form one pipeline stage in Loki (a chain), and
//    a negated filter with `or` alternatives becomes one negated filter per
//    alternative (`!= "a" or "b"` is `!= "a" != "b"`);
//  - a binary operation of two literals is folded to a literal by Loki's
//    parser.
#include "logql/syntax/prettier.h"

#include <cmath>

#include "base/labels.h"

namespace lode::logql {

namespace {

std::string Indent(int level) { return std::string(static_cast<size_t>(level) * 2, ' '); }

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

const char* LineFilterOpName(LineFilterOp op) {
  switch (op) {
    case LineFilterOp::kContains:
      return "|=";
    case LineFilterOp::kNotContains:
      return "!=";
    case LineFilterOp::kRegex:
      return "|~";
    case LineFilterOp::kNotRegex:
      return "!~";
    case LineFilterOp::kPattern:
      return "|>";
    case LineFilterOp::kNotPattern:
      return "!>";
  }
  return "";
}

bool IsNegated(LineFilterOp op) {
  return op == LineFilterOp::kNotContains || op == LineFilterOp::kNotRegex ||
         op == LineFilterOp::kNotPattern;
}

std::string FilterValue(const LineFilterValue& v) {
  return v.is_ip ? "ip(" + GoQuote(v.value) + ")" : GoQuote(v.value);
}

// One element of a Loki line filter chain: an operator and its values
// (alternatives joined by `or`).
struct FilterUnit {
  LineFilterOp op;
  std::vector<const LineFilterValue*> values;

  std::string String() const {
    std::string s = std::string(LineFilterOpName(op)) + " " + FilterValue(*values[0]);
    for (size_t i = 1; i < values.size(); ++i) s += " or " + FilterValue(*values[i]);
    return s;
  }
};

std::string ChainString(const std::vector<FilterUnit>& units, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += units[i].String();
  }
  return s;
}

const char* CmpOpName(CmpOp op) {
  switch (op) {
    case CmpOp::kEq:
      return "==";
    case CmpOp::kNeq:
      return "!=";
    case CmpOp::kGt:
      return ">";
    case CmpOp::kGte:
      return ">=";
    case CmpOp::kLt:
      return "<";
    case CmpOp::kLte:
      return "<=";
  }
  return "";
}

std::string LabelFilterString(const LabelFilterExpr& f) {
  switch (f.kind) {
    case LabelFilterExpr::Kind::kAnd:
      return "( " + LabelFilterString(*f.left) + " , " + LabelFilterString(*f.right) + " )";
    case LabelFilterExpr::Kind::kOr:
      return "( " + LabelFilterString(*f.left) + " or " + LabelFilterString(*f.right) + " )";
    case LabelFilterExpr::Kind::kString:
      return f.matcher->ToString();
    case LabelFilterExpr::Kind::kNumeric:
      return f.name + CmpOpName(f.cmp) + GoFormatFloatF(f.number);
    case LabelFilterExpr::Kind::kDuration:
      return f.name + CmpOpName(f.cmp) + GoDurationString(std::llround(f.number * 1e9));
    case LabelFilterExpr::Kind::kBytes:
      return f.name + CmpOpName(f.cmp) + HumanizeBytes(f.number);
    case LabelFilterExpr::Kind::kIp:
      return f.name + (f.cmp == CmpOp::kNeq ? "!=" : "=") + "ip(" + GoQuote(f.ip_pattern) + ")";
  }
  return "";
}

std::string ExtractionParams(const std::vector<ExtractionParam>& params) {
  std::vector<std::string> parts;
  for (const auto& p : params) parts.push_back(p.label + "=" + GoQuote(p.expr));
  return Join(parts, ",");
}

std::string NamedMatchers(const std::vector<NamedMatcher>& items) {
  std::vector<std::string> parts;
  for (const auto& m : items) parts.push_back(m.matcher ? m.matcher->ToString() : m.name);
  return Join(parts, ",");
}

// A pipeline element as Loki sees it: a line filter chain or one other stage.
struct Element {
  std::vector<FilterUnit> chain;  // non-empty for a line filter chain
  const Stage* stage = nullptr;   // otherwise

  std::string String() const;
};

std::string StageString(const Stage& st) {
  switch (st.kind) {
    case Stage::Kind::kLineFilter:
      return "";  // handled as chains
    case Stage::Kind::kParser: {
      const ParserStage& p = st.parser;
      switch (p.kind) {
        case ParserKind::kJson:
          return p.params.empty() ? "| json" : "| json " + ExtractionParams(p.params);
        case ParserKind::kLogfmt: {
          if (p.params.empty()) {
            std::string s = "| logfmt";
            if (p.strict) s += " --strict";
            if (p.keep_empty) s += " --keep-empty";
            return s;
          }
          std::string s = "| logfmt ";
          if (p.strict) s += "--strict ";
          if (p.keep_empty) s += "--keep-empty ";
          return s + ExtractionParams(p.params);
        }
        case ParserKind::kRegexp:
          return "| regexp " + GoQuote(p.pattern);
        case ParserKind::kPattern:
          return "| pattern " + GoQuote(p.pattern);
        case ParserKind::kUnpack:
          return "| unpack";
      }
      return "";
    }
    case Stage::Kind::kLabelFilter:
      return "| " + LabelFilterString(*st.label_filter.expr);
    case Stage::Kind::kLineFormat:
      return "| line_format " + GoQuote(st.line_format.tmpl);
    case Stage::Kind::kLabelFormat: {
      std::vector<std::string> parts;
      for (const auto& item : st.label_format.items) {
        parts.push_back(item.dst + "=" + (item.is_template ? GoQuote(item.src) : item.src));
      }
      return "| label_format " + Join(parts, ",");
    }
    case Stage::Kind::kDecolorize:
      return "| decolorize";
    case Stage::Kind::kDropKeep:
      return std::string(st.drop_keep.keep ? "| keep " : "| drop ") +
             NamedMatchers(st.drop_keep.items);
  }
  return "";
}

std::string Element::String() const {
  return chain.empty() ? StageString(*stage) : ChainString(chain, chain.size());
}

std::vector<Element> Elements(const LogSelectorExpr& sel) {
  std::vector<Element> out;
  bool in_chain = false;
  for (const Stage& st : sel.stages) {
    if (st.kind != Stage::Kind::kLineFilter) {
      out.push_back(Element{{}, &st});
      in_chain = false;
      continue;
    }
    if (!in_chain) out.push_back(Element{});
    in_chain = true;
    const LineFilterStage& lf = st.line_filter;
    if (IsNegated(lf.op)) {
      for (const auto& v : lf.values) out.back().chain.push_back(FilterUnit{lf.op, {&v}});
    } else {
      FilterUnit u{lf.op, {}};
      for (const auto& v : lf.values) u.values.push_back(&v);
      out.back().chain.push_back(std::move(u));
    }
  }
  return out;
}

std::string MatchersString(const LogSelectorExpr& sel) {
  std::vector<std::string> parts;
  for (const auto& m : sel.matchers) parts.push_back(m->ToString());
  return "{" + Join(parts, ", ") + "}";
}

std::string SelectorString(const LogSelectorExpr& sel) {
  std::string s = MatchersString(sel);
  std::vector<Element> els = Elements(sel);
  if (els.empty()) return s;
  std::vector<std::string> parts;
  for (const auto& e : els) parts.push_back(e.String());
  return s + " " + Join(parts, " ");
}

const char* UnwrapConvName(UnwrapConv c) {
  switch (c) {
    case UnwrapConv::kNone:
      return "";
    case UnwrapConv::kDuration:
      return "duration";
    case UnwrapConv::kDurationSeconds:
      return "duration_seconds";
    case UnwrapConv::kBytes:
      return "bytes";
  }
  return "";
}

std::string UnwrapHead(const Unwrap& u) {
  if (u.conv == UnwrapConv::kNone) return "| unwrap " + u.label;
  return std::string("| unwrap ") + UnwrapConvName(u.conv) + "(" + u.label + ")";
}

std::string LogRangeString(const LogRange& r) {
  std::string s = SelectorString(r.selector);
  if (r.unwrap) {
    s += " " + UnwrapHead(*r.unwrap);
    for (const auto& f : r.unwrap->post_filters) s += " | " + LabelFilterString(*f.expr);
  }
  s += "[" + PromDurationString(r.range_ns) + "]";
  if (r.offset_ns != 0) s += " offset " + GoDurationString(r.offset_ns);
  return s;
}

std::string GroupingString(const Grouping& g) {
  return std::string(g.without ? " without (" : " by (") + Join(g.labels, ",") + ")";
}

std::string GroupingPretty(const Grouping& g) {
  std::string s;
  if (g.without) {
    s += " without";
  } else if (!g.labels.empty()) {
    s += " by";
  }
  if (!g.labels.empty()) s += " (" + Join(g.labels, ", ") + ")";
  return s;
}

std::string VectorOpString(const Expr& e) {
  return e.approx_topk ? "approx_topk" : VectorOpName(e.vector_op);
}

bool AlwaysHasParam(const Expr& e) {
  return e.approx_topk || e.vector_op == VectorOp::kTopk || e.vector_op == VectorOp::kBottomk;
}

int64_t VectorParam(const Expr& e) { return e.param ? static_cast<int64_t>(*e.param) : 0; }

std::string BinOpString(const Expr& e) {
  std::string op = BinOpName(e.binop);
  const BinOpModifiers& m = e.modifiers;
  if (m.return_bool) op += " bool";
  if (m.has_matching) {
    std::string group;
    if (m.card == BinOpModifiers::Card::kManyToOne) group = "group_left";
    if (m.card == BinOpModifiers::Card::kOneToMany) group = "group_right";
    if (!m.include_labels.empty()) group += " (" + Join(m.include_labels, ",") + ")";
    op += std::string(m.on ? " on (" : " ignoring (") + Join(m.matching_labels, ",") + ") " + group;
  }
  return op;
}

std::string BinOpPretty(const Expr& e) {
  std::string op = BinOpName(e.binop);
  const BinOpModifiers& m = e.modifiers;
  if (m.return_bool) op += " bool";
  if (m.has_matching) {
    std::string group;
    if (m.card == BinOpModifiers::Card::kManyToOne) group = "group_left";
    if (m.card == BinOpModifiers::Card::kOneToMany) group = "group_right";
    if (!m.include_labels.empty()) group += " (" + Join(m.include_labels, ", ") + ")";
    if (!m.matching_labels.empty()) {
      op += std::string(m.on ? " on (" : " ignoring (") + Join(m.matching_labels, ", ") + ") " +
            group;
    }
  }
  return op;
}

// Loki's parser folds `literal op literal` (arithmetic and comparison) into
// one literal.
bool FoldLiterals(const Expr& e, double* out) {
  if (e.kind == Expr::Kind::kLiteral) {
    *out = e.number;
    return true;
  }
  if (e.kind != Expr::Kind::kBinOp) return false;
  double l, r;
  if (!FoldLiterals(*e.lhs, &l) || !FoldLiterals(*e.rhs, &r)) return false;
  switch (e.binop) {
    case BinOpKind::kAdd:
      *out = l + r;
      return true;
    case BinOpKind::kSub:
      *out = l - r;
      return true;
    case BinOpKind::kMul:
      *out = l * r;
      return true;
    case BinOpKind::kDiv:
      *out = l / r;
      return true;
    case BinOpKind::kMod:
      *out = std::fmod(l, r);
      return true;
    case BinOpKind::kPow:
      *out = std::pow(l, r);
      return true;
    case BinOpKind::kEq:
      *out = l == r;
      return true;
    case BinOpKind::kNeq:
      *out = l != r;
      return true;
    case BinOpKind::kGt:
      *out = l > r;
      return true;
    case BinOpKind::kGte:
      *out = l >= r;
      return true;
    case BinOpKind::kLt:
      *out = l < r;
      return true;
    case BinOpKind::kLte:
      *out = l <= r;
      return true;
    default:
      return false;
  }
}

class Printer {
 public:
  explicit Printer(size_t max) : max_(max) {}

  std::string Pretty(const Expr& e, int level) const {
    const std::string s = ExprString(e);
    const bool split = s.size() > max_;
    if (double v; FoldLiterals(e, &v)) return Indent(level) + s;
    switch (e.kind) {
      case Expr::Kind::kLogSelector:
        return split ? SelectorPretty(e.log, level) : Indent(level) + s;
      case Expr::Kind::kLiteral:
      case Expr::Kind::kVector:
        return Indent(level) + s;
      case Expr::Kind::kRangeAgg:
        return split ? RangeAggPretty(e, level) : Indent(level) + s;
      case Expr::Kind::kVectorAgg:
        return split ? VectorAggPretty(e, level) : Indent(level) + s;
      case Expr::Kind::kBinOp:
        if (!split) return Indent(level) + s;
        return Pretty(*e.lhs, level + 1) + "\n" + Indent(level) + BinOpPretty(e) + "\n" +
               Pretty(*e.rhs, level + 1);
      case Expr::Kind::kLabelReplace:
        return split ? LabelReplacePretty(e, level) : Indent(level) + s;
    }
    return s;
  }

 private:
  // Loki's LineFilterExpr.Pretty: the chain without its last filter is
  // printed (split or not on its own length), then the last filter.
  std::string ChainPretty(const std::vector<FilterUnit>& units, size_t n, int level) const {
    const std::string s = ChainString(units, n);
    if (s.size() <= max_) return Indent(level) + s;
    std::string out;
    if (n > 1) out = ChainPretty(units, n - 1, level) + "\n";
    return out + Indent(level) + units[n - 1].String();
  }

  std::string ElementPretty(const Element& el, int level) const {
    if (!el.chain.empty()) return ChainPretty(el.chain, el.chain.size(), level);
    // Loki prints `| decolorize` without indentation.
    if (el.stage->kind == Stage::Kind::kDecolorize) return StageString(*el.stage);
    return Indent(level) + StageString(*el.stage);
  }

  // Loki's PipelineExpr.Pretty, called once the pipeline is too long.
  std::string SelectorPretty(const LogSelectorExpr& sel, int level) const {
    std::string s = Indent(level) + MatchersString(sel);
    std::vector<Element> els = Elements(sel);
    if (els.empty()) return s;
    s += "\n";
    for (size_t i = 0; i < els.size(); ++i) {
      s += ElementPretty(els[i], level + 1);
      if (i + 1 < els.size()) s += "\n";
    }
    return s;
  }

  std::string LogRangePretty(const LogRange& r, int level) const {
    const std::string sel = SelectorString(r.selector);
    std::string s = sel.size() > max_ ? SelectorPretty(r.selector, level) : Indent(level) + sel;
    if (r.unwrap) {
      s += "\n" + Indent(level + 1) + UnwrapHead(*r.unwrap);
      for (const auto& f : r.unwrap->post_filters) {
        s += "\n" + Indent(level + 1) + "| " + LabelFilterString(*f.expr);
      }
    }
    s += " [" + PromDurationString(r.range_ns) + "]";
    if (r.offset_ns != 0) s += " offset " + PromDurationString(r.offset_ns);
    return s;
  }

  std::string RangeAggPretty(const Expr& e, int level) const {
    std::string s = Indent(level) + RangeOpName(e.range_op) + "(\n";
    if (e.param) s += Indent(level + 1) + GoFormatFloatV(*e.param) + ",\n";
    s += LogRangePretty(e.log_range, level + 1);
    s += "\n" + Indent(level) + ")";
    if (e.grouping) s += GroupingPretty(*e.grouping);
    return s;
  }

  std::string VectorAggPretty(const Expr& e, int level) const {
    std::vector<std::string> params;
    const std::string left = Pretty(*e.lhs, level + 1);
    if (AlwaysHasParam(e) || VectorParam(e) != 0) {
      params.push_back(Indent(level + 1) + std::to_string(VectorParam(e)));
    }
    params.push_back(left);
    std::string s = Indent(level) + VectorOpString(e);
    if (e.grouping) s += GroupingPretty(*e.grouping);
    s += "(\n";
    for (size_t i = 0; i < params.size(); ++i) {
      s += params[i];
      if (i + 1 < params.size()) s += ",";
      s += "\n";
    }
    return s + Indent(level) + ")";
  }

  std::string LabelReplacePretty(const Expr& e, int level) const {
    std::string s = Indent(level) + "label_replace(\n";
    const std::vector<std::string> params = {
        Pretty(*e.lhs, level + 1), Indent(level + 1) + GoQuote(e.dst),
        Indent(level + 1) + GoQuote(e.replacement), Indent(level + 1) + GoQuote(e.src),
        Indent(level + 1) + GoQuote(e.regex)};
    for (size_t i = 0; i < params.size(); ++i) {
      s += params[i];
      if (i + 1 < params.size()) s += ",";
      s += "\n";
    }
    return s + Indent(level) + ")";
  }

  size_t max_;
};

}  // namespace

std::string ExprString(const Expr& e) {
  if (double v; e.kind == Expr::Kind::kBinOp && FoldLiterals(e, &v)) return GoFormatFloatV(v);
  switch (e.kind) {
    case Expr::Kind::kLogSelector:
      return SelectorString(e.log);
    case Expr::Kind::kRangeAgg: {
      std::string s = std::string(RangeOpName(e.range_op)) + "(";
      if (e.param) s += GoFormatFloatF(*e.param) + ",";
      s += LogRangeString(e.log_range) + ")";
      if (e.grouping) s += GroupingString(*e.grouping);
      return s;
    }
    case Expr::Kind::kVectorAgg: {
      std::string s = VectorOpString(e);
      if (e.grouping && (e.grouping->without || !e.grouping->labels.empty())) {
        s += GroupingString(*e.grouping);
      }
      s += "(";
      if (AlwaysHasParam(e) || VectorParam(e) != 0) s += std::to_string(VectorParam(e)) + ",";
      return s + ExprString(*e.lhs) + ")";
    }
    case Expr::Kind::kBinOp:
      return "(" + ExprString(*e.lhs) + " " + BinOpString(e) + " " + ExprString(*e.rhs) + ")";
    case Expr::Kind::kLiteral:
      return GoFormatFloatV(e.number);
    case Expr::Kind::kVector: {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "vector(%f)", e.number);
      return buf;
    }
    case Expr::Kind::kLabelReplace:
      return "label_replace(" + ExprString(*e.lhs) + "," + GoQuote(e.dst) + "," +
             GoQuote(e.replacement) + "," + GoQuote(e.src) + "," + GoQuote(e.regex) + ")";
  }
  return "";
}

std::string Prettify(const Expr& e, size_t max_chars_per_line) {
  return Printer(max_chars_per_line).Pretty(e, 0);
}

}  // namespace lode::logql
