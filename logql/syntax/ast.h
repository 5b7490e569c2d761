// LogQL abstract syntax tree.
//
// The parser (logql/parser.h) produces these nodes; the pipeline
// (logql/pipeline.h) and the evaluator (logql/evaluator.h) consume them. Nodes
// are plain structs owned through unique_ptr by their parent; an Expr tree is
// immutable after parsing and may be shared read-only across threads.
//
// Naming follows Loki's pkg/logql/syntax so that its semantics map one to one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/labels.h"

namespace lode::logql {

// ---------------------------------------------------------------------------
// Log pipeline stages: `{selector} | stage | stage ...`
// ---------------------------------------------------------------------------

enum class LineFilterOp {
  kContains,     // |=
  kNotContains,  // !=
  kRegex,        // |~
  kNotRegex,     // !~
  kPattern,      // |>
  kNotPattern,   // !>
};

// One operand of a line filter: a string, or `ip("...")` (only with |= and !=).
struct LineFilterValue {
  bool is_ip = false;
  std::string value;  // the literal / regex / pattern / ip pattern
};

// `|= "a" or "b"`: values are alternatives (Loki's `or` inside a filter).
struct LineFilterStage {
  LineFilterOp op = LineFilterOp::kContains;
  std::vector<LineFilterValue> values;  // size >= 1
};

enum class ParserKind { kJson, kLogfmt, kRegexp, kPattern, kUnpack };

// `json a="x.y", b` / `logfmt a="k", b`: an extraction parameter. For json
// the expression is a JSON path (`a.b`, `l[0]`, `h["User-Agent"]`); for logfmt
// it is a key. `b` alone means label b from expression "b".
struct ExtractionParam {
  std::string label;
  std::string expr;
};

struct ParserStage {
  ParserKind kind = ParserKind::kJson;
  std::string pattern;                  // regexp / pattern source
  std::vector<ExtractionParam> params;  // json / logfmt parameters (may be empty)
  bool strict = false;                  // logfmt --strict
  bool keep_empty = false;              // logfmt --keep-empty
};

enum class CmpOp { kEq, kNeq, kGt, kGte, kLt, kLte };

// A label filter expression tree: `a > 1 and (b = "x" or c =~ "y")`.
struct LabelFilterExpr {
  enum class Kind {
    kAnd,       // left, right
    kOr,        // left, right
    kString,    // matcher (name, type, value)
    kNumeric,   // name cmp number
    kDuration,  // name cmp duration (value in seconds, as float)
    kBytes,     // name cmp bytes (value in bytes, as float)
    kIp,        // name = ip("...") / name != ip("...")
  };
  Kind kind = Kind::kString;
  std::unique_ptr<LabelFilterExpr> left, right;  // kAnd / kOr
  MatcherPtr matcher;                            // kString
  std::string name;                              // kNumeric / kDuration / kBytes / kIp
  CmpOp cmp = CmpOp::kEq;                        // kNumeric / kDuration / kBytes / kIp (kEq/kNeq)
  double number = 0;                             // kNumeric / kDuration (seconds) / kBytes
  std::string ip_pattern;                        // kIp
  std::string text;                              // source text of the leaf (for errors)
};

struct LabelFilterStage {
  std::unique_ptr<LabelFilterExpr> expr;
};

struct LineFormatStage {
  std::string tmpl;  // Go text/template source
};

// `label_format dst=src` (rename) or `dst="{{template}}"`.
struct LabelFormatItem {
  std::string dst;
  std::string src;  // label name (rename) or template source
  bool is_template = false;
};

struct LabelFormatStage {
  std::vector<LabelFormatItem> items;
};

// `drop a, b="x"` / `keep a, b=~"y"`: a bare name, or a matcher on it.
struct NamedMatcher {
  std::string name;
  MatcherPtr matcher;  // null for a bare name
};

struct DropKeepStage {
  bool keep = false;
  std::vector<NamedMatcher> items;
};

struct Stage {
  enum class Kind {
    kLineFilter,
    kParser,
    kLabelFilter,
    kLineFormat,
    kLabelFormat,
    kDecolorize,
    kDropKeep
  };
  Kind kind;
  LineFilterStage line_filter;
  ParserStage parser;
  LabelFilterStage label_filter;
  LineFormatStage line_format;
  LabelFormatStage label_format;
  DropKeepStage drop_keep;
};

// `{a="b"} | ...`
struct LogSelectorExpr {
  std::vector<MatcherPtr> matchers;  // the stream selector, in source order
  std::vector<Stage> stages;

