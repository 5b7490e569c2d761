// LogQL token names and keywords (Loki's `tokens` and `functionTokens`).

#include <string_view>

#include "logql/syntax/lexer.h"

namespace lode::logql {

namespace {

struct Keyword {
  std::string_view text;
  Tok tok;
};

// Loki's functionTokens: tokens only when a call follows (`(`, `by (`,
// `without (`), identifiers otherwise.
constexpr Keyword kFunctionTokens[] = {
    {"rate", Tok::kRate},
    {"rate_counter", Tok::kRateCounter},
    {"count_over_time", Tok::kCountOverTime},
    {"bytes_rate", Tok::kBytesRate},
    {"bytes_over_time", Tok::kBytesOverTime},
    {"avg_over_time", Tok::kAvgOverTime},
    {"sum_over_time", Tok::kSumOverTime},
    {"min_over_time", Tok::kMinOverTime},
    {"max_over_time", Tok::kMaxOverTime},
    {"stdvar_over_time", Tok::kStdvarOverTime},
    {"stddev_over_time", Tok::kStddevOverTime},
    {"quantile_over_time", Tok::kQuantileOverTime},
    {"first_over_time", Tok::kFirstOverTime},
    {"last_over_time", Tok::kLastOverTime},
    {"absent_over_time", Tok::kAbsentOverTime},
    {"vector", Tok::kVector},
    {"sum", Tok::kSum},
    {"avg", Tok::kAvg},
    {"max", Tok::kMax},
    {"min", Tok::kMin},
    {"count", Tok::kCount},
    {"stddev", Tok::kStddev},
    {"stdvar", Tok::kStdvar},
    {"bottomk", Tok::kBottomk},
    {"topk", Tok::kTopk},
    {"sort", Tok::kSort},
    {"sort_desc", Tok::kSortDesc},
    {"label_replace", Tok::kLabelReplace},
    {"approx_topk", Tok::kApproxTopk},
    {"bytes", Tok::kBytesConv},
    {"duration", Tok::kDurationConv},
    {"duration_seconds", Tok::kDurationSecondsConv},
    {"ip", Tok::kIp},
};

// Loki's `tokens` map entries that are words (always keywords).
constexpr Keyword kKeywords[] = {
    {"by", Tok::kBy},
    {"without", Tok::kWithout},
    {"bool", Tok::kBool},
    {"offset", Tok::kOffset},
    {"on", Tok::kOn},
    {"ignoring", Tok::kIgnoring},
    {"group_left", Tok::kGroupLeft},
    {"group_right", Tok::kGroupRight},
    {"or", Tok::kOr},
    {"and", Tok::kAnd},
    {"unless", Tok::kUnless},
    {"json", Tok::kJson},
    {"regexp", Tok::kRegexp},
    {"logfmt", Tok::kLogfmt},
    {"unpack", Tok::kUnpack},
    {"pattern", Tok::kPattern},
    {"label_format", Tok::kLabelFmt},
    {"line_format", Tok::kLineFmt},
    {"decolorize", Tok::kDecolorize},
    {"drop", Tok::kDrop},
    {"keep", Tok::kKeep},
    {"unwrap", Tok::kUnwrap},
};

constexpr int32_t kEof = -1;
constexpr int32_t kBadRune = -2;

}  // namespace

Tok LookupKeyword(std::string_view lower, bool* needs_call) {
  for (const Keyword& k : kFunctionTokens) {
    if (k.text == lower) {
      *needs_call = true;
      return k.tok;
    }
  }
  *needs_call = false;
  for (const Keyword& k : kKeywords) {
    if (k.text == lower) return k.tok;
  }
  return Tok::kIdentifier;
}

const char* TokName(Tok t) {
  switch (t) {
    case Tok::kEnd:
      return "$end";
    case Tok::kError:
      return "error";
    case Tok::kBytes:
      return "BYTES";
    case Tok::kIdentifier:
      return "IDENTIFIER";
    case Tok::kString:
      return "STRING";
    case Tok::kNumber:
      return "NUMBER";
    case Tok::kParserFlag:
      return "PARSER_FLAG";
    case Tok::kDuration:
      return "DURATION";
    case Tok::kRange:
      return "RANGE";
    case Tok::kMatchers:
      return "MATCHERS";
    case Tok::kLabels:
      return "LABELS";
    case Tok::kEq:
      return "=";
    case Tok::kRe:
      return "=~";
    case Tok::kNre:
      return "!~";
    case Tok::kNpa:
      return "!>";
    case Tok::kOpenBrace:
      return "{";
    case Tok::kCloseBrace:
      return "}";
    case Tok::kOpenBracket:
      return "[";
    case Tok::kCloseBracket:
      return "]";
    case Tok::kComma:
      return ",";
    case Tok::kDot:
      return ".";
    case Tok::kPipeMatch:
      return "|~";
    case Tok::kPipeExact:
      return "|=";
    case Tok::kPipePattern:
      return "|>";
    case Tok::kOpenParen:
      return "(";
    case Tok::kCloseParen:
      return ")";
    case Tok::kBy:
      return "by";
    case Tok::kWithout:
      return "without";
    case Tok::kCountOverTime:
      return "COUNT_OVER_TIME";
    case Tok::kRate:
      return "RATE";
    case Tok::kRateCounter:
      return "RATE_COUNTER";
    case Tok::kSum:
      return "SUM";
    case Tok::kSort:
      return "SORT";
    case Tok::kSortDesc:
      return "SORT_DESC";
    case Tok::kAvg:
      return "AVG";
    case Tok::kMax:
      return "MAX";
    case Tok::kMin:
      return "MIN";
    case Tok::kCount:
      return "COUNT";
    case Tok::kStddev:
      return "STDDEV";
    case Tok::kStdvar:
      return "STDVAR";
    case Tok::kBottomk:
      return "BOTTOMK";
    case Tok::kTopk:
      return "TOPK";
    case Tok::kApproxTopk:
      return "APPROX_TOPK";
    case Tok::kBytesOverTime:
      return "BYTES_OVER_TIME";
    case Tok::kBytesRate:
      return "BYTES_RATE";
    case Tok::kBool:
      return "bool";
    case Tok::kJson:
      return "json";
    case Tok::kXml:
      return "XML";
    case Tok::kRegexp:
      return "regexp";
    case Tok::kLogfmt:
      return "logfmt";
    case Tok::kPipe:
      return "|";
    case Tok::kLineFmt:
      return "line_format";
    case Tok::kLabelFmt:
      return "label_format";
    case Tok::kUnwrap:
      return "unwrap";
    case Tok::kAvgOverTime:
      return "AVG_OVER_TIME";
    case Tok::kSumOverTime:
      return "SUM_OVER_TIME";
    case Tok::kMinOverTime:
      return "MIN_OVER_TIME";
    case Tok::kMaxOverTime:
      return "MAX_OVER_TIME";
    case Tok::kStdvarOverTime:
      return "STDVAR_OVER_TIME";
    case Tok::kStddevOverTime:
      return "STDDEV_OVER_TIME";
    case Tok::kQuantileOverTime:
      return "QUANTILE_OVER_TIME";
    case Tok::kBytesConv:
      return "BYTES_CONV";
    case Tok::kDurationConv:
      return "DURATION_CONV";
    case Tok::kDurationSecondsConv:
      return "DURATION_SECONDS_CONV";
    case Tok::kFirstOverTime:
      return "FIRST_OVER_TIME";
    case Tok::kLastOverTime:
      return "LAST_OVER_TIME";
    case Tok::kAbsentOverTime:
      return "ABSENT_OVER_TIME";
    case Tok::kVector:
      return "VECTOR";
    case Tok::kLabelReplace:
      return "label_replace";
    case Tok::kUnpack:
      return "unpack";
    case Tok::kOffset:
      return "offset";
    case Tok::kPattern:
      return "pattern";
    case Tok::kIp:
      return "ip";
    case Tok::kOn:
      return "on";
    case Tok::kIgnoring:
      return "ignoring";
    case Tok::kGroupLeft:
      return "group_left";
    case Tok::kGroupRight:
      return "group_right";
    case Tok::kDecolorize:
      return "decolorize";
    case Tok::kDrop:
      return "drop";
    case Tok::kKeep:
      return "keep";
    case Tok::kOr:
      return "or";
    case Tok::kAnd:
      return "and";
    case Tok::kUnless:
      return "unless";
    case Tok::kCmpEq:
      return "==";
    case Tok::kNeq:
      return "!=";
    case Tok::kLt:
      return "<";
    case Tok::kLte:
      return "<=";
    case Tok::kGt:
      return ">";
    case Tok::kGte:
      return ">=";
    case Tok::kAdd:
      return "+";
    case Tok::kSub:
      return "-";
    case Tok::kMul:
      return "*";
    case Tok::kDiv:
      return "/";
    case Tok::kMod:
      return "%";
    case Tok::kPow:
      return "^";
  }
  return "$unk";
}

}  // namespace lode::logql
