#include "server/api_admin.h"

#include <cstdio>

#include "base/log.h"
#include "logql/log/pipeline.h"
#include "logql/syntax/parser.h"
#include "server/encode.h"
#include "server/request.h"

namespace lode::server {

namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kSecond = 1000000000;

class LogqlDeletePredicate : public DeleteLinePredicate {
 public:
  explicit LogqlDeletePredicate(std::unique_ptr<logql::StreamPipeline> p) : p_(std::move(p)) {}
  bool Deletes(int64_t ts, std::string_view line, const LabelView* md, size_t n_md) override {
    return p_->Process(ts, line, md, n_md);
  }

 private:
  std::unique_ptr<logql::StreamPipeline> p_;
};

class LogqlDeleteQuery : public DeleteQuery {
 public:
  LogqlDeleteQuery(std::vector<MatcherPtr> matchers, std::unique_ptr<logql::Pipeline> pipeline)
      : matchers_(std::move(matchers)), pipeline_(std::move(pipeline)) {}
  bool MatchesStream(const Labels& stream) const override {
    for (const auto& m : matchers_) {
      const std::string* v = FindLabel(stream, m->name());
      if (!m->Matches(v ? std::string_view(*v) : std::string_view())) return false;
    }
    return true;
  }
  bool HasLineFilter() const override { return !pipeline_->IsNoop(); }
  std::unique_ptr<DeleteLinePredicate> ForStream(const Labels& stream) const override {
    return std::make_unique<LogqlDeletePredicate>(pipeline_->ForStream(stream));
  }

 private:
  std::vector<MatcherPtr> matchers_;
  std::unique_ptr<logql::Pipeline> pipeline_;
};

Status CompileLogqlDelete(std::string_view query, std::shared_ptr<const DeleteQuery>* out) {
  logql::ExprPtr expr;
  Status s = logql::ParseExpr(query, &expr);
  if (!s.ok()) return Status::InvalidArgument("invalid query expression: " + s.message());
  if (!expr->IsLogQuery())
    return Status::InvalidArgument("invalid query expression: only log selector is supported");
  std::unique_ptr<logql::Pipeline> pipeline;
  s = logql::Pipeline::Create(expr->log, &pipeline);
  if (!s.ok()) return Status::InvalidArgument("invalid query expression: " + s.message());
  *out = std::make_shared<LogqlDeleteQuery>(expr->log.matchers, std::move(pipeline));
  return Status::OK();
}

Response Text(int status, const std::string& msg) { return Response::Text(status, msg); }

// Loki's deletion parseTime: RFC3339, or exactly ten digits of Unix seconds;
// the result is truncated to the millisecond.
bool ParseDeleteTime(const std::string& v, int64_t* out) {
  bool digits = v.size() == 10;
  for (char c : v) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    *out = std::stoll(v) * kSecond;
    return true;
  }
  if (v.find('-') == std::string::npos || v.find('T') == std::string::npos) return false;
  if (!ParseTimestamp(v, 0, out).ok()) return false;
  *out = *out / kMs * kMs;
  return true;
}

// Go's time.ParseDuration subset Loki accepts for max_interval.
bool ParseGoDuration(const std::string& v, int64_t* out) {
  int64_t ns;
  if (!logql::ParseDuration(v, &ns).ok()) return false;
  *out = ns;
  return true;
}

std::string RequestsJson(const std::vector<DeleteRequest>& reqs) {
  std::string out = "[";
  for (size_t i = 0; i < reqs.size(); ++i) {
    const DeleteRequest& r = reqs[i];
    if (i) out.push_back(',');
    out += "{\"request_id\":";
    AppendJsonString(&out, r.request_id);
    out += ",\"start_time\":" + FormatSeconds(r.start_ns) +
           ",\"end_time\":" + FormatSeconds(r.end_ns) + ",\"query\":";
    AppendJsonString(&out, r.query);
    out += ",\"status\":\"";
    out += r.processed ? "processed" : "received";
    out += "\",\"created_at\":" + FormatSeconds(r.created_at_ns) + "}";
  }
  out += "]";
  return out;
}

