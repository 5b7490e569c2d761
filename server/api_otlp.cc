// POST /otlp/v1/logs: OpenTelemetry logs (OTLP/HTTP, protobuf or JSON,
// optionally gzip or zstd), mapped to streams by ingest/otlp.h and stored through
// the same validation, limits and atomic append as Loki pushes.
//
// Answers as OTLP/HTTP specifies, in the request's encoding: 200 with an
// ExportLogsServiceResponse (partial_success when records were rejected),
// errors with a google.rpc.Status body (400 malformed, 429 rate limited,
// 503 instead of 500 so that clients retry, as Loki does).
#include "ingest/otlp.h"
#include "ingest/zstd_decode.h"
#include "server/api.h"
#include "server/request.h"

namespace lode::server {

namespace {

// gRPC code for an HTTP status (google.rpc.Status.code).
int32_t GrpcCode(int http_status) {
  switch (http_status) {
    case 400:
      return 3;  // INVALID_ARGUMENT
    case 401:
      return 16;  // UNAUTHENTICATED
    case 413:
    case 429:
      return 8;  // RESOURCE_EXHAUSTED
    case 503:
      return 14;  // UNAVAILABLE
    default:
      return http_status < 500 ? 3 : 13;  // INTERNAL
  }
}

Response OtlpError(bool json, int status, const std::string& message) {
  if (status == 500) status = 503;
  Response r;
  r.status = status;
  if (json) {
    r.content_type = "application/json";
    r.body = ingest::OtlpStatusJson(GrpcCode(status), message);
  } else {
    r.content_type = "application/x-protobuf";
    r.body = ingest::OtlpStatusProtobuf(GrpcCode(status), message);
  }
  return r;
}

}  // namespace

Response Api::OtlpLogs(const Request& req, const std::string& tenant) {
  if (req.method != "POST") return Response::Text(405, "method not allowed");
  std::string ctype = req.Header("content-type");
  bool json;
  if (ctype.rfind("application/json", 0) == 0) {
    json = true;
  } else if (ctype.rfind("application/x-protobuf", 0) == 0 ||
             ctype.rfind("application/protobuf", 0) == 0) {
    json = false;
  } else {
    return Response::Text(415,
                          "content type: " + ctype +
                              " is not supported: use application/x-protobuf or application/json");
  }
  std::string cenc = req.Header("content-encoding");
  std::string inflated;
  std::string_view body = req.body;
  if (cenc == "gzip" || cenc == "deflate") {
    Status s = ingest::Gunzip(body, 256u << 20, &inflated);
    if (!s.ok()) return OtlpError(json, HttpStatusFor(s), s.message());
    body = inflated;
  } else if (cenc == "zstd") {
    Status s = ingest::ZstdDecode(body, 256u << 20, &inflated);
    if (!s.ok()) return OtlpError(json, HttpStatusFor(s), s.message());
    body = inflated;
  } else if (!cenc.empty() && cenc != "identity") {
    return OtlpError(json, 415,
                     "unsupported content encoding " + cenc + ": only gzip and zstd are supported");
  }
  const TenantLimits& limits = cfg_->LimitsFor(tenant);
  ingest::PushRequest pr;
  ingest::OtlpMapStats stats;
  Status s = json ? ingest::DecodeOtlpJson(body, limits.otlp, NowNs(), &pr, &stats)
                  : ingest::DecodeOtlpProtobuf(body, limits.otlp, NowNs(), &pr, &stats);
  if (!s.ok()) return OtlpError(json, HttpStatusFor(s), s.message());
  IngestOutcome o = Ingest(tenant, &pr);
  if (o.refused_status) return OtlpError(json, o.refused_status, o.refused_message);
  size_t rejected = stats.records - o.stored;
  if (rejected && o.stored == 0 && o.streams_limited) {
    // Nothing stored because of the active-stream limit: let the client retry later.
    return OtlpError(json, 429, o.errors.empty() ? "stream limit exceeded" : o.errors.front());
  }
  std::string msg;
  if (rejected) {
    for (size_t i = 0; i < o.errors.size() && i < 100; ++i) msg += (i ? "\n" : "") + o.errors[i];
    if (o.errors.size() > 100)
      msg += "\n... and " + std::to_string(o.errors.size() - 100) + " more";
  }
  Response r;
  r.status = 200;
  if (json) {
    r.content_type = "application/json";
    r.body = ingest::OtlpResponseJson(static_cast<int64_t>(rejected), msg);
  } else {
    r.content_type = "application/x-protobuf";
    r.body = ingest::OtlpResponseProtobuf(static_cast<int64_t>(rejected), msg);
  }
  return r;
}

}  // namespace lode::server
