// Loki's legacy query API (Api::LegacyQuery, LegacyLabels,
// LegacyLabelValues; /api/prom/series is Api::Series and /api/prom/tail is
// in api_tail.cc). Shapes are Loki's pkg/util/marshal/legacy:
//   query:
//   {"streams":[{"labels":"{a=\"b\"}","entries":[{"ts":"<RFC3339Nano>","line":".."}]}],"stats":{..}}
//   labels: {"values":["a","b"]}
#include "logql/syntax/parser.h"
#include "logql/syntax/prettier.h"
#include "server/api.h"
#include "server/encode.h"
#include "server/request.h"

namespace lode::server {

namespace {

constexpr int64_t kHour = 3600LL * 1000000000LL;

std::string ValuesJson(const std::vector<std::string>& v) {
  std::string out = "{\"values\":[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, v[i]);
  }
  return out + "]}";
}

// Loki's parseRegexQuery: `regexp` appends `|~ "<regexp>"` to the log selector.
Status ApplyRegexp(const Request& req, std::string* query) {
  const std::string re = req.Param("regexp");
  if (re.empty()) return Status::OK();
  logql::ExprPtr expr;
  LODE_RETURN_IF_ERROR(logql::ParseExpr(*query, &expr));
  if (!expr->IsLogQuery()) return Status::InvalidArgument("only log selector is supported");
  *query = logql::ExprString(*expr) + " |~ " + GoQuote(re);
  return Status::OK();
}

}  // namespace

Response Api::LegacyQuery(const Request& req, const std::string& tenant) {
  logql::QueryRequest q;
  Status s = ParseRangeRequest(req, tenant, &q);
  if (s.ok()) s = ApplyRegexp(req, &q.query);
  logql::ExprPtr expr;
  if (s.ok()) s = logql::ParseExpr(q.query, &expr);
  if (s.ok() && !expr->IsLogQuery())
    s = Status::InvalidArgument("legacy endpoints only support streams result type");
  if (!s.ok()) return ErrorResponse(s);
  logql::QueryResult result;
  s = engine_->Query(q, &result);
  if (!s.ok()) return ErrorResponse(s);
  std::string out = "{\"streams\":[";
  size_t entries = 0;
  for (size_t i = 0; i < result.streams.size(); ++i) {
    const logql::StreamResult& st = result.streams[i];
    if (i) out.push_back(',');
    out += "{\"labels\":";
    AppendJsonString(&out, LabelsToString(st.labels));
    out += ",\"entries\":[";
    for (size_t j = 0; j < st.entries.size(); ++j) {
      if (j) out.push_back(',');
      out += "{\"ts\":\"" + FormatRfc3339Nano(st.entries[j].ts) + "\",\"line\":";
      AppendJsonString(&out, st.entries[j].line);
      out.push_back('}');
    }
    entries += st.entries.size();
    out += "]}";
  }
  out += "],";
  AppendStats(&out, result.stats, entries);
  out += "}\n";
  return Response::Json(std::move(out));
}

Response Api::LegacyLabels(const Request& req, const std::string& tenant) {
  int64_t start, end;
  Status s = ParseBounds(req, 6 * kHour, &start, &end);
  std::vector<MatcherPtr> matchers;
  if (s.ok() && !req.Param("query").empty())
    s = logql::ParseMatchers(req.Param("query"), &matchers);
  std::vector<std::string> names;
  if (s.ok()) s = reader_->LabelNames(tenant, matchers, start, end, &names);
  if (!s.ok()) return ErrorResponse(s);
  return Response::Json(ValuesJson(names) + "\n");
}

Response Api::LegacyLabelValues(const Request& req, const std::string& tenant) {
  const std::string prefix = "/api/prom/label/";
  const std::string suffix = "/values";
  const std::string rest = req.path.substr(prefix.size());
  if (rest.size() <= suffix.size() ||
      rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return Response::Text(404, "404 page not found");
  }
  const std::string name = rest.substr(0, rest.size() - suffix.size());
  int64_t start, end;
  Status s = ParseBounds(req, 6 * kHour, &start, &end);
  std::vector<MatcherPtr> matchers;
  if (s.ok() && !req.Param("query").empty())
    s = logql::ParseMatchers(req.Param("query"), &matchers);
  std::vector<std::string> values;
  if (s.ok()) s = reader_->LabelValues(tenant, name, matchers, start, end, &values);
  if (!s.ok()) return ErrorResponse(s);
  return Response::Json(ValuesJson(values) + "\n");
}

}  // namespace lode::server