Response AddDelete(const Request& req, const std::string& tenant, Store* store) {
  DeleteRequest d;
  d.tenant = tenant;
  d.query = req.Param("query");
  if (d.query.empty()) return Text(400, "query not set");
  std::shared_ptr<const DeleteQuery> compiled;
  Status s = CompileLogqlDelete(d.query, &compiled);
  if (!s.ok()) return Text(400, s.message());
  std::string start = req.Param("start");
  if (start.empty()) return Text(400, "start time not set");
  if (!ParseDeleteTime(start, &d.start_ns))
    return Text(400, "invalid start time: require unix seconds or RFC3339 format");
  int64_t now = NowNs();
  std::string end = req.Param("end");
  if (end.empty()) {
    d.end_ns = now / kMs * kMs;
  } else if (!ParseDeleteTime(end, &d.end_ns)) {
    return Text(400, "invalid end time: require unix seconds or RFC3339 format");
  }
  if (d.end_ns > now) return Text(400, "deletes in the future are not allowed");
  if (d.start_ns > d.end_ns) return Text(400, "start time can't be greater than end time");
  if (compiled->HasLineFilter()) {
    int64_t span = d.end_ns - d.start_ns;
    std::string mi = req.Param("max_interval");
    if (mi.empty()) {
      if (span < kSecond)
        return Text(400, "difference between start time and end time must be at least one second");
    } else {
      int64_t interval;
      if (!ParseGoDuration(mi, &interval) || interval < kSecond) {
        return Text(400, "invalid max_interval: valid time units are 's', 'm', 'h'");
      }
      if (interval > span) {
        return Text(400, "max_interval can't be greater than the interval to be deleted (" +
                             FormatDuration(span) + ")");
      }
    }
  }
  s = store->AddDeleteRequest(&d);
  if (!s.ok()) return Text(s.code() == Status::Code::kInvalidArgument ? 400 : 500, s.message());
  lode::Logf("delete request %s for tenant %s added: %s", d.request_id.c_str(), tenant.c_str(),
             d.query.c_str());
  return NoContent();
}

Response Deletes(const Request& req, const std::string& tenant, const Config* cfg, Store* store) {
  if (cfg->LimitsFor(tenant).deletion_mode == "disabled")
    return Text(403, "deletion is not available for this tenant");
  if (req.method == "POST" || req.method == "PUT") return AddDelete(req, tenant, store);
  if (req.method == "GET") {
    std::vector<DeleteRequest> reqs;
    Status s = store->ListDeleteRequests(tenant, &reqs);
    if (!s.ok()) return Text(500, s.message());
    return Response::Json(RequestsJson(reqs));
  }
  if (req.method == "DELETE") {
    Status s = store->CancelDeleteRequest(tenant, req.Param("request_id"));
    if (s.ok()) return NoContent();
    int code = s.code() == Status::Code::kNotFound          ? 404
               : s.code() == Status::Code::kInvalidArgument ? 400
                                                            : 500;
    return Text(code, s.message());
  }
  return Text(405, "method not allowed");
}

Response RunCompaction(const Request& req, Store* store) {
  if (req.method != "POST") return Text(405, "method not allowed");
  CompactionReport r;
  Status s = store->RunCompaction(&r);
  if (!s.ok()) return Text(500, s.message());
  char buf[512];
  snprintf(
      buf, sizeof(buf),
      "{\"streams_expired\":%llu,\"heads_cut\":%llu,\"chunks_deleted\":%llu,\"chunks_rewritten\":%"
      "llu,"
      "\"entries_deleted\":%llu,\"index_keys_deleted\":%llu,\"delete_requests_processed\":%llu,"
      "\"disk_bytes_before\":%llu,\"disk_bytes_after\":%llu}",
      static_cast<unsigned long long>(r.streams_expired),
      static_cast<unsigned long long>(r.heads_cut),
      static_cast<unsigned long long>(r.chunks_deleted),
      static_cast<unsigned long long>(r.chunks_rewritten),
      static_cast<unsigned long long>(r.entries_deleted),
      static_cast<unsigned long long>(r.index_keys_deleted),
      static_cast<unsigned long long>(r.delete_requests_processed),
      static_cast<unsigned long long>(r.disk_bytes_before),
      static_cast<unsigned long long>(r.disk_bytes_after));
  return Response::Json(buf);
}

}  // namespace

DeleteQueryCompiler LogqlDeleteCompiler() { return CompileLogqlDelete; }

void RegisterAdminRoutes(HttpServer* http, const Config* cfg, Store* store) {
  http->Route("/loki/api/v1/delete",
              WithTenant(cfg, [cfg, store](const Request& req, const std::string& tenant) {
                return Deletes(req, tenant, cfg, store);
              }));
  http->Route("/compactor/run", WithTenant(cfg, [store](const Request& req, const std::string&) {
                return RunCompaction(req, store);
              }));
}

}  // namespace lode::server
