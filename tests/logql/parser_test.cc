// ParserTest: each LogQL construct, precedence, validation and Loki's error
// messages.

#include "logql/syntax/parser.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace lode::logql {
namespace {

ExprPtr MustParse(const std::string& q) {
  ExprPtr e;
  Status s = ParseExpr(q, &e);
  EXPECT_TRUE(s.ok()) << q << " -> " << s.message();
  return e;
}

std::string ErrorOf(const std::string& q) {
  ExprPtr e;
  Status s = ParseExpr(q, &e);
  EXPECT_FALSE(s.ok()) << q;
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  return s.message();
}

std::string Show(const LabelFilterExpr& f) {
  switch (f.kind) {
    case LabelFilterExpr::Kind::kAnd:
      return "(" + Show(*f.left) + " and " + Show(*f.right) + ")";
    case LabelFilterExpr::Kind::kOr:
      return "(" + Show(*f.left) + " or " + Show(*f.right) + ")";
    default:
      return f.text;
  }
}

std::string Show(const Expr& e) {
  char buf[64];
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      std::snprintf(buf, sizeof(buf), "%g", e.number);
      return buf;
    case Expr::Kind::kVector:
      std::snprintf(buf, sizeof(buf), "vector(%g)", e.number);
      return buf;
    case Expr::Kind::kBinOp:
      return "(" + Show(*e.lhs) + " " + BinOpName(e.binop) +
             (e.modifiers.return_bool ? " bool" : "") + " " + Show(*e.rhs) + ")";
    case Expr::Kind::kVectorAgg:
      return std::string(VectorOpName(e.vector_op)) + "(" + Show(*e.lhs) + ")";
    case Expr::Kind::kRangeAgg:
      return std::string(RangeOpName(e.range_op)) + "(...)";
    case Expr::Kind::kLabelReplace:
      return "label_replace(" + Show(*e.lhs) + ")";
    case Expr::Kind::kLogSelector:
      return "{...}";
  }
  return "?";
}

TEST(ParserTest, StreamSelector) {
  ExprPtr e = MustParse(R"({app="api", env!="dev", pod=~"api-.+", ns!~`kube.*`})");
  ASSERT_EQ(e->kind, Expr::Kind::kLogSelector);
  ASSERT_EQ(e->log.matchers.size(), 4u);
  EXPECT_EQ(e->log.matchers[0]->type(), MatchType::kEqual);
  EXPECT_EQ(e->log.matchers[1]->type(), MatchType::kNotEqual);
  EXPECT_EQ(e->log.matchers[2]->type(), MatchType::kRegexMatch);
  EXPECT_EQ(e->log.matchers[3]->name(), "ns");
  EXPECT_EQ(e->log.matchers[3]->value(), "kube.*");
  EXPECT_TRUE(e->log.stages.empty());
  EXPECT_FALSE(e->log.HasParser());
}

TEST(ParserTest, LineFilters) {
  ExprPtr e = MustParse(
      R"({a="b"} |= "x" != "y" |~ "z" !~ "w" |> "<_> a" !> "b" |= "p" or "q" |= ip("10.0.0.0/8"))");
  const auto& st = e->log.stages;
  ASSERT_EQ(st.size(), 8u);
  EXPECT_EQ(st[0].line_filter.op, LineFilterOp::kContains);
  EXPECT_EQ(st[1].line_filter.op, LineFilterOp::kNotContains);
  EXPECT_EQ(st[2].line_filter.op, LineFilterOp::kRegex);
  EXPECT_EQ(st[3].line_filter.op, LineFilterOp::kNotRegex);
  EXPECT_EQ(st[4].line_filter.op, LineFilterOp::kPattern);
  EXPECT_EQ(st[5].line_filter.op, LineFilterOp::kNotPattern);
  ASSERT_EQ(st[6].line_filter.values.size(), 2u);
  EXPECT_EQ(st[6].line_filter.values[1].value, "q");
  EXPECT_TRUE(st[7].line_filter.values[0].is_ip);
  EXPECT_EQ(st[7].line_filter.values[0].value, "10.0.0.0/8");
  // A line filter after a parser stage, and `ip()` only with |= and !=.
  EXPECT_EQ(MustParse(R"({a="b"} | json |= "x")")->log.stages.size(), 2u);
  EXPECT_EQ(ErrorOf(R"({a="b"} |~ "x" or ip("1.2.3.4"))"), "ip: invalid operation");
}

