// Helpers for the evaluator tests: hand-built metric ASTs and a fake
// SampleSource serving fixed series.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/labels.h"
#include "logql/evaluator.h"
#include "logql/syntax/ast.h"

namespace lode::logql::evaltest {

inline int64_t Sec(double s) { return std::llround(s * 1e9); }

inline Labels L(std::initializer_list<std::pair<const char*, const char*>> kv) {
  Labels ls;
  for (const auto& [k, v] : kv) ls.push_back(Label{k, v});
  SortLabels(&ls);
  return ls;
}

inline MatcherPtr Eq(const char* name, const char* value) {
  MatcherPtr m;
  EXPECT_TRUE(LabelMatcher::Create(MatchType::kEqual, name, value, &m).ok());
  return m;
}

inline MatcherPtr Re(const char* name, const char* value) {
  MatcherPtr m;
  EXPECT_TRUE(LabelMatcher::Create(MatchType::kRegexMatch, name, value, &m).ok());
  return m;
}

// Options of Range(): RangeOpts().offset_ns(..).unwrap(true).param(..).
struct RangeOpts {
  int64_t offset_v = 0;
  bool unwrap_v = false;
  std::optional<double> param_v;
  std::vector<MatcherPtr> matchers_v;

  RangeOpts& offset_ns(int64_t v) {
    offset_v = v;
    return *this;
  }
  RangeOpts& unwrap(bool v) {
    unwrap_v = v;
    return *this;
  }
  RangeOpts& param(double v) {
    param_v = v;
    return *this;
  }
  RangeOpts& matchers(std::vector<MatcherPtr> v) {
    matchers_v = std::move(v);
    return *this;
  }
};

inline ExprPtr Range(RangeOp op, int64_t range_ns, RangeOpts o = {}) {
  auto e = std::make_unique<Expr>();
  e->kind = Expr::Kind::kRangeAgg;
  e->range_op = op;
  e->log_range.range_ns = range_ns;
  e->log_range.offset_ns = o.offset_v;
  if (o.unwrap_v) e->log_range.unwrap = Unwrap{"v", UnwrapConv::kNone, {}};
  e->log_range.selector.matchers = o.matchers_v;
  e->param = o.param_v;
  return e;
}

inline Grouping By(std::vector<std::string> names) { return Grouping{false, std::move(names)}; }
inline Grouping Without(std::vector<std::string> names) { return Grouping{true, std::move(names)}; }

inline ExprPtr VecAgg(VectorOp op, ExprPtr inner, std::optional<Grouping> g = std::nullopt,
                      std::optional<double> param = std::nullopt) {
  auto e = std::make_unique<Expr>();
  e->kind = Expr::Kind::kVectorAgg;
  e->vector_op = op;
  e->lhs = std::move(inner);
  e->grouping = std::move(g);
  e->param = param;
  return e;
}

inline ExprPtr Bin(BinOpKind op, ExprPtr l, ExprPtr r, BinOpModifiers m = {}) {
  auto e = std::make_unique<Expr>();
  e->kind = Expr::Kind::kBinOp;
  e->binop = op;
  e->modifiers = std::move(m);
  e->lhs = std::move(l);
  e->rhs = std::move(r);
  return e;
}

inline BinOpModifiers Bool() {
  BinOpModifiers m;
  m.return_bool = true;
  return m;
}

inline BinOpModifiers Matching(bool on, std::vector<std::string> labels, bool return_bool = false,
                               BinOpModifiers::Card card = BinOpModifiers::Card::kOneToOne,
                               std::vector<std::string> include = {}) {
  BinOpModifiers m;
  m.return_bool = return_bool;
  m.has_matching = true;
  m.on = on;
  m.matching_labels = std::move(labels);
  m.card = card;
  m.include_labels = std::move(include);
  return m;
}

inline ExprPtr Lit(double v) {
  auto e = std::make_unique<Expr>();
  e->kind = Expr::Kind::kLiteral;
  e->number = v;
  return e;
}

inline ExprPtr Vec(double v) {
  auto e = std::make_unique<Expr>();
  e->kind = Expr::Kind::kVector;
  e->number = v;
  return e;
}

inline ExprPtr LabelReplace(ExprPtr inner, std::string dst, std::string repl, std::string src,
                            std::string regex) {
  auto e = std::make_unique<Expr>();
  e->kind = Expr::Kind::kLabelReplace;
  e->lhs = std::move(inner);
  e->dst = std::move(dst);
  e->replacement = std::move(repl);
  e->src = std::move(src);
  e->regex = std::move(regex);
  return e;
}

// Serves fixed series per range aggregation node (or `all` for any node),
// trimmed to the requested (from, to] span.
struct FakeSource {
  std::map<const Expr*, std::vector<SampleSeries>> per_node;
  std::vector<SampleSeries> all;
  int calls = 0;
  int64_t last_from = 0, last_to = 0;

