#include "server/api.h"

#include <algorithm>
#include <map>
#include <set>

#include "ingest/push.h"
#include "logql/parser.h"
#include "server/api_admin.h"
#include "server/api_grafana.h"
#include "server/json_writer.h"
#include "server/params.h"

namespace lode::server {

namespace {

constexpr int64_t kHour = 3600LL * 1000000000LL;

Response Error(const Status& s) { return Response::Text(HttpStatusFor(s), s.message()); }

void AppendStats(std::string* out, const logql::QueryStats& st, size_t entries_returned) {
  double exec = st.exec_seconds > 0 ? st.exec_seconds : 1e-9;
  char buf[1024];
  snprintf(buf, sizeof(buf),
           "\"stats\":{\"summary\":{\"bytesProcessedPerSecond\":%llu,\"linesProcessedPerSecond\":%llu,"
           "\"totalBytesProcessed\":%llu,\"totalLinesProcessed\":%llu,\"execTime\":%.6f,\"queueTime\":0,"
           "\"subqueries\":0,\"totalEntriesReturned\":%zu,\"splits\":0,\"shards\":0,"
           "\"totalPostFilterLines\":0,\"totalStructuredMetadataBytesProcessed\":0},"
           "\"querier\":{\"store\":{\"totalChunksRef\":%llu,\"totalChunksDownloaded\":%llu,"
           "\"chunksDownloadTime\":0,\"chunk\":{\"headChunkBytes\":0,\"headChunkLines\":0,"
           "\"decompressedBytes\":%llu,\"decompressedLines\":%llu,\"compressedBytes\":0,\"totalDuplicates\":0}}},"
           "\"ingester\":{\"totalReached\":0,\"totalChunksMatched\":0,\"totalBatches\":0,\"totalLinesSent\":0,"
           "\"store\":{\"chunk\":{\"headChunkBytes\":0,\"headChunkLines\":0,\"decompressedBytes\":0,"
           "\"decompressedLines\":0,\"compressedBytes\":0,\"totalDuplicates\":0}}}}",
           static_cast<unsigned long long>(st.bytes_processed / exec),
           static_cast<unsigned long long>(st.lines_processed / exec),
           static_cast<unsigned long long>(st.bytes_processed),
           static_cast<unsigned long long>(st.lines_processed), st.exec_seconds, entries_returned,
           static_cast<unsigned long long>(st.chunks_read), static_cast<unsigned long long>(st.chunks_read),
           static_cast<unsigned long long>(st.bytes_processed),
           static_cast<unsigned long long>(st.lines_processed));
  out->append(buf);
}

std::string EncodeResult(const logql::QueryResult& r, bool categorize) {
  std::string out;
  out.reserve(4096);
  out += "{\"status\":\"success\",\"data\":{";
  size_t entries = 0;
  using T = logql::QueryResult::Type;
  if (r.type == T::kStreams) {
    out += "\"resultType\":\"streams\",";
    if (categorize) out += "\"encodingFlags\":[\"categorize-labels\"],";
    out += "\"result\":[";
    for (size_t i = 0; i < r.streams.size(); ++i) {
      const auto& s = r.streams[i];
      if (i) out.push_back(',');
      out += "{\"stream\":";
      AppendLabelsObject(&out, categorize ? s.stream : s.labels);
      out += ",\"values\":[";
      for (size_t j = 0; j < s.entries.size(); ++j) {
        const auto& e = s.entries[j];
        if (j) out.push_back(',');
        out += "[\"" + std::to_string(e.ts) + "\",";
        AppendJsonString(&out, e.line);
        if (categorize && (!e.structured_metadata.empty() || !e.parsed.empty())) {
          out += ",{";
          bool first = true;
          if (!e.structured_metadata.empty()) {
            out += "\"structuredMetadata\":";
            AppendLabelsObject(&out, e.structured_metadata);
            first = false;
          }
          if (!e.parsed.empty()) {
            if (!first) out.push_back(',');
            out += "\"parsed\":";
            AppendLabelsObject(&out, e.parsed);
          }
          out.push_back('}');
        }
        out.push_back(']');
      }
      entries += s.entries.size();
      out += "]}";
    }
    out += "],";
  } else {
    const auto& m = r.metric;
    if (r.type == T::kScalar) {
      out += "\"resultType\":\"scalar\",\"result\":";
      int64_t t = 0;
      double v = 0;
      if (!m.series.empty() && !m.series[0].points.empty()) {
        t = m.series[0].points[0].t_ns;
        v = m.series[0].points[0].v;
      }
      out += "[" + FormatSeconds(t) + ",\"" + FormatValue(v) + "\"],";
    } else {
      bool matrix = r.type == T::kMatrix;
      out += matrix ? "\"resultType\":\"matrix\",\"result\":[" : "\"resultType\":\"vector\",\"result\":[";
      bool first = true;
      for (const auto& s : m.series) {
        if (s.points.empty()) continue;
        if (!first) out.push_back(',');
        first = false;
        out += "{\"metric\":";
        AppendLabelsObject(&out, s.metric);
        if (matrix) {
          out += ",\"values\":[";
          for (size_t j = 0; j < s.points.size(); ++j) {
            if (j) out.push_back(',');
            out += "[" + FormatSeconds(s.points[j].t_ns) + ",\"" + FormatValue(s.points[j].v) + "\"]";
          }
          out += "]}";
        } else {
          out += ",\"value\":[" + FormatSeconds(s.points[0].t_ns) + ",\"" + FormatValue(s.points[0].v) + "\"]}";
        }
      }
      out += "],";
    }
  }
  AppendStats(&out, r.stats, entries);
  out += "}}";
  return out;
}

// With categorize-labels only indexed labels identify a stream: entries whose
// metadata or parsed labels differ are merged back into their stream.
void MergeByStreamLabels(std::vector<logql::StreamResult>* streams, Direction dir) {
  std::vector<logql::StreamResult> out;
  std::map<std::string, size_t> index;
  for (auto& s : *streams) {
    auto [it, inserted] = index.try_emplace(LabelsToString(s.stream), out.size());
    if (inserted) {
      s.labels = s.stream;
      out.push_back(std::move(s));
      continue;
    }
    auto& dst = out[it->second].entries;
    for (auto& e : s.entries) dst.push_back(std::move(e));
  }
  bool fwd = dir == Direction::kForward;
  for (auto& s : out) {
    std::stable_sort(s.entries.begin(), s.entries.end(), [fwd](const logql::ResultEntry& a, const logql::ResultEntry& b) {
      return fwd ? a.ts < b.ts : a.ts > b.ts;
    });
  }
  *streams = std::move(out);
}

Status ParseLimit(const Request& req, uint32_t* out) {
  std::string v = req.Param("limit");
  if (v.empty()) {
    *out = 100;
    return Status::OK();
  }
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (!end || *end != '\0') return Status::InvalidArgument("invalid limit: cannot parse \"" + v + "\"");
  if (n <= 0) return Status::InvalidArgument("limit must be a positive value");
  *out = static_cast<uint32_t>(std::min<long long>(n, UINT32_MAX));
  return Status::OK();
}

std::string StringListJson(const std::vector<std::string>& v) {
  std::string out = "{\"status\":\"success\",\"data\":[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, v[i]);
  }
  out += "]}";
  return out;
}

}  // namespace

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk: return 200;
    case Status::Code::kInvalidArgument:
    case Status::Code::kLimitExceeded: return 400;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kUnauthorized: return 401;
    case Status::Code::kTooManyRequests: return 429;
    case Status::Code::kCancelled: return 499;
    default: return 500;
  }
}

