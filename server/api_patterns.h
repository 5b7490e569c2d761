// Log patterns (Loki's /loki/api/v1/patterns): `query` (a stream selector),
// `start`, `end` (default the last hour) and `step` (default
// max(1s, range/250)). Every line of the matching streams in [start, end)
// goes through a PatternMiner (pattern/drain.h), per detected level.
// Response, as Loki's:
//   {"status":"success","data":[{"pattern":"<_> level=info msg=<_>",
//     "level":"info","samples":[[<bucket start, s>,<count>],...]},...]}
// most frequent pattern first. Lines are grouped by their detected level
// (logql/detected_level.h), as Loki's pattern ingester groups them.
#pragma once

#include "server/api_grafana.h"

namespace lode::server {

Response Patterns(const GrafanaDeps& deps, const Request& req, const std::string& tenant);

}  // namespace lode::server
