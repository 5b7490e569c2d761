// Fuzzes the parser stages on arbitrary lines: json (plain and with
// extraction paths), logfmt (plain and strict), pattern, regexp, unpack, and
// label filters and formatters after them.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "logql/log/pipeline.h"
#include "logql/syntax/parser.h"

namespace {

std::vector<std::unique_ptr<lode::logql::StreamPipeline>>* Pipelines() {
  static auto* out = [] {
    const char* queries[] = {
        R"q({a="b"} | json)q",
        R"q({a="b"} | json status="response.status", first="items[0]" | status >= 500)q",
        R"q({a="b"} | logfmt | level="error" or duration > 1s)q",
        R"q({a="b"} | logfmt --strict --keep-empty)q",
        R"q({a="b"} | pattern "<ip> - - [<_>] \"<method> <path> <_>\" <status> <size>")q",
        R"q({a="b"} | regexp "(?P<method>\\w+) (?P<path>\\S+)")q",
        R"q({a="b"} | unpack | line_format "{{.app}} {{__line__ | trunc 20}}")q",
        R"q({a="b"} |= "error" |~ "(?i)time(out)?" | json | label_format x="{{.level}}-{{.status}}" | drop __error__)q",
        R"q({a="b"} | decolorize | logfmt | keep level, msg | size > 10KB)q",
    };
    auto* v = new std::vector<std::unique_ptr<lode::logql::StreamPipeline>>();
    lode::Labels stream;
    (void)lode::ParseLabels(R"({a="b", app="api"})", &stream);
    for (const char* q : queries) {
      lode::logql::ExprPtr e;
      if (!lode::logql::ParseExpr(q, &e).ok()) __builtin_trap();
      std::unique_ptr<lode::logql::Pipeline> p;
      if (!lode::logql::Pipeline::Create(e->log, &p).ok()) __builtin_trap();
      v->push_back(p->ForStream(stream));
      static std::vector<std::unique_ptr<lode::logql::Pipeline>> keep;
      keep.push_back(std::move(p));
    }
    return v;
  }();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  for (auto& p : *Pipelines()) (void)p->Process(1700000000000000000LL, line, nullptr, 0);
  return 0;
}
