// Fuzzes the Go template engine of line_format/label_format: compile the
// input as a template, then run it over a fixed set of labels and a line.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "logql/template/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view src(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<lode::logql::Template> t;
  if (!lode::logql::Template::Compile(src, &t).ok()) return 0;
  static const lode::LabelView labels[] = {
      {"app", "api"},
      {"duration", "1.5s"},
      {"level", "error"},
      {"msg", "GET /a 500 12ms"},
      {"size", "10KiB"},
      {"status", "500"},
      {"ts", "2024-01-02T03:04:05Z"},
  };
  lode::logql::TemplateContext ctx;
  ctx.labels = labels;
  ctx.n_labels = sizeof(labels) / sizeof(labels[0]);
  ctx.line = "level=error msg=\"boom\" status=500";
  ctx.ts_ns = 1700000000123456789LL;
  std::string out;
  (void)t->Execute(ctx, &out);
  return 0;
}
