// Fuzzes the LogQL lexer and parser; queries that parse are also compiled
// into their pipeline or sample extractor, and checked with ReferencesLabel.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "logql/log/pipeline.h"
#include "logql/syntax/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view q(reinterpret_cast<const char*>(data), size);
  lode::logql::ExprPtr expr;
  if (!lode::logql::ParseExpr(q, &expr).ok()) return 0;
  (void)expr->ReferencesLabel("detected_level");
  if (expr->IsLogQuery()) {
    std::unique_ptr<lode::logql::Pipeline> p;
    (void)lode::logql::Pipeline::Create(expr->log, &p);
  } else if (expr->kind == lode::logql::Expr::Kind::kRangeAgg) {
    std::unique_ptr<lode::logql::SampleExtractor> x;
    (void)lode::logql::SampleExtractor::Create(*expr, &x);
  }
  std::vector<lode::MatcherPtr> matchers;
  (void)lode::logql::ParseMatchers(q, &matchers);
  return 0;
}