TEST(ParserTest, ParserStages) {
  ExprPtr e = MustParse(
      R"q({a="b"} | json | json x="a.b", y | logfmt | logfmt --strict --keep-empty k="v", w | regexp "(?P<ip>\\S+)" | pattern "<ip> <_>" | unpack)q");
  const auto& st = e->log.stages;
  ASSERT_EQ(st.size(), 7u);
  EXPECT_TRUE(e->log.HasParser());
  EXPECT_EQ(st[0].parser.kind, ParserKind::kJson);
  EXPECT_TRUE(st[0].parser.params.empty());
  ASSERT_EQ(st[1].parser.params.size(), 2u);
  EXPECT_EQ(st[1].parser.params[0].label, "x");
  EXPECT_EQ(st[1].parser.params[0].expr, "a.b");
  EXPECT_EQ(st[1].parser.params[1].expr, "y");
  EXPECT_FALSE(st[2].parser.strict);
  EXPECT_TRUE(st[3].parser.strict);
  EXPECT_TRUE(st[3].parser.keep_empty);
  EXPECT_EQ(st[3].parser.params.size(), 2u);
  EXPECT_EQ(st[4].parser.kind, ParserKind::kRegexp);
  EXPECT_EQ(st[4].parser.pattern, "(?P<ip>\\S+)");
  EXPECT_EQ(st[5].parser.kind, ParserKind::kPattern);
  EXPECT_EQ(st[6].parser.kind, ParserKind::kUnpack);
}

