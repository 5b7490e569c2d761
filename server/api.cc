#include "server/api.h"

#include <algorithm>
#include <map>
#include <set>

#include "ingest/push.h"
#include "logql/syntax/parser.h"
#include "server/api_admin.h"
#include "server/api_grafana.h"
#include "server/api_rules.h"
#include "server/api_status.h"
#include "server/api_ui.h"
#include "server/encode.h"
#include "server/request.h"

namespace lode::server {

namespace {

constexpr int64_t kHour = 3600LL * 1000000000LL;

}  // namespace

Api::Api(const Config* cfg, Store* store, logql::Engine* engine, server::Metrics* metrics,
         Reader* reader)
    : cfg_(cfg),
      store_(store),
      reader_(reader ? reader : store),
      engine_(engine),
      metrics_(metrics),
      limiter_(std::make_unique<ingest::IngestLimiter>(cfg->store.chunk_idle_period_ns)) {}

void Api::Register(HttpServer* http) {
  auto bind = [this](Response (Api::*fn)(const Request&)) {
    return [this, fn](const Request& r) { return (this->*fn)(r); };
  };
  auto tenant = [this](Response (Api::*fn)(const Request&, const std::string&)) {
    return WithTenant(
        cfg_, [this, fn](const Request& r, const std::string& t) { return (this->*fn)(r, t); });
  };
  // Read endpoints that accept `X-Scope-OrgID: a|b` (multi-tenant queries).
  auto tenants = [this](Response (Api::*fn)(const Request&, const std::string&)) {
    return WithTenant(
        cfg_, [this, fn](const Request& r, const std::string& t) { return (this->*fn)(r, t); },
        true);
  };
  http->Route("/loki/api/v1/push", tenant(&Api::Push));
  http->Route("/api/prom/push", tenant(&Api::Push));
  http->Route("/otlp/v1/logs", tenant(&Api::OtlpLogs));
  http->Route("/loki/api/v1/query_range", tenants(&Api::QueryRange));
  http->Route("/loki/api/v1/query", tenants(&Api::QueryInstant));
  http->Route("/loki/api/v1/labels", tenants(&Api::Labels));
  http->Route("/loki/api/v1/label", tenants(&Api::Labels));
  http->Route("/loki/api/v1/label/*", tenants(&Api::LabelValues));
  http->Route("/loki/api/v1/series", tenants(&Api::Series));
  http->Route("/api/prom/query", tenants(&Api::LegacyQuery));
  http->Route("/api/prom/label", tenants(&Api::LegacyLabels));
  http->Route("/api/prom/label/*", tenants(&Api::LegacyLabelValues));
  http->Route("/api/prom/series", tenants(&Api::Series));
  // Admin endpoints sit behind the same auth as Loki's (a tenant header when
  // auth_enabled), though they act on the whole store.
  http->Route("/flush",
              WithTenant(cfg_, [this](const Request& r, const std::string&) { return Flush(r); }));
  http->Route("/metrics", bind(&Api::Metrics));
  http->Route("/ready", [](const Request&) { return Response::Text(200, "ready"); });
  http->Route("/loki/api/v1/status/buildinfo", [](const Request&) {
    return Response::Json(
        "{\"version\":\"3.0.0-lode-0.1.0\",\"revision\":\"lode\",\"branch\":\"main\",\"buildUser\":"
        "\"lode\","
        "\"buildDate\":\"\",\"goVersion\":\"\"}");
  });
  RegisterGrafanaRoutes(http, cfg_, reader_, engine_, metrics_);
  RegisterStatusRoutes(http, cfg_);
  RegisterAdminRoutes(http, cfg_, store_);
  RegisterUiRoutes(http, *cfg_);
  RegisterRulesRoutes(http, cfg_, ruler_);
}

Response Api::Push(const Request& req, const std::string& tenant) {
  if (req.method != "POST") return Response::Text(405, "method not allowed");
  ingest::PushRequest pr;
  Status s =
      ingest::Decode(req.Header("content-type"), req.Header("content-encoding"), req.body, &pr);
  if (!s.ok()) return ErrorResponse(s);
  IngestOutcome o = Ingest(tenant, &pr);
  if (o.refused_status) return Response::Text(o.refused_status, o.refused_message);
  if (!o.errors.empty()) {
    std::string msg;
    for (size_t i = 0; i < o.errors.size() && i < 100; ++i) msg += (i ? "\n" : "") + o.errors[i];
    if (o.errors.size() > 100)
      msg += "\n... and " + std::to_string(o.errors.size() - 100) + " more";
    return Response::Text(o.streams_limited ? 429 : 400, msg);
  }
  return NoContent();
}

Api::IngestOutcome Api::Ingest(const std::string& tenant, ingest::PushRequest* pr) {
  IngestOutcome o;
  std::vector<std::string>& errors = o.errors;
  errors = pr->errors;
  const TenantLimits& limits = cfg_->LimitsFor(tenant);
  int64_t now = NowNs();
  ingest::Validate(limits.push, now, pr, &errors);
  ingest::RejectExpired([&](const lode::Labels& ls) { return store_->RetentionCutoff(tenant, ls); },
                        pr, &errors);
  std::string rate_error;
  size_t& streams_limited = o.streams_limited;
  if (!ingest::ApplyIngestLimits(limiter_.get(), tenant, limits.rate, now, pr, &errors, &rate_error,
                                 &streams_limited)) {
    metrics_->Add("lode_discarded_samples_total", {{"reason", "rate_limited"}, {"tenant", tenant}},
                  static_cast<double>(pr->TotalEntries()));
    o.refused_status = 429;
    o.refused_message = rate_error;
    return o;
  }
  if (streams_limited) {
    metrics_->Add("lode_discarded_streams_total", {{"reason", "stream_limit"}, {"tenant", tenant}},
                  static_cast<double>(streams_limited));
  }
  std::vector<StreamEntries> batch;
  batch.reserve(pr->streams.size());
  for (const auto& ps : pr->streams) batch.push_back({&ps.labels, ps.entries});
  if (!batch.empty()) {
    Status s = store_->AppendMany(tenant, batch);
    if (!s.ok()) {
      o.refused_status = HttpStatusFor(s);
      o.refused_message = s.message();
      return o;
    }
  }
  o.stored = pr->TotalEntries();
  metrics_->Add("lode_distributor_lines_received_total", {{"tenant", tenant}}, pr->TotalEntries());
  metrics_->Add("lode_distributor_bytes_received_total", {{"tenant", tenant}}, pr->TotalBytes());
  if (!errors.empty()) metrics_->Add("lode_discarded_requests_total", {{"tenant", tenant}}, 1);
  return o;
}

Response Api::RunQuery(const Request& req, logql::QueryRequest q) {
  logql::QueryResult result;
  std::unique_ptr<logql::QueryContext> ctx = engine_->NewContext();
  ctx->SetCancelCheck([&req] { return req.ClientGone(); });
  q.ctx = ctx.get();
  Status s = engine_->Query(q, &result);
  if (!s.ok()) return ErrorResponse(s);
  std::string flags = req.Header("x-loki-response-encoding-flags");
  bool categorize = flags.find("categorize-labels") != std::string::npos;
  if (categorize && result.type == logql::QueryResult::Type::kStreams) {
    MergeByStreamLabels(&result.streams, q.direction);
  }
  return Response::Json(EncodeQueryResult(result, categorize));
}

Status Api::ParseRangeRequest(const Request& req, const std::string& tenant,
                              logql::QueryRequest* q) {
  q->tenant = tenant;
  q->query = req.Param("query");
  q->align_to_step = true;  // as Loki's query frontend (metric queries only)
  Status s = ParseTimestamp(req.Param("end"), NowNs(), &q->end_ns);
  int64_t since = kHour;
  if (s.ok() && req.HasParam("since")) s = ParseStep(req.Param("since"), &since);
  if (s.ok()) s = ParseTimestamp(req.Param("start"), q->end_ns - since, &q->start_ns);
  if (s.ok()) s = ParseLimit(req, &q->limit);
  if (s.ok()) s = ParseDirection(req.Param("direction"), &q->direction);
  if (s.ok() && req.HasParam("step")) {
    s = ParseStep(req.Param("step"), &q->step_ns);
    if (s.ok() && q->step_ns <= 0) {
      s = Status::InvalidArgument(
          "zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
  }
  if (s.ok() && req.HasParam("interval")) s = ParseStep(req.Param("interval"), &q->interval_ns);
  if (s.ok() && q->end_ns < q->start_ns) {
    s = Status::InvalidArgument("end timestamp must not be before or equal to start time");
  }
  return s;
}

Response Api::QueryRange(const Request& req, const std::string& tenant) {
  logql::QueryRequest q;
  Status s = ParseRangeRequest(req, tenant, &q);
  if (!s.ok()) return ErrorResponse(s);
  return RunQuery(req, std::move(q));
}

Response Api::QueryInstant(const Request& req, const std::string& tenant) {
  logql::QueryRequest q;
  q.tenant = tenant;
  q.query = req.Param("query");
  q.instant = true;
  Status s = ParseTimestamp(req.Param("time"), NowNs(), &q.end_ns);
  q.start_ns = q.end_ns;
  if (s.ok()) s = ParseLimit(req, &q.limit);
  if (s.ok()) s = ParseDirection(req.Param("direction"), &q.direction);
  if (!s.ok()) return ErrorResponse(s);
  return RunQuery(req, std::move(q));
}

Response Api::Labels(const Request& req, const std::string& tenant) {
  int64_t start, end;
  Status s = ParseBounds(req, 6 * kHour, &start, &end);
  std::vector<MatcherPtr> matchers;
  if (s.ok() && !req.Param("query").empty())
    s = logql::ParseMatchers(req.Param("query"), &matchers);
  std::vector<std::string> names;
  if (s.ok()) s = reader_->LabelNames(tenant, matchers, start, end, &names);
  if (!s.ok()) return ErrorResponse(s);
  return Response::Json(StringListJson(names));
}

Response Api::LabelValues(const Request& req, const std::string& tenant) {
  std::string name;
  if (!PathSegment(req.path, "/loki/api/v1/label/", "/values", &name))
    return Response::Text(404, "404 page not found");
  int64_t start, end;
  Status s = ParseBounds(req, 6 * kHour, &start, &end);
  std::vector<MatcherPtr> matchers;
  if (s.ok() && !req.Param("query").empty())
    s = logql::ParseMatchers(req.Param("query"), &matchers);
  std::vector<std::string> values;
  if (s.ok()) s = reader_->LabelValues(tenant, name, matchers, start, end, &values);
  if (!s.ok()) return ErrorResponse(s);
  return Response::Json(StringListJson(values));
}

Response Api::Series(const Request& req, const std::string& tenant) {
  int64_t start, end;
  Status s = ParseBounds(req, 6 * kHour, &start, &end);
  if (!s.ok()) return ErrorResponse(s);
  std::vector<std::string> selectors = req.Params("match[]");
  for (auto& m : req.Params("match")) selectors.push_back(m);
  if (selectors.empty()) selectors.push_back("");
  std::set<std::string> seen;
  std::string out = "{\"status\":\"success\",\"data\":[";
  bool first = true;
  for (const auto& sel : selectors) {
    std::vector<MatcherPtr> matchers;
    if (!sel.empty()) {
      s = logql::ParseMatchers(sel, &matchers);
      if (!s.ok()) return ErrorResponse(s);
    }
    std::vector<StreamRef> refs;
    s = reader_->SelectStreams(tenant, matchers, start, end, &refs);
    if (!s.ok()) return ErrorResponse(s);
    std::sort(refs.begin(), refs.end(),
              [](const StreamRef& a, const StreamRef& b) { return a.labels < b.labels; });
    for (const auto& r : refs) {
      if (!seen.insert(LabelsToString(r.labels)).second) continue;
      if (!first) out.push_back(',');
      first = false;
      AppendLabelsObject(&out, r.labels);
    }
  }
  out += "]}";
  return Response::Json(std::move(out));
}

Response Api::Flush(const Request& req) {
  if (req.method != "POST" && req.method != "GET") return Response::Text(405, "method not allowed");
  Status s = store_->Flush();
  if (!s.ok()) return ErrorResponse(s);
  return NoContent();
}

Response Api::Metrics(const Request&) {
  StoreStats st = store_->Stats();
  metrics_->Set("lode_store_streams", {}, static_cast<double>(st.streams));
  metrics_->Set("lode_store_head_bytes", {}, static_cast<double>(st.head_bytes));
  metrics_->Set("lode_store_chunks", {}, static_cast<double>(st.chunks));
  metrics_->Set("lode_store_disk_bytes", {}, static_cast<double>(st.disk_bytes));
  for (const auto& m : store_->Metrics()) {
    metrics_->Help(m.name, m.counter ? "counter" : "gauge", m.help);
    metrics_->SetRendered(m.name, m.labels, m.value);
  }
  if (ruler_) SetRulerMetrics(ruler_->Stats(), metrics_);
  Response r = Response::Text(200, metrics_->Render());
  if (extra_metrics_) r.body += extra_metrics_();
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

}  // namespace lode::server
