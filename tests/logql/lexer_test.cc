// LogqlLexerTest: the LogQL token stream (Loki's lexer on Go's
// text/scanner). LogqlDurationTest: LogQL duration and byte literals.

#include "logql/syntax/lexer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "logql/syntax/parser.h"

namespace lode::logql {
namespace {

std::vector<Token> Lex(std::string_view src) {
  Lexer lx(src);
  std::vector<Token> out;
  for (;;) {
    Token t;
    lx.Next(&t);
    out.push_back(t);
    if (t.kind == Tok::kEnd || t.kind == Tok::kError) break;
  }
  return out;
}

std::vector<Tok> Kinds(std::string_view src) {
  std::vector<Tok> k;
  for (const Token& t : Lex(src)) k.push_back(t.kind);
  return k;
}

TEST(LogqlLexerTest, SelectorTokens) {
  auto toks = Lex(R"({app="api", env!="dev", x=~"a.*", y!~`b`})");
  std::vector<Tok> want = {Tok::kOpenBrace,  Tok::kIdentifier, Tok::kEq,  Tok::kString,
                           Tok::kComma,      Tok::kIdentifier, Tok::kNeq, Tok::kString,
                           Tok::kComma,      Tok::kIdentifier, Tok::kRe,  Tok::kString,
                           Tok::kComma,      Tok::kIdentifier, Tok::kNre, Tok::kString,
                           Tok::kCloseBrace, Tok::kEnd};
  ASSERT_EQ(toks.size(), want.size());
  for (size_t i = 0; i < want.size(); i++) EXPECT_EQ(toks[i].kind, want[i]) << i;
  EXPECT_EQ(toks[1].text, "app");
  EXPECT_EQ(toks[3].str, "api");
  EXPECT_EQ(toks[15].str, "b");
}

TEST(LogqlLexerTest, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(
      Kinds("BY Without BOOL Json LOGFMT unwrap OR and Unless offset"),
      (std::vector<Tok>{Tok::kBy, Tok::kWithout, Tok::kBool, Tok::kJson, Tok::kLogfmt, Tok::kUnwrap,
                        Tok::kOr, Tok::kAnd, Tok::kUnless, Tok::kOffset, Tok::kEnd}));
}

TEST(LogqlLexerTest, FunctionNamesNeedACall) {
  // `sum` is SUM before `(` or `by (`, an identifier otherwise.
  EXPECT_EQ(Kinds("sum(x)")[0], Tok::kSum);
  EXPECT_EQ(Kinds("SUM by (a) (x)")[0], Tok::kSum);
  EXPECT_EQ(Kinds("sum without(a)(x)")[0], Tok::kSum);
  EXPECT_EQ(Kinds("sum")[0], Tok::kIdentifier);
  EXPECT_EQ(Kinds("by (rate, count)"),
            (std::vector<Tok>{Tok::kBy, Tok::kOpenParen, Tok::kIdentifier, Tok::kComma,
                              Tok::kIdentifier, Tok::kCloseParen, Tok::kEnd}));
  EXPECT_EQ(Kinds("bytes [")[0], Tok::kIdentifier);
  EXPECT_EQ(Kinds("bytes(x)")[0], Tok::kBytesConv);
  EXPECT_EQ(Kinds("ip (\"x\")")[0], Tok::kIp);
  EXPECT_EQ(Kinds("ip x")[0], Tok::kIdentifier);
  EXPECT_EQ(Kinds("label_replace x")[0], Tok::kIdentifier);
  EXPECT_EQ(Kinds("approx_topk(")[0], Tok::kApproxTopk);
}

TEST(LogqlLexerTest, Operators) {
  EXPECT_EQ(
      Kinds("|= != |~ !~ |> !> | == >= <= > < = + - * / % ^ ."),
      (std::vector<Tok>{Tok::kPipeExact, Tok::kNeq,  Tok::kPipeMatch, Tok::kNre, Tok::kPipePattern,
                        Tok::kNpa,       Tok::kPipe, Tok::kCmpEq,     Tok::kGte, Tok::kLte,
                        Tok::kGt,        Tok::kLt,   Tok::kEq,        Tok::kAdd, Tok::kSub,
                        Tok::kMul,       Tok::kDiv,  Tok::kMod,       Tok::kPow, Tok::kDot,
                        Tok::kEnd}));
  // `>>=` is `>` then `>=`; unknown characters are identifiers.
  EXPECT_EQ(Kinds(">>="), (std::vector<Tok>{Tok::kGt, Tok::kGte, Tok::kEnd}));
  EXPECT_EQ(Kinds("@ !"), (std::vector<Tok>{Tok::kIdentifier, Tok::kIdentifier, Tok::kEnd}));
}

TEST(LogqlLexerTest, PositionsAreLokis) {
  auto toks = Lex("{a=\"b\"}\n  |= \"x\" >= 1");
  // `{` at 1:1, `|=` completed with Next(): line 0, col 3.
  EXPECT_EQ(toks[0].line, 1);
  EXPECT_EQ(toks[0].col, 1);
  EXPECT_EQ(toks[5].kind, Tok::kPipeExact);
  EXPECT_EQ(toks[5].line, 0);
  EXPECT_EQ(toks[5].col, 3);
  EXPECT_EQ(toks[6].kind, Tok::kString);
  EXPECT_EQ(toks[6].line, 2);
  EXPECT_EQ(toks[6].col, 6);
  EXPECT_EQ(toks[7].line, 0);  // >=
  EXPECT_EQ(toks[8].kind, Tok::kNumber);
  EXPECT_EQ(toks[8].line, 2);
  EXPECT_EQ(toks[8].col, 13);
  EXPECT_EQ(toks[9].kind, Tok::kEnd);
  EXPECT_EQ(toks[9].line, 2);
  EXPECT_EQ(toks[9].col, 14);
  // Columns count characters, not bytes.
  auto u = Lex("\"ä\" x");
  EXPECT_EQ(u[1].col, 5);
}

TEST(LogqlLexerTest, NumbersDurationsBytes) {
  auto t = Lex("1 1.5 .5 1e3 0x1p3 5m 1h30m 1.5h 1d 2w -5m 10KB 1.5MiB 1k 42B");
  EXPECT_EQ(t[0].kind, Tok::kNumber);
  EXPECT_EQ(t[1].text, "1.5");
  EXPECT_EQ(t[2].text, ".5");
  EXPECT_EQ(t[3].text, "1e3");
  EXPECT_EQ(t[4].text, "0x1p3");
  EXPECT_EQ(t[5].kind, Tok::kDuration);
  EXPECT_EQ(t[5].duration_ns, 300'000'000'000LL);
  EXPECT_EQ(t[5].line, 0);
  EXPECT_EQ(t[6].duration_ns, 5'400'000'000'000LL);
  EXPECT_EQ(t[7].duration_ns, 5'400'000'000'000LL);
  EXPECT_EQ(t[8].duration_ns, 86'400'000'000'000LL);
  EXPECT_EQ(t[9].duration_ns, 14 * 86'400'000'000'000LL);
  EXPECT_EQ(t[10].kind, Tok::kDuration);
  EXPECT_EQ(t[10].duration_ns, -300'000'000'000LL);
  EXPECT_EQ(t[11].kind, Tok::kBytes);
  EXPECT_EQ(t[11].bytes, 10'000u);
  EXPECT_EQ(t[12].bytes, 1'572'864u);
  EXPECT_EQ(t[13].bytes, 1'000u);
  EXPECT_EQ(t[14].bytes, 42u);
  // `1mb`: the duration `1m` wins, then identifier `b`; `1b` is not bytes.
  EXPECT_EQ(Kinds("1mb"), (std::vector<Tok>{Tok::kDuration, Tok::kIdentifier, Tok::kEnd}));
  EXPECT_EQ(Kinds("1b"), (std::vector<Tok>{Tok::kNumber, Tok::kIdentifier, Tok::kEnd}));
  // `-` before a number is SUB unless a duration follows.
  EXPECT_EQ(Kinds("-1"), (std::vector<Tok>{Tok::kSub, Tok::kNumber, Tok::kEnd}));
  EXPECT_EQ(Kinds("1--1"),
            (std::vector<Tok>{Tok::kNumber, Tok::kSub, Tok::kSub, Tok::kNumber, Tok::kEnd}));
}

TEST(LogqlLexerTest, NumberScannerErrors) {
  auto t = Lex("08");
  ASSERT_EQ(t.back().kind, Tok::kError);
  EXPECT_EQ(t.back().str, "invalid digit '8' in octal literal");
  EXPECT_EQ(Lex("1e").back().str, "exponent has no digits");
  EXPECT_EQ(Lex("0x1.8").back().str, "hexadecimal mantissa requires a 'p' exponent");
  EXPECT_EQ(Lex("1__0").back().str, "'_' must separate successive digits");
  // Binary, octal and hex integers scan fine (the parser rejects them as floats).
  EXPECT_EQ(Lex("0b1010")[0].kind, Tok::kNumber);
  EXPECT_EQ(Lex("0x1A")[0].text, "0x1A");
}

TEST(LogqlLexerTest, Strings) {
  auto t = Lex(R"("a\"b\n\x41\u00e9\101" `raw\n`)");
  ASSERT_EQ(t[0].kind, Tok::kString);
  EXPECT_EQ(t[0].str,
            "a\"b\nA\xC3\xA9"
            "A");
  EXPECT_EQ(t[1].str, "raw\\n");
  auto bad = Lex(R"({a="\q"})");
  EXPECT_EQ(bad.back().kind, Tok::kError);
  EXPECT_EQ(bad.back().str, "invalid char escape");
  EXPECT_EQ(bad.back().col, 4);
  EXPECT_EQ(Lex("\"abc").back().str, "literal not terminated");
  EXPECT_EQ(Lex("\"a\nb\"").back().str, "literal not terminated");
  EXPECT_EQ(Lex(R"("\400")").back().str, "invalid syntax");
  EXPECT_EQ(Lex(R"("\ud800")").back().str, "invalid syntax");
  // Raw strings may span lines.
  auto multi = Lex("`a\nb` x");
  EXPECT_EQ(multi[0].str, "a\nb");
  EXPECT_EQ(multi[1].line, 2);
  EXPECT_EQ(multi[1].col, 4);
  // Go char literals are identifiers to Loki.
  EXPECT_EQ(Lex("'a'")[0].kind, Tok::kIdentifier);
  EXPECT_EQ(Lex("'ab'").back().str, "invalid char literal");
}

TEST(LogqlLexerTest, Ranges) {
  auto t = Lex("[5m] [1h30m] [1y]");
  EXPECT_EQ(t[0].kind, Tok::kRange);
  EXPECT_EQ(t[0].duration_ns, 300'000'000'000LL);
  EXPECT_EQ(t[0].line, 0);
  EXPECT_EQ(t[1].duration_ns, 5'400'000'000'000LL);
  EXPECT_EQ(t[2].duration_ns, 365 * 86'400'000'000'000LL);
  EXPECT_EQ(Lex("[5x]").back().str, "unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(Lex("[1.5m]").back().str, "unknown unit \".\" in duration \"1.5m\"");
  EXPECT_EQ(Lex("[5m1h]").back().str, "not a valid duration string: \"5m1h\"");
  EXPECT_EQ(Lex("[]").back().str, "empty duration string");
  auto open = Lex("x [5m");
  EXPECT_EQ(open.back().str, "missing closing ']' in duration");
  EXPECT_EQ(open.back().line, 0);
  EXPECT_EQ(open.back().col, 3);
}

TEST(LogqlLexerTest, CommentsAndFlags) {
  EXPECT_EQ(Kinds("a # comment ) (\nb"),
            (std::vector<Tok>{Tok::kIdentifier, Tok::kIdentifier, Tok::kEnd}));
  EXPECT_EQ(Kinds("a // c\nb /* x\ny */ c"),
            (std::vector<Tok>{Tok::kIdentifier, Tok::kIdentifier, Tok::kIdentifier, Tok::kEnd}));
  EXPECT_EQ(Lex("/* open").back().str, "comment not terminated");
  auto t = Lex("--strict --keep-empty --other");
  EXPECT_EQ(t[0].kind, Tok::kParserFlag);
  EXPECT_EQ(t[0].str, "--strict");
  EXPECT_EQ(t[1].str, "--keep-empty");
  EXPECT_EQ(t[2].kind, Tok::kSub);
}

TEST(LogqlLexerTest, TokNamesFollowLoki) {
  EXPECT_STREQ(TokName(Tok::kEnd), "$end");
  EXPECT_STREQ(TokName(Tok::kCloseBrace), "}");
  EXPECT_STREQ(TokName(Tok::kSum), "SUM");
  EXPECT_STREQ(TokName(Tok::kIp), "ip");
  EXPECT_STREQ(TokName(Tok::kGte), ">=");
  EXPECT_STREQ(TokName(Tok::kRange), "RANGE");
  // goyacc lists expected tokens in declaration order.
  EXPECT_LT(Tok::kBytes, Tok::kNumber);
  EXPECT_LT(Tok::kNumber, Tok::kDuration);
  EXPECT_LT(Tok::kCloseBrace, Tok::kComma);
  EXPECT_LT(Tok::kNre, Tok::kNeq);
}

TEST(LogqlDurationTest, LokiDurations) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseDuration("1h30m", &ns).ok());
  EXPECT_EQ(ns, 5'400'000'000'000LL);
  ASSERT_TRUE(ParseDuration("1d", &ns).ok());
  EXPECT_EQ(ns, 86'400'000'000'000LL);
  ASSERT_TRUE(ParseDuration("1.5h", &ns).ok());
  EXPECT_EQ(ns, 5'400'000'000'000LL);
  ASSERT_TRUE(ParseDuration("500ms", &ns).ok());
  EXPECT_EQ(ns, 500'000'000LL);
  ASSERT_TRUE(ParseDuration("-2s", &ns).ok());
  EXPECT_EQ(ns, -2'000'000'000LL);
  EXPECT_EQ(ParseDuration("1.5d", &ns).message(), "time: unknown unit \"d\" in duration \"1.5d\"");
  EXPECT_FALSE(ParseDuration("abc", &ns).ok());
}

TEST(LogqlDurationTest, Bytes) {
  double b = 0;
  ASSERT_TRUE(ParseBytes("10KB", &b).ok());
  EXPECT_EQ(b, 10000);
  ASSERT_TRUE(ParseBytes("1.5MiB", &b).ok());
  EXPECT_EQ(b, 1572864);
  ASSERT_TRUE(ParseBytes("42", &b).ok());
  EXPECT_EQ(b, 42);
  ASSERT_TRUE(ParseBytes("1 gb", &b).ok());
  EXPECT_EQ(b, 1e9);
  ASSERT_TRUE(ParseBytes("1,000B", &b).ok());
  EXPECT_EQ(b, 1000);
  ASSERT_TRUE(ParseBytes("1.5B", &b).ok());
  EXPECT_EQ(b, 1);  // truncated like Go's uint64 conversion
  EXPECT_EQ(ParseBytes("-5", &b).message(), "strconv.ParseFloat: parsing \"\": invalid syntax");
  EXPECT_EQ(ParseBytes("5XB", &b).message(), "unhandled size name: xb");
}

}  // namespace
}  // namespace lode::logql
