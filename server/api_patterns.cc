#include "server/api_patterns.h"

#include "logql/log/detected_level.h"
#include "logql/syntax/parser.h"
#include "pattern/drain.h"
#include "server/encode.h"
#include "server/request.h"

namespace lode::server {

namespace {
constexpr int64_t kHour = 3600LL * 1000000000LL;
}  // namespace

Response Patterns(const GrafanaDeps& deps, const Request& req, const std::string& tenant) {
  RangeSelection sel;
  Status s = SelectRange(req, deps.store, tenant, kHour, &sel);
  if (!s.ok()) return ErrorResponse(s);
  const int64_t start = sel.start_ns, end = sel.end_ns, step = sel.step_ns;
  const std::vector<StreamRef>& refs = sel.streams;

  pattern::PatternMiner miner(step);
  for (const auto& r : refs) {
    s = deps.store->ScanStream(
        tenant, r.id, start, end, Direction::kForward,
        [&](const EntryBatch& b) {
          for (size_t k = 0; k < b.size(); ++k) {
            const LabelView* md = b.md.data() + b.md_begin[k];
            size_t n_md = b.md_begin[k + 1] - b.md_begin[k];
            miner.Add(b.ts[k], b.line[k], logql::DetectLevel(r.labels, md, n_md, b.line[k]));
          }
          return true;
        },
        nullptr);
    if (!s.ok()) return ErrorResponse(s);
  }

  std::string out = "{\"status\":\"success\",\"data\":[";
  auto patterns = miner.Patterns();
  for (size_t i = 0; i < patterns.size(); ++i) {
    const auto& p = patterns[i];
    if (i) out.push_back(',');
    out += "{\"pattern\":";
    AppendJsonString(&out, p.pattern);
    out += ",\"level\":";
    AppendJsonString(&out, p.level);
    out += ",\"samples\":[";
    for (size_t j = 0; j < p.samples.size(); ++j) {
      if (j) out.push_back(',');
      out += "[" + std::to_string(p.samples[j].first) + "," + std::to_string(p.samples[j].second) +
             "]";
    }
    out += "]}";
  }
  out += "]}";
  return Response::Json(std::move(out));
}

}  // namespace lode::server