  void Add(Labels ls, std::vector<std::pair<double, double>> sec_values) {
    SampleSeries s{std::move(ls), {}};
    for (auto [t, v] : sec_values) s.samples.push_back(Sample{Sec(t), v});
    all.push_back(std::move(s));
  }
  void AddFor(const Expr* node, Labels ls, std::vector<std::pair<double, double>> sec_values) {
    SampleSeries s{std::move(ls), {}};
    for (auto [t, v] : sec_values) s.samples.push_back(Sample{Sec(t), v});
    per_node[node].push_back(std::move(s));
  }
  // `n` samples of value v every `every` seconds from `first`.
  void AddRepeat(Labels ls, double first, double every, int n, double v = 1) {
    std::vector<std::pair<double, double>> pts;
    for (int i = 0; i < n; ++i) pts.emplace_back(first + i * every, v);
    Add(std::move(ls), std::move(pts));
  }

  SampleSource AsSource() {
    return [this](const Expr& node, int64_t from, int64_t to, std::vector<SampleSeries>* out) {
      ++calls;
      last_from = from;
      last_to = to;
      auto it = per_node.find(&node);
      const std::vector<SampleSeries>& src = it != per_node.end() ? it->second : all;
      for (const SampleSeries& s : src) {
        SampleSeries t{s.labels, {}};
        for (const Sample& x : s.samples) {
          if (x.ts > from && x.ts <= to) t.samples.push_back(x);
        }
        out->push_back(std::move(t));
      }
      return Status::OK();
    };
  }
};

inline EvalParams Instant(double at_sec) {
  EvalParams p;
  p.instant = true;
  p.start_ns = p.end_ns = Sec(at_sec);
  return p;
}

inline EvalParams RangeQ(double from_sec, double to_sec, double step_sec) {
  EvalParams p;
  p.start_ns = Sec(from_sec);
  p.end_ns = Sec(to_sec);
  p.step_ns = Sec(step_sec);
  return p;
}

inline EvalResult MustEval(const Expr& e, const EvalParams& p, FakeSource* src) {
  EvalResult r;
  Status st = Evaluate(e, p, src->AsSource(), &r);
  EXPECT_TRUE(st.ok()) << st.message();
  return r;
}

// Value of the series with labels `ls` at step time t (seconds); nullopt when
// the series or the point is missing.
inline std::optional<double> At(const EvalResult& r, const Labels& ls, double t_sec) {
  for (const Series& s : r.series) {
    if (s.metric != ls) continue;
    for (const Point& p : s.points) {
      if (p.t_ns == Sec(t_sec)) return p.v;
    }
  }
  return std::nullopt;
}

// One row per series: the values at every step ("_" for a gap), e.g.
// `{app="a"} 1 2 _`, rows sorted; for comparing against logqltest-style
// expectations.
inline std::vector<std::string> Rows(const EvalResult& r, double from, double to, double step) {
  std::vector<std::string> rows;
  for (const Series& s : r.series) {
    std::string row = LabelsToString(s.metric);
    for (double t = from; t <= to + 1e-9; t += step) {
      std::optional<double> v;
      for (const Point& p : s.points) {
        if (p.t_ns == Sec(t)) v = p.v;
      }
      char buf[64];
      if (!v) {
        row += " _";
      } else {
        std::snprintf(buf, sizeof(buf), " %.10g", *v);
        row += buf;
      }
    }
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace lode::logql::evaltest
