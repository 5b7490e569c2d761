#include "server/api_grafana.h"

#include <charconv>
#include <cstdio>

#include "server/api.h"
#include "server/api_detected.h"
#include "server/api_index.h"
#include "server/api_patterns.h"
#include "server/api_tail.h"
#include "server/params.h"

namespace lode::server {

namespace grafana {

namespace {
constexpr int64_t kSecond = 1000000000LL;
}

bool ResolveTenant(const Config& cfg, const Request& req, std::string* tenant, Response* err) {
  if (!cfg.auth_enabled) {
    *tenant = "fake";
    return true;
  }
  std::string org = req.Header("x-scope-orgid");
  if (org.empty()) {
    *err = Response::Text(401, "no org id");
    return false;
  }
  if (org.find('|') != std::string::npos || org.find('\0') != std::string::npos || org.size() > 150 ||
      org == "." || org == "..") {
    *err = Response::Text(400, "tenant ID is invalid: " + org);
    return false;
  }
  *tenant = org;
  return true;
}

Response ErrorResponse(const Status& s) { return Response::Text(HttpStatusFor(s), s.message()); }

Status ParseBounds(const Request& req, int64_t default_since_ns, int64_t* start_ns, int64_t* end_ns) {
  LODE_RETURN_IF_ERROR(ParseTimestamp(req.Param("end"), NowNs(), end_ns));
  int64_t since = default_since_ns;
  if (req.HasParam("since")) LODE_RETURN_IF_ERROR(ParseStep(req.Param("since"), &since));
  LODE_RETURN_IF_ERROR(ParseTimestamp(req.Param("start"), *end_ns - since, start_ns));
  if (*end_ns < *start_ns) {
    return Status::InvalidArgument("end timestamp must not be before or equal to start time");
  }
  return Status::OK();
}

Status ParseIntParam(const Request& req, const std::string& name, int64_t def, int64_t* out) {
  std::string v = req.Param(name);
  if (v.empty()) {
    *out = def;
    return Status::OK();
  }
  const char* b = v.data();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, v.data() + v.size(), *out);
  if (r.ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument("strconv.Atoi: parsing " + GoQuote(v) + ": value out of range");
  }
  if (r.ec != std::errc() || r.ptr != v.data() + v.size()) {
    return Status::InvalidArgument("strconv.Atoi: parsing " + GoQuote(v) + ": invalid syntax");
  }
  return Status::OK();
}

Status ParseRangeStep(const Request& req, int64_t start_ns, int64_t end_ns, int64_t* step_ns) {
  if (req.Param("step").empty()) {
    *step_ns = logql::Engine::DefaultStep(start_ns, end_ns);
  } else {
    LODE_RETURN_IF_ERROR(ParseStep(req.Param("step"), step_ns));
  }
  if (*step_ns <= 0) {
    return Status::InvalidArgument(
        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  if ((end_ns - start_ns) / *step_ns > 11000) {
    return Status::InvalidArgument(
        "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step "
        "parameter");
  }
  return Status::OK();
}

void LogQueryTags(const Config& cfg, const Request& req) {
  if (cfg.log_level != "debug") return;
  std::string tags;
  for (const auto& [k, v] : req.headers) {
    if (k == "x-query-tags" || k.rfind("x-grafana-", 0) == 0) tags += " " + k + "=" + GoQuote(v);
  }
  if (!tags.empty()) fprintf(stderr, "lode: debug: %s%s\n", req.path.c_str(), tags.c_str());
}

}  // namespace grafana

void RegisterGrafanaRoutes(HttpServer* http, const Config* cfg, Store* store, logql::Engine* engine,
                           Metrics* metrics) {
  GrafanaDeps deps{cfg, store, engine, metrics};
  auto route = [http, deps](const std::string& path, Response (*fn)(const GrafanaDeps&, const Request&)) {
    http->Route(path, [deps, fn](const Request& req) {
      grafana::LogQueryTags(*deps.cfg, req);
      return fn(deps, req);
    });
  };
  route("/loki/api/v1/index/stats", &IndexStats);
  route("/loki/api/v1/index/volume", &IndexVolume);
  route("/loki/api/v1/index/volume_range", &IndexVolumeRange);
  route("/loki/api/v1/detected_labels", &DetectedLabels);
  route("/loki/api/v1/detected_fields", &DetectedFields);
  route("/loki/api/v1/detected_field/*", &DetectedFieldValues);
  route("/loki/api/v1/patterns", &Patterns);
  route("/loki/api/v1/drilldown-limits", &DrilldownLimits);
  RegisterTail(http, deps);
}

}  // namespace lode::server
