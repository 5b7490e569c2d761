// Helpers for the template engine tests: compile and run a template over a
// label set, returning the output or the error text.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "logql/template/template.h"

namespace lode::logql::template_test {

using Labels = std::vector<std::pair<std::string, std::string>>;

// The compile error message, or "" when the template compiles.
inline std::string Compile(std::string_view src) {
  std::unique_ptr<Template> t;
  Status st = Template::Compile(src, &t);
  return st.ok() ? "" : st.message();
}

// Runs src; *err receives the error message ("" on success).
inline std::string Run(std::string_view src, Labels labels, std::string_view line, int64_t ts,
                       std::string* err) {
  std::unique_ptr<Template> t;
  Status st = Template::Compile(src, &t);
  if (!st.ok()) {
    *err = "compile: " + st.message();
    return "";
  }
  std::sort(labels.begin(), labels.end());
  std::vector<LabelView> views;
  for (const auto& l : labels) views.push_back(LabelView{l.first, l.second});
  TemplateContext ctx;
  ctx.labels = views.data();
  ctx.n_labels = views.size();
  ctx.line = line;
  ctx.ts_ns = ts;
  std::string out;
  st = t->Execute(ctx, &out);
  *err = st.ok() ? "" : st.message();
  return out;
}

// The output; a failed execution fails the test.
inline std::string Exec(std::string_view src, Labels labels = {}, std::string_view line = "",
                        int64_t ts = 0) {
  std::string err;
  std::string out = Run(src, std::move(labels), line, ts, &err);
  EXPECT_EQ(err, "") << "template: " << src;
  return out;
}

// The execution error message ("" when it succeeds).
inline std::string ExecErr(std::string_view src, Labels labels = {}, std::string_view line = "",
                           int64_t ts = 0) {
  std::string err;
  Run(src, std::move(labels), line, ts, &err);
  return err;
}

}  // namespace lode::logql::template_test