Api::Api(const Config* cfg, Store* store, logql::Engine* engine, server::Metrics* metrics)
    : cfg_(cfg),
      store_(store),
      engine_(engine),
      metrics_(metrics),
      limiter_(std::make_unique<IngestLimiter>(cfg->store.chunk_idle_period_ns)) {}

bool Api::Tenant(const Request& req, std::string* tenant, Response* err) const {
  return grafana::ResolveTenant(*cfg_, req, tenant, err);
}

void Api::Register(HttpServer* http) {
  auto bind = [this](Response (Api::*fn)(const Request&)) {
    return [this, fn](const Request& r) { return (this->*fn)(r); };
  };
  http->Route("/loki/api/v1/push", bind(&Api::Push));
  http->Route("/api/prom/push", bind(&Api::Push));
  http->Route("/loki/api/v1/query_range", bind(&Api::QueryRange));
  http->Route("/loki/api/v1/query", bind(&Api::QueryInstant));
  http->Route("/loki/api/v1/labels", bind(&Api::Labels));
  http->Route("/loki/api/v1/label", bind(&Api::Labels));
  http->Route("/loki/api/v1/label/*", bind(&Api::LabelValues));
  http->Route("/loki/api/v1/series", bind(&Api::Series));
  http->Route("/flush", bind(&Api::Flush));
  http->Route("/metrics", bind(&Api::Metrics));
  http->Route("/ready", [](const Request&) { return Response::Text(200, "ready"); });
  http->Route("/loki/api/v1/status/buildinfo", [](const Request&) {
    return Response::Json(
        "{\"version\":\"3.0.0-lode-0.1.0\",\"revision\":\"lode\",\"branch\":\"main\",\"buildUser\":\"lode\","
        "\"buildDate\":\"\",\"goVersion\":\"\"}");
  });
  RegisterGrafanaRoutes(http, cfg_, store_, engine_, metrics_);
  RegisterAdminRoutes(http, this, cfg_, store_);
  http->Route("/config", [this](const Request&) {
    Response r = Response::Text(200, ConfigToYaml(*cfg_));
    r.content_type = "text/yaml; charset=utf-8";
    return r;
  });
}