TEST(ParserTest, ParserStageValidation) {
  EXPECT_EQ(ErrorOf(R"({a="b"} | regexp "x")"),
            "parse error : invalid regexp parser: at least one named capture must be supplied");
  EXPECT_EQ(ErrorOf(R"q({a="b"} | regexp "(?P<x>.)(?P<x>.)")q"),
            "parse error : invalid regexp parser: duplicate extracted label name 'x'");
  EXPECT_EQ(ErrorOf(R"({a="b"} | regexp "(")"),
            "parse error : invalid regexp parser: error parsing regexp: missing closing ): `(`");
  EXPECT_EQ(ErrorOf(R"({a="b"} | pattern "<_> x")"),
            "parse error : invalid pattern parser: at least one capture is required");
  EXPECT_EQ(ErrorOf(R"({a="b"} | pattern "<a><b>")"),
            "parse error : invalid pattern parser: found consecutive capture '<a><b>': invalid "
            "expression");
  EXPECT_EQ(ErrorOf(R"({a="b"} | pattern "<a> <a>")"),
            "parse error : invalid pattern parser: duplicate capture name (a): invalid expression");
  EXPECT_EQ(ErrorOf(R"({a="b"} | pattern "")"),
            "parse error : invalid pattern parser: parse error at line 1, col 1: syntax error: "
            "unexpected $end, expecting IDENTIFIER or LITERAL");
  EXPECT_EQ(ErrorOf(R"({a="b"} | pattern "<f> f<d><_>")"),
            "parse error : invalid pattern parser: found consecutive capture '<d><_>': invalid "
            "expression");
  MustParse(R"({a="b"} | pattern "<_> <a>")");
}

TEST(ParserTest, LabelFilterKinds) {
  ExprPtr e = MustParse(
      R"({a="b"} | s = "x" | r =~ "y.*" | n >= 400 | m == -1.5 | d > 10s | z <= 1MB | ip = ip("10.0.0.0/8") | q != 3 | __error__ = "")");
  const auto& st = e->log.stages;
  ASSERT_EQ(st.size(), 9u);
  auto leaf = [&](size_t i) -> const LabelFilterExpr& { return *st[i].label_filter.expr; };
  EXPECT_EQ(leaf(0).kind, LabelFilterExpr::Kind::kString);
  EXPECT_EQ(leaf(0).matcher->type(), MatchType::kEqual);
  EXPECT_EQ(leaf(1).matcher->type(), MatchType::kRegexMatch);
  EXPECT_EQ(leaf(2).kind, LabelFilterExpr::Kind::kNumeric);
  EXPECT_EQ(leaf(2).name, "n");
  EXPECT_EQ(leaf(2).cmp, CmpOp::kGte);
  EXPECT_EQ(leaf(2).number, 400);
  EXPECT_EQ(leaf(2).text, "n >= 400");
  EXPECT_EQ(leaf(3).cmp, CmpOp::kEq);
  EXPECT_EQ(leaf(3).number, -1.5);
  EXPECT_EQ(leaf(4).kind, LabelFilterExpr::Kind::kDuration);
  EXPECT_EQ(leaf(4).number, 10);
  EXPECT_EQ(leaf(5).kind, LabelFilterExpr::Kind::kBytes);
  EXPECT_EQ(leaf(5).number, 1e6);
  EXPECT_EQ(leaf(6).kind, LabelFilterExpr::Kind::kIp);
  EXPECT_EQ(leaf(6).ip_pattern, "10.0.0.0/8");
  EXPECT_EQ(leaf(7).kind, LabelFilterExpr::Kind::kNumeric);
  EXPECT_EQ(leaf(7).cmp, CmpOp::kNeq);
  EXPECT_EQ(leaf(8).matcher->name(), "__error__");
}

std::string FilterTree(const std::string& filter) {
  ExprPtr e = MustParse(R"({a="b"} | )" + filter);
  return e ? Show(*e->log.stages[0].label_filter.expr) : "";
}

TEST(ParserTest, LabelFilterPrecedence) {
  EXPECT_EQ(FilterTree("a=1 or b=2 and c=3"), "(a=1 or (b=2 and c=3))");
  EXPECT_EQ(FilterTree("a=1 and b=2 or c=3"), "((a=1 and b=2) or c=3)");
  EXPECT_EQ(FilterTree("a=1 or b=2 or c=3"), "((a=1 or b=2) or c=3)");
  // `,` and juxtaposition mean "and" but group to the right (goyacc shifts).
  EXPECT_EQ(FilterTree("a=1, b=2 or c=3"), "(a=1 and (b=2 or c=3))");
  EXPECT_EQ(FilterTree("a=1 or b=2, c=3"), "(a=1 or (b=2 and c=3))");
  EXPECT_EQ(FilterTree("a=1 b=2 or c=3"), "(a=1 and (b=2 or c=3))");
  EXPECT_EQ(FilterTree("(a=1 or b=2) and c=3"), "((a=1 or b=2) and c=3)");
}

TEST(ParserTest, FormattersDropKeep) {
  ExprPtr e = MustParse(
      R"({a="b"} | line_format "{{.x}}" | label_format a=b, c="{{.d}}" | decolorize | drop x, y="z" | keep k, l=~"m.*")");
  const auto& st = e->log.stages;
  ASSERT_EQ(st.size(), 5u);
  EXPECT_EQ(st[0].line_format.tmpl, "{{.x}}");
  ASSERT_EQ(st[1].label_format.items.size(), 2u);
  EXPECT_FALSE(st[1].label_format.items[0].is_template);
  EXPECT_EQ(st[1].label_format.items[0].src, "b");
  EXPECT_TRUE(st[1].label_format.items[1].is_template);
  EXPECT_EQ(st[2].kind, Stage::Kind::kDecolorize);
  EXPECT_FALSE(st[3].drop_keep.keep);
  EXPECT_EQ(st[3].drop_keep.items[0].matcher, nullptr);
  ASSERT_NE(st[3].drop_keep.items[1].matcher, nullptr);
  EXPECT_EQ(st[3].drop_keep.items[1].name, "y");
  EXPECT_TRUE(st[4].drop_keep.keep);
  EXPECT_EQ(st[4].drop_keep.items[1].matcher->type(), MatchType::kRegexMatch);
}

TEST(ParserTest, LogRangeForms) {
  const char* forms[] = {
      R"(count_over_time({a="b"}[5m]))",
      R"(count_over_time({a="b"}[5m] offset 1h))",
      R"(count_over_time(({a="b"})[5m]))",
      R"(count_over_time({a="b"} |= "x" [5m]))",
      R"(count_over_time(({a="b"} |= "x")[5m] offset 1h))",
      R"(count_over_time({a="b"}[5m] |= "x"))",
      R"(count_over_time({a="b"}[5m] offset 1h | json))",
      R"(count_over_time(({a="b"}[5m])))",
      R"(count_over_time((({a="b"})[5m])))",
  };
  for (const char* q : forms) {
    ExprPtr e = MustParse(q);
    if (!e) continue;
    EXPECT_EQ(e->log_range.range_ns, 300'000'000'000LL) << q;
    EXPECT_EQ(e->log_range.selector.matchers.size(), 1u) << q;
  }
  ExprPtr off = MustParse(R"(count_over_time({a="b"}[5m] offset 1h | json))");
  EXPECT_EQ(off->log_range.offset_ns, 3'600'000'000'000LL);
  EXPECT_EQ(off->log_range.selector.stages.size(), 1u);
}

TEST(ParserTest, Unwrap) {
  ExprPtr e =
      MustParse(R"(sum_over_time({a="b"} | json | unwrap bytes(size) | __error__="" [1m]))");
  ASSERT_TRUE(e->log_range.unwrap.has_value());
  EXPECT_EQ(e->log_range.unwrap->label, "size");
  EXPECT_EQ(e->log_range.unwrap->conv, UnwrapConv::kBytes);
  EXPECT_EQ(e->log_range.unwrap->post_filters.size(), 1u);
  EXPECT_EQ(e->log_range.selector.stages.size(), 1u);
  EXPECT_EQ(
      MustParse(R"(max_over_time({a="b"} | unwrap duration(d) [1m]))")->log_range.unwrap->conv,
      UnwrapConv::kDuration);
  EXPECT_EQ(MustParse(R"(max_over_time({a="b"}[1m] | unwrap duration_seconds(d)))")
                ->log_range.unwrap->conv,
            UnwrapConv::kDurationSeconds);
  EXPECT_EQ(MustParse(R"(max_over_time(({a="b"})[1m] | unwrap latency))")->log_range.unwrap->label,
            "latency");
  EXPECT_EQ(MustParse(R"(max_over_time({a="b"} | unwrap bytes [1m]))")->log_range.unwrap->label,
            "bytes");
  EXPECT_EQ(
      ErrorOf(R"(max_over_time({a="b"} | unwrap x | json [1m]))"),
      "parse error at line 1, col 36: syntax error: unexpected json, expecting IDENTIFIER or (");
  EXPECT_EQ(ErrorOf(R"({a="b"} | unwrap x)"),
            "parse error at line 1, col 11: syntax error: unexpected unwrap");
}

TEST(ParserTest, RangeAggregations) {
  ExprPtr q = MustParse(R"(quantile_over_time(0.99, {a="b"} | unwrap x [5m]) by (pod))");
  EXPECT_EQ(q->range_op, RangeOp::kQuantileOverTime);
  EXPECT_EQ(*q->param, 0.99);
  ASSERT_TRUE(q->grouping.has_value());
  EXPECT_EQ(q->grouping->labels, std::vector<std::string>{"pod"});
  EXPECT_FALSE(MustParse(R"(rate({a="b"}[1m]))")->grouping.has_value());
  EXPECT_EQ(ErrorOf(R"(sum_over_time({a="b"} | unwrap x [1m]) by (a))"),
            "parse error : grouping not allowed for sum_over_time aggregation");
  EXPECT_EQ(ErrorOf(R"(sum_over_time({a="b"}[1m]))"),
            "parse error : invalid aggregation sum_over_time without unwrap");
  EXPECT_EQ(ErrorOf(R"(count_over_time({a="b"} | unwrap x [1m]))"),
            "parse error : invalid aggregation count_over_time with unwrap");
  EXPECT_EQ(ErrorOf(R"(quantile_over_time({a="b"} | unwrap x [1m]))"),
            "parse error : parameter required for operation quantile_over_time");
  EXPECT_EQ(ErrorOf(R"(rate(1, {a="b"}[1m]))"),
            "parse error : parameter 1 not supported for operation rate");
  MustParse(R"(absent_over_time({a="b"} | unwrap x [1m]))");
}

TEST(ParserTest, VectorAggregations) {
  ExprPtr a = MustParse(R"(sum by (a, b) (rate({a="b"}[1m])))");
  EXPECT_EQ(a->vector_op, VectorOp::kSum);
  EXPECT_EQ(a->grouping->labels.size(), 2u);
  ExprPtr b = MustParse(R"(avg(rate({a="b"}[1m])) without (c))");
  EXPECT_TRUE(b->grouping->without);
  ExprPtr c = MustParse(R"(count(rate({a="b"}[1m])))");
  ASSERT_TRUE(c->grouping.has_value());  // Loki's default: by ()
  EXPECT_TRUE(c->grouping->labels.empty());
  EXPECT_FALSE(c->grouping->without);
  ExprPtr t = MustParse(R"(topk by (a) (3, rate({a="b"}[1m])))");
  EXPECT_EQ(*t->param, 3);
  ExprPtr ap = MustParse(R"(approx_topk(2, rate({a="b"}[1m])))");
  EXPECT_EQ(ap->vector_op, VectorOp::kTopk);
  EXPECT_TRUE(ap->approx_topk);
  EXPECT_EQ(ErrorOf(R"(topk(1.5, rate({a="b"}[1m])))"),
            "parse error : invalid parameter topk(1.5,");
  EXPECT_EQ(ErrorOf(R"(topk(0, rate({a="b"}[1m])))"),
            "parse error : invalid parameter (must be greater than 0) topk(0");
  EXPECT_EQ(ErrorOf(R"(bottomk(rate({a="b"}[1m])))"),
            "parse error : parameter required for operation bottomk");
  EXPECT_EQ(ErrorOf(R"(sum(2, rate({a="b"}[1m])))"),
            "parse error : unsupported parameter for operation sum(2,");
  EXPECT_EQ(ErrorOf(R"(sort by (a) (rate({a="b"}[1m])))"),
            "parse error : sort and sort_desc doesn't allow grouping by ");
  EXPECT_EQ(ErrorOf(R"(approx_topk(1, rate({a="b"}[1m])) by (a))"),
            "parse error : grouping not allowed for approx_topk aggregation");
}

std::string Tree(const std::string& q) {
  ExprPtr e = MustParse(q);
  return e ? Show(*e) : "";
}

TEST(ParserTest, BinaryOperatorPrecedence) {
  EXPECT_EQ(Tree("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(Tree("1 * 2 + 3"), "((1 * 2) + 3)");
  EXPECT_EQ(Tree("2 ^ 3 ^ 2"), "(2 ^ (3 ^ 2))");
  EXPECT_EQ(Tree("10 / 5 / 2"), "((10 / 5) / 2)");
  EXPECT_EQ(Tree("-2 ^ 2"), "(-2 ^ 2)");  // the sign belongs to the literal
  EXPECT_EQ(Tree("1+1--1"), "((1 + 1) - -1)");
  EXPECT_EQ(Tree("1 + 2 > bool 2 * 1"), "((1 + 2) > bool (2 * 1))");
  const std::string r = R"(rate({a="b"}[1m]))";
  EXPECT_EQ(Tree(r + " or " + r + " and " + r + " > 1"),
            "(rate(...) or (rate(...) and (rate(...) > 1)))");
  EXPECT_EQ(Tree(r + " unless " + r + " or " + r), "((rate(...) unless rate(...)) or rate(...))");
  EXPECT_EQ(Tree("(1 + 2) * 3"), "((1 + 2) * 3)");
  EXPECT_EQ(Tree("vector(1) % 2"), "(vector(1) % 2)");
}

TEST(ParserTest, BinaryOperatorModifiers) {
  ExprPtr e = MustParse(
      R"(sum by (a, b) (rate({a="b"}[1m])) / on (a) group_left (c, d) sum by (a) (rate({a="b"}[1m])))");
  const BinOpModifiers& m = e->modifiers;
  EXPECT_TRUE(m.has_matching);
  EXPECT_TRUE(m.on);
  EXPECT_EQ(m.matching_labels, std::vector<std::string>{"a"});
  EXPECT_EQ(m.card, BinOpModifiers::Card::kManyToOne);
  EXPECT_EQ(m.include_labels.size(), 2u);
  ExprPtr g = MustParse(R"(rate({a="b"}[1m]) > bool ignoring () group_right rate({a="b"}[1m]))");
  EXPECT_TRUE(g->modifiers.return_bool);
  EXPECT_FALSE(g->modifiers.on);
  EXPECT_TRUE(g->modifiers.has_matching);
  EXPECT_EQ(g->modifiers.card, BinOpModifiers::Card::kOneToMany);
  EXPECT_EQ(ErrorOf(R"(rate({a="b"}[1m]) bool > rate({a="b"}[1m]))"),
            "parse error at line 1, col 19: syntax error: unexpected bool");
}

TEST(ParserTest, BinaryOperationLegs) {
  EXPECT_EQ(ErrorOf("1 and 2"),
            "parse error : unexpected literal for left leg of logical/set binary operation (and): "
            "1.000000");
  EXPECT_EQ(ErrorOf(R"(rate({a="b"}[1m]) or (1 + 1))"),
            "parse error : unexpected literal for right leg of logical/set binary operation (or): "
            "2.000000");
  EXPECT_EQ(
      ErrorOf(R"({a="b"} + 1)"),
      "parse error : unexpected type for left leg of binary operation (+): *syntax.MatchersExpr");
  EXPECT_EQ(
      ErrorOf(R"(1 > {a="b"} | json)"),
      "parse error : unexpected type for right leg of binary operation (>): *syntax.PipelineExpr");
}

TEST(ParserTest, LiteralsVectorLabelReplace) {
  EXPECT_EQ(MustParse("0x1.8p3")->number, 12);
  EXPECT_EQ(MustParse("-1.5e1")->number, -15);
  EXPECT_EQ(MustParse("vector(3.14)")->kind, Expr::Kind::kVector);
  EXPECT_EQ(ErrorOf("0x1A"),
            "parse error : unable to parse literal as a float: strconv.ParseFloat: parsing "
            "\"0x1A\": invalid syntax");
  EXPECT_EQ(ErrorOf(R"(vector(rate({a="b"}[1m])))"),
            "parse error at line 1, col 8: syntax error: unexpected RATE, expecting NUMBER");
  ExprPtr lr = MustParse(R"q(label_replace(rate({a="b"}[1m]), "dst", "$1", "src", "(.*)"))q");
  EXPECT_EQ(lr->dst, "dst");
  EXPECT_EQ(lr->replacement, "$1");
  EXPECT_EQ(lr->src, "src");
  EXPECT_EQ(lr->regex, "(.*)");
  EXPECT_EQ(ErrorOf(R"(label_replace(rate({a="b"}[1m]), "d", "r", "s", "("))"),
            "parse error : invalid regex in label_replace: error parsing regexp: missing closing "
            "): `^(?:()$`");
}

TEST(ParserTest, RecordedLokiErrors) {
  EXPECT_EQ(ErrorOf(R"({app="api")"),
            "parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,");
  EXPECT_EQ(ErrorOf(R"(app="api")"),
            "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER");
  EXPECT_EQ(ErrorOf(R"({app="api"} | json | status >>= 5)"),
            "parse error at line 0, col 30: syntax error: unexpected >=, expecting BYTES or NUMBER "
            "or DURATION");
  EXPECT_EQ(ErrorOf("{}"),
            "parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER");
  EXPECT_EQ(
      ErrorOf(R"({app=~".*"})"),
      "parse error : queries require at least one regexp or equality matcher that does not have an "
      "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
      "app=~\".+\" will");
  EXPECT_EQ(ErrorOf(R"(topk(x, count_over_time({app="api"}[5m])))"),
            "parse error at line 1, col 6: syntax error: unexpected IDENTIFIER");
  EXPECT_EQ(ErrorOf(R"(-sum(count_over_time({app="api"}[5m])))"),
            "parse error at line 1, col 2: syntax error: unexpected SUM, expecting NUMBER");
  EXPECT_EQ(ErrorOf(R"(rate_counter({app="api"} | json | unwrap bytes [5m]) by (env))"),
            "parse error : grouping not allowed for rate_counter aggregation");
}

TEST(ParserTest, SyntaxErrorExpectations) {
  EXPECT_EQ(
      ErrorOf(R"({a})"),
      "parse error at line 1, col 3: syntax error: unexpected }, expecting = or =~ or !~ or !=");
  EXPECT_EQ(ErrorOf(R"({a=})"),
            "parse error at line 1, col 4: syntax error: unexpected }, expecting STRING");
  EXPECT_EQ(ErrorOf(R"(count_over_time({a="b"}[5m])"),
            "parse error at line 1, col 28: syntax error: unexpected $end, expecting )");
  EXPECT_EQ(
      ErrorOf(R"(quantile_over_time(-0.5, {a="b"}[5m]))"),
      "parse error at line 1, col 20: syntax error: unexpected -, expecting NUMBER or { or (");
  EXPECT_EQ(ErrorOf(R"(sum by (a rate({a="b"}[5m])))"),
            "parse error at line 1, col 11: syntax error: unexpected RATE, expecting , or )");
  EXPECT_EQ(
      ErrorOf(R"({a="b"} |= 1)"),
      "parse error at line 1, col 12: syntax error: unexpected NUMBER, expecting STRING or ip");
  EXPECT_EQ(ErrorOf(R"({a="b"} | drop)"),
            "parse error at line 1, col 15: syntax error: unexpected $end, expecting IDENTIFIER");
  EXPECT_EQ(ErrorOf(R"({a="b"} | x == "y")"),
            "parse error at line 1, col 16: syntax error: unexpected STRING, expecting BYTES or "
            "NUMBER or DURATION");
  EXPECT_EQ(ErrorOf(R"(rate({a="b"} | unwrap x))"),
            "parse error at line 1, col 24: syntax error: unexpected ), expecting RANGE or |");
  EXPECT_EQ(ErrorOf(R"({a="b"}[5m])"),
            "parse error at line 0, col 8: syntax error: unexpected RANGE");
  EXPECT_EQ(ErrorOf(R"(sum({a="b"}))"),
            "parse error at line 1, col 12: syntax error: unexpected )");
  // Lexer errors carry the token position.
  EXPECT_EQ(ErrorOf(R"({a="\q"})"), "parse error at line 1, col 4: invalid char escape");
  EXPECT_EQ(ErrorOf(R"(rate({a="b"}[5x]))"),
            "parse error at line 0, col 13: unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(ErrorOf(""), "parse error : syntax error: unexpected $end");
  EXPECT_EQ(ErrorOf(" "), "parse error at line 1, col 2: syntax error: unexpected $end");
  // Multi-line queries report the line.
  EXPECT_EQ(ErrorOf("{a=\"b\"}\n| json\n| x"),
            "parse error at line 3, col 4: syntax error: unexpected $end");
}

TEST(ParserTest, CaseAndComments) {
  MustParse("SUM BY (app) (COUNT_OVER_TIME({a=\"b\"} |= \"x\" [5m])) # total\n");
  MustParse("sum by (rate) (rate({a=\"b\"}[5m]))");  // `rate` as a label name
  MustParse(R"({a="b"} | json | line_format "{{ if eq .status \"500\" }}BAD{{ end }}")");
}

TEST(ParserTest, MatcherRegexErrors) {
  EXPECT_EQ(ErrorOf(R"({a=~"("})"),
            "parse error : error parsing regexp: missing closing ): `^(?s:()$`");
  EXPECT_EQ(ErrorOf(R"({a="b"} | c =~ "(")"),
            "parse error : error parsing regexp: missing closing ): `^(?s:()$`");
}

TEST(ParserTest, ParseMatchers) {
  std::vector<MatcherPtr> ms;
  ASSERT_TRUE(ParseMatchers(R"({app="api", env=~"p.*"})", &ms).ok());
  EXPECT_EQ(ms.size(), 2u);
  EXPECT_EQ(ParseMatchers(R"({app="api"} |= "x")", &ms).message(),
            "only label matchers are supported");
  EXPECT_EQ(ParseMatchers(R"(rate({app="api"}[1m]))", &ms).message(),
            "only label matchers are supported");
  EXPECT_FALSE(ParseMatchers(R"({app=~".*"})", &ms).ok());
}

TEST(ParserTest, InputSizeLimit) {
  std::string q = R"({a="b"} |= ")" + std::string(5200, 'x') + "\"";
  EXPECT_EQ(ErrorOf(q),
            "parse error : input size too long (" + std::to_string(q.size()) + " > 5120)");
}

TEST(ParserTest, AstNames) {
  EXPECT_STREQ(RangeOpName(RangeOp::kBytesRate), "bytes_rate");
  EXPECT_STREQ(RangeOpName(RangeOp::kQuantileOverTime), "quantile_over_time");
  EXPECT_STREQ(VectorOpName(VectorOp::kSortDesc), "sort_desc");
  EXPECT_STREQ(BinOpName(BinOpKind::kUnless), "unless");
  EXPECT_STREQ(BinOpName(BinOpKind::kGte), ">=");
}

}  // namespace
}  // namespace lode::logql

namespace lode::logql {
namespace {

// Deep nesting is a parse error (HTTP 400), never a stack overflow: in
// parentheses, aggregations, operator chains, label filter chains and range
// parentheses.
TEST(ParserNestingTest, DeepExpressionsAreErrorsNotStackOverflows) {
  // 100k nested parentheses already exceed Loki's 5120-byte query size.
  {
    ExprPtr e;
    Status s = ParseExpr(std::string(100000, '(') + "1" + std::string(100000, ')'), &e);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(s.message(), "parse error : input size too long (200001 > 5120)");
  }
  // Within that size: as deep as the bytes allow.
  const int n = 2500;
  std::vector<std::string> deep = {
      std::string(n, '(') + "1" + std::string(n, ')'),
      [&] {
        std::string s;
        for (int i = 0; i < n / 3; ++i) s += "sum(";
        s += "count_over_time({a=\"b\"}[1m])";
        return s + std::string(n / 3, ')');
      }(),
      [&] {
        std::string s = "1";
        for (int i = 0; i < n; ++i) s += "+1";
        return s;
      }(),
      [&] {
        std::string s = "{a=\"b\"} | x > 1";
        for (int i = 0; i < n / 5; ++i) s += " or x>1";
        return s;
      }(),
      "{a=\"b\"} | " + std::string(n - 20, '(') + "x > 1" + std::string(n - 20, ')'),
      "count_over_time(" + std::string(n - 20, '(') + "{a=\"b\"}[1m]" + std::string(n - 20, ')') +
          ")",
  };
  for (const auto& q : deep) {
    ExprPtr e;
    Status s = ParseExpr(q, &e);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << q.substr(0, 40);
    EXPECT_NE(s.message().find("nested too deeply"), std::string::npos)
        << s.message().substr(0, 200);
  }
  // Realistic nesting still parses.
  ExprPtr e;
  std::string ok =
      std::string(50, '(') + "sum(rate({a=\"b\"} | x > 1 or y > 2 [5m]))" + std::string(50, ')');
  for (int i = 0; i < 50; ++i) ok += " + 1";
  EXPECT_TRUE(ParseExpr(ok, &e).ok()) << ParseExpr(ok, &e).message();
}

}  // namespace
}  // namespace lode::logql