  bool HasParser() const;
};

// ---------------------------------------------------------------------------
// Metric expressions
// ---------------------------------------------------------------------------

enum class UnwrapConv { kNone, kDuration, kDurationSeconds, kBytes };

struct Unwrap {
  std::string label;
  UnwrapConv conv = UnwrapConv::kNone;
  std::vector<LabelFilterStage> post_filters;  // `| unwrap x | __error__=""`
};

// `{...} | ... [5m] offset 1h` / `({...} | ...)[5m]` with optional unwrap.
struct LogRange {
  LogSelectorExpr selector;
  int64_t range_ns = 0;
  int64_t offset_ns = 0;
  std::optional<Unwrap> unwrap;
};

enum class RangeOp {
  kRate,
  kRateCounter,
  kCountOverTime,
  kBytesRate,
  kBytesOverTime,
  kAbsentOverTime,
  kSumOverTime,
  kAvgOverTime,
  kMinOverTime,
  kMaxOverTime,
  kStdvarOverTime,
  kStddevOverTime,
  kQuantileOverTime,
  kFirstOverTime,
  kLastOverTime,
};

const char* RangeOpName(RangeOp op);

struct Grouping {
  bool without = false;
  std::vector<std::string> labels;  // may be empty: `by ()`
};

enum class VectorOp {
  kSum,
  kAvg,
  kMin,
  kMax,
  kCount,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kSort,
  kSortDesc
};

const char* VectorOpName(VectorOp op);

enum class BinOpKind {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEq,
  kNeq,
  kGt,
  kGte,
  kLt,
  kLte,
  kAnd,
  kOr,
  kUnless,
};

const char* BinOpName(BinOpKind op);

struct BinOpModifiers {
  bool return_bool = false;
  // on(...) / ignoring(...)
  bool has_matching = false;
  bool on = false;  // true: on, false: ignoring
  std::vector<std::string> matching_labels;
  // group_left(...) / group_right(...)
  enum class Card { kOneToOne, kManyToOne /*group_left*/, kOneToMany /*group_right*/ };
  Card card = Card::kOneToOne;
  std::vector<std::string> include_labels;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    kLogSelector,   // log query: log
    kRangeAgg,      // range_op, log_range, param, grouping(optional)
    kVectorAgg,     // vector_op, grouping, param, lhs (the inner expression)
    kBinOp,         // binop, modifiers, lhs, rhs
    kLiteral,       // number
    kVector,        // vector(number)
    kLabelReplace,  // lhs, dst, replacement, src, regex
  };
  Kind kind;

  // kLogSelector
  LogSelectorExpr log;

  // kRangeAgg
  RangeOp range_op = RangeOp::kCountOverTime;
  LogRange log_range;
  std::optional<Grouping> grouping;  // kRangeAgg (optional) and kVectorAgg
  std::optional<double> param;       // quantile_over_time's q; topk/bottomk's k

  // kVectorAgg
  VectorOp vector_op = VectorOp::kSum;
  // `approx_topk(k, ...)`: vector_op is kTopk. Loki allows it only in
  // instant queries ("only supported on instant queries") and without
  // grouping (rejected by the parser).
  bool approx_topk = false;

  // kBinOp
  BinOpKind binop = BinOpKind::kAdd;
  BinOpModifiers modifiers;

  ExprPtr lhs;  // kVectorAgg inner; kBinOp left; kLabelReplace inner
  ExprPtr rhs;  // kBinOp right

  // kLiteral / kVector
  double number = 0;

  // kLabelReplace
  std::string dst, replacement, src, regex;

  bool IsLogQuery() const { return kind == Kind::kLogSelector; }

  // Whether the query refers to label `name` anywhere a label is read: the
  // stream selector, label filters (also after unwrap), grouping, binary
  // operator matching, unwrap, label_format sources, drop/keep, label_replace,
  // and line_format/label_format templates (by `.name` in the template text).
  bool ReferencesLabel(std::string_view name) const;
};

}  // namespace lode::logql