Response Api::Push(const Request& req) {
  if (req.method != "POST") return Response::Text(405, "method not allowed");
  std::string tenant;
  Response err;
  if (!Tenant(req, &tenant, &err)) return err;
  std::string ctype = req.Header("content-type");
  std::string cenc = req.Header("content-encoding");
  ingest::PushRequest pr;
  Status s;
  std::string inflated;
  std::string_view body = req.body;
  if (cenc == "gzip" || cenc == "deflate") {
    s = ingest::Gunzip(body, 256u << 20, &inflated);
    if (!s.ok()) return Error(s);
    body = inflated;
  } else if (!cenc.empty() && cenc != "identity" && cenc != "snappy") {
    return Response::Text(415, "unsupported Content-Encoding: " + cenc);
  }
  if (ctype.rfind("application/json", 0) == 0) {
    s = ingest::DecodeJsonPush(body, &pr);
  } else if (ctype.empty() || ctype.rfind("application/x-protobuf", 0) == 0 ||
             ctype.rfind("application/octet-stream", 0) == 0) {
    s = ingest::DecodeProtobufPush(body, &pr);
  } else {
    return Response::Text(415, "unsupported Content-Type: " + ctype);
  }
  if (!s.ok()) return Error(s);
  std::vector<std::string> errors = pr.errors;
  const TenantLimits& limits = cfg_->LimitsFor(tenant);
  int64_t now = NowNs();
  ingest::Validate(limits.push, now, &pr, &errors);
  ingest::RejectExpired([&](const lode::Labels& ls) { return store_->RetentionCutoff(tenant, ls); }, &pr, &errors);
  std::string rate_error;
  size_t streams_limited = 0;
  if (!ApplyIngestLimits(limiter_.get(), tenant, limits, now, &pr, &errors, &rate_error, &streams_limited)) {
    metrics_->Add("lode_discarded_samples_total", "reason=\"rate_limited\",tenant=\"" + tenant + "\"",
                  static_cast<double>(pr.TotalEntries()));
    return Response::Text(429, rate_error);
  }
  if (streams_limited) {
    metrics_->Add("lode_discarded_streams_total", "reason=\"stream_limit\",tenant=\"" + tenant + "\"",
                  static_cast<double>(streams_limited));
  }
  std::vector<StreamEntries> batch;
  batch.reserve(pr.streams.size());
  for (const auto& ps : pr.streams) batch.push_back({&ps.labels, ps.entries});
  if (!batch.empty()) {
    s = store_->AppendMany(tenant, batch);
    if (!s.ok()) return Error(s);
  }
  metrics_->Add("lode_distributor_lines_received_total", "tenant=\"" + tenant + "\"", pr.TotalEntries());
  metrics_->Add("lode_distributor_bytes_received_total", "tenant=\"" + tenant + "\"", pr.TotalBytes());
  if (!errors.empty()) {
    metrics_->Add("lode_discarded_requests_total", "tenant=\"" + tenant + "\"", 1);
    std::string msg;
    for (size_t i = 0; i < errors.size() && i < 100; ++i) msg += (i ? "\n" : "") + errors[i];
    if (errors.size() > 100) msg += "\n... and " + std::to_string(errors.size() - 100) + " more";
    return Response::Text(streams_limited ? 429 : 400, msg);
  }
  Response r;
  r.status = 204;
  r.content_type = "text/plain";
  return r;
}

Response Api::RunQuery(const Request& req, logql::QueryRequest q) {
  logql::QueryResult result;
  Status s = engine_->Query(q, &result);
  if (!s.ok()) return Error(s);
  std::string flags = req.Header("x-loki-response-encoding-flags");
  bool categorize = flags.find("categorize-labels") != std::string::npos;
  if (categorize && result.type == logql::QueryResult::Type::kStreams) {
    MergeByStreamLabels(&result.streams, q.direction);
  }
  return Response::Json(EncodeResult(result, categorize));
}

