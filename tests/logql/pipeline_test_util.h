// Helpers for the pipeline tests: build a Pipeline or SampleExtractor from
// LogQL text and run lines through it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/labels.h"
#include "logql/log/pipeline.h"
#include "logql/syntax/parser.h"

namespace lode::logql::pipeline_test {

inline Labels L(std::string_view text) {
  Labels out;
  Status s = ParseLabels(text, &out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

inline std::string S(const Labels& ls) { return LabelsToString(ls); }

// Parses a log query and compiles its pipeline; *err receives the failure.
inline std::unique_ptr<Pipeline> MakePipeline(std::string_view query, std::string* err = nullptr) {
  ExprPtr e;
  Status s = ParseExpr(query, &e);
  if (s.ok() && e->kind != Expr::Kind::kLogSelector) s = Status::InvalidArgument("not a log query");
  std::unique_ptr<Pipeline> p;
  if (s.ok()) s = Pipeline::Create(e->log, &p);
  if (!s.ok()) {
    if (err) *err = s.message();
    return nullptr;
  }
  return p;
}

// The error of a query that must fail (parse or pipeline creation).
inline std::string PipelineError(std::string_view query) {
  std::string err;
  auto p = MakePipeline(query, &err);
  EXPECT_EQ(p, nullptr) << query;
  return err;
}

struct Result {
  bool kept = false;
  std::string line;
  Labels all, stream, metadata, parsed;
};

// Runs one line of a stream through `query`.
inline Result RunLine(std::string_view query, std::string_view stream, std::string_view line,
                      std::vector<LabelView> md = {}) {
  Result r;
  std::string err;
  auto p = MakePipeline(query, &err);
  EXPECT_NE(p, nullptr) << query << ": " << err;
  if (!p) return r;
  auto sp = p->ForStream(L(stream));
  r.kept = sp->Process(1, line, md.data(), md.size());
  if (r.kept) {
    r.line = std::string(sp->line());
    r.all = sp->labels().all;
    r.stream = sp->labels().stream;
    r.metadata = sp->labels().structured_metadata;
    r.parsed = sp->labels().parsed;
  }
  return r;
}

// The labels of a kept line, as `{a="1", ...}`; "dropped" otherwise.
inline std::string RunLabels(std::string_view query, std::string_view stream, std::string_view line,
                             std::vector<LabelView> md = {}) {
  Result r = RunLine(query, stream, line, std::move(md));
  return r.kept ? S(r.all) : "dropped";
}

inline bool Keeps(std::string_view query, std::string_view line) {
  return RunLine(query, "{app=\"a\"}", line).kept;
}

// The range aggregation of a metric query (the first one found).
inline const Expr* FindRange(const Expr* e) {
  if (!e) return nullptr;
  if (e->kind == Expr::Kind::kRangeAgg) return e;
  if (const Expr* r = FindRange(e->lhs.get())) return r;
  return FindRange(e->rhs.get());
}

inline std::unique_ptr<SampleExtractor> MakeExtractor(std::string_view query,
                                                      std::string* err = nullptr) {
  ExprPtr e;
  Status s = ParseExpr(query, &e);
  const Expr* r = s.ok() ? FindRange(e.get()) : nullptr;
  if (s.ok() && !r) s = Status::InvalidArgument("no range aggregation");
  std::unique_ptr<SampleExtractor> x;
  if (s.ok()) s = SampleExtractor::Create(*r, &x);
  if (!s.ok()) {
    if (err) *err = s.message();
    return nullptr;
  }
  return x;
}

struct Sample {
  bool ok = false;
  double value = 0;
  std::string labels;
};

inline Sample Extract(std::string_view query, std::string_view stream, std::string_view line,
                      std::vector<LabelView> md = {}) {
  Sample out;
  std::string err;
  auto x = MakeExtractor(query, &err);
  EXPECT_NE(x, nullptr) << query << ": " << err;
  if (!x) return out;
  auto sx = x->ForStream(L(stream));
  out.ok = sx->Process(1, line, md.data(), md.size(), &out.value);
  if (out.ok) out.labels = S(sx->labels().all);
  return out;
}

}  // namespace lode::logql::pipeline_test