Response Api::QueryRange(const Request& req) {
  std::string tenant;
  Response err;
  if (!Tenant(req, &tenant, &err)) return err;
  logql::QueryRequest q;
  q.tenant = tenant;
  q.query = req.Param("query");
  Status s = ParseTimestamp(req.Param("end"), NowNs(), &q.end_ns);
  int64_t since = kHour;
  if (s.ok() && req.HasParam("since")) s = ParseStep(req.Param("since"), &since);
  if (s.ok()) s = ParseTimestamp(req.Param("start"), q.end_ns - since, &q.start_ns);
  if (s.ok()) s = ParseLimit(req, &q.limit);
  if (s.ok()) s = ParseDirection(req.Param("direction"), &q.direction);
  if (s.ok() && req.HasParam("step")) {
    s = ParseStep(req.Param("step"), &q.step_ns);
    if (s.ok() && q.step_ns <= 0) {
      s = Status::InvalidArgument("zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
  }
  if (s.ok() && req.HasParam("interval")) s = ParseStep(req.Param("interval"), &q.interval_ns);
  if (s.ok() && q.end_ns < q.start_ns) {
    s = Status::InvalidArgument("end timestamp must not be before or equal to start time");
  }
  if (!s.ok()) return Error(s);
  return RunQuery(req, std::move(q));
}

Response Api::QueryInstant(const Request& req) {
  std::string tenant;
  Response err;
  if (!Tenant(req, &tenant, &err)) return err;
  logql::QueryRequest q;
  q.tenant = tenant;
  q.query = req.Param("query");
  q.instant = true;
  Status s = ParseTimestamp(req.Param("time"), NowNs(), &q.end_ns);
  q.start_ns = q.end_ns;
  if (s.ok()) s = ParseLimit(req, &q.limit);
  if (s.ok()) s = ParseDirection(req.Param("direction"), &q.direction);
  if (!s.ok()) return Error(s);
  return RunQuery(req, std::move(q));
}

Response Api::Labels(const Request& req) {
  std::string tenant;
  Response err;
  if (!Tenant(req, &tenant, &err)) return err;
  int64_t start, end;
  Status s = grafana::ParseBounds(req, 6 * kHour, &start, &end);
  std::vector<MatcherPtr> matchers;
  if (s.ok() && !req.Param("query").empty()) s = logql::ParseMatchers(req.Param("query"), &matchers);
  std::vector<std::string> names;
  if (s.ok()) s = store_->LabelNames(tenant, matchers, start, end, &names);
  if (!s.ok()) return Error(s);
  return Response::Json(StringListJson(names));
}

Response Api::LabelValues(const Request& req) {
  std::string tenant;
  Response err;
  if (!Tenant(req, &tenant, &err)) return err;
  const std::string prefix = "/loki/api/v1/label/";
  std::string rest = req.path.substr(prefix.size());
  const std::string suffix = "/values";
  if (rest.size() <= suffix.size() || rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return Response::Text(404, "404 page not found");
  }
  std::string name = rest.substr(0, rest.size() - suffix.size());
  int64_t start, end;
  Status s = grafana::ParseBounds(req, 6 * kHour, &start, &end);
  std::vector<MatcherPtr> matchers;
  if (s.ok() && !req.Param("query").empty()) s = logql::ParseMatchers(req.Param("query"), &matchers);
  std::vector<std::string> values;
  if (s.ok()) s = store_->LabelValues(tenant, name, matchers, start, end, &values);
  if (!s.ok()) return Error(s);
  return Response::Json(StringListJson(values));
}

Response Api::Series(const Request& req) {
  std::string tenant;
  Response err;
  if (!Tenant(req, &tenant, &err)) return err;
  int64_t start, end;
  Status s = grafana::ParseBounds(req, 6 * kHour, &start, &end);
  if (!s.ok()) return Error(s);
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
      if (!s.ok()) return Error(s);
    }
    std::vector<StreamRef> refs;
    s = store_->SelectStreams(tenant, matchers, start, end, &refs);
    if (!s.ok()) return Error(s);
    std::sort(refs.begin(), refs.end(), [](const StreamRef& a, const StreamRef& b) { return a.labels < b.labels; });
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
  if (!s.ok()) return Error(s);
  Response r;
  r.status = 204;
  r.content_type = "text/plain";
  return r;
}

Response Api::Metrics(const Request&) {
  StoreStats st = store_->Stats();
  metrics_->Set("lode_store_streams", "", static_cast<double>(st.streams));
  metrics_->Set("lode_store_head_bytes", "", static_cast<double>(st.head_bytes));
  metrics_->Set("lode_store_chunks", "", static_cast<double>(st.chunks));
  metrics_->Set("lode_store_disk_bytes", "", static_cast<double>(st.disk_bytes));
  for (const auto& m : store_->Metrics()) {
    metrics_->Help(m.name, m.counter ? "counter" : "gauge", m.help);
    metrics_->Set(m.name, m.labels, m.value);
  }
  Response r = Response::Text(200, metrics_->Render());
  if (extra_metrics_) r.body += extra_metrics_();
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

}  // namespace lode::server
