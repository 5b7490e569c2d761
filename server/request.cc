#include "server/request.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "base/log.h"
#include "logql/syntax/parser.h"
#include "server/tenant_id.h"

namespace lode::server {

namespace {
std::atomic<int64_t> g_clock_offset_ns{0};
}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() +
         g_clock_offset_ns.load(std::memory_order_relaxed);
}

void SetClockOffsetNs(int64_t offset_ns) {
  g_clock_offset_ns.store(offset_ns, std::memory_order_relaxed);
}

namespace {

bool AllDigits(const std::string& v) {
  if (v.empty()) return false;
  size_t i = v[0] == '-' ? 1 : 0;
  if (i == v.size()) return false;
  for (; i < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9') return false;
  return true;
}

// RFC3339 with optional fractional seconds and zone (Z or +hh:mm).
bool ParseRfc3339(const std::string& v, int64_t* out) {
  int y, mo, d, h, mi, s;
  int n = 0;
  if (sscanf(v.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6)
    return false;
  size_t i = static_cast<size_t>(n);
  int64_t frac = 0;
  if (i < v.size() && v[i] == '.') {
    ++i;
    int digits = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
      if (digits < 9) {
        frac = frac * 10 + (v[i] - '0');
        ++digits;
      }
      ++i;
    }
    while (digits++ < 9) frac *= 10;
  }
  int64_t offset = 0;
  if (i < v.size() && (v[i] == 'Z' || v[i] == 'z')) {
    ++i;
  } else if (i < v.size() && (v[i] == '+' || v[i] == '-')) {
    int oh, om;
    if (sscanf(v.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return false;
    offset = (oh * 3600 + om * 60) * (v[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return false;
  }
  if (i != v.size()) return false;
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  *out = secs * 1000000000LL + frac;
  return true;
}

}  // namespace

Status ParseTimestamp(const std::string& v, int64_t def, int64_t* out) {
  if (v.empty()) {
    *out = def;
    return Status::OK();
  }
  if (v.find_first_of(".eE") != std::string::npos && v.find('T') == std::string::npos) {
    char* end = nullptr;
    double f = std::strtod(v.c_str(), &end);
    if (end && *end == '\0' && std::isfinite(f)) {
      if (f > 1e13) {  // already nanoseconds (JavaScript float noise)
        *out = static_cast<int64_t>(std::llround(f));
        return Status::OK();
      }
      double s = std::floor(f);
      double ns = std::round((f - s) * 1000) / 1000;
      *out = static_cast<int64_t>(s) * 1000000000LL + static_cast<int64_t>(ns * 1e9);
      return Status::OK();
    }
  }
  if (AllDigits(v)) {
    int64_t n = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc()) {
      return Status::InvalidArgument("invalid parameter: cannot parse \"" + v +
                                     "\" to a valid timestamp");
    }
    *out = v.size() <= 10 ? n * 1000000000LL : n;
    return Status::OK();
  }
  if (ParseRfc3339(v, out)) return Status::OK();
  return Status::InvalidArgument("cannot parse \"" + v + "\" to a valid timestamp");
}

Status ParseStep(const std::string& v, int64_t* out_ns) {
  char* end = nullptr;
  double f = std::strtod(v.c_str(), &end);
  if (!v.empty() && end && *end == '\0') {
    if (!std::isfinite(f))
      return Status::InvalidArgument("cannot parse \"" + v + "\" to a valid duration");
    *out_ns = static_cast<int64_t>(std::llround(f * 1e9));
    return Status::OK();
  }
  int64_t ns;
  if (logql::ParseDuration(v, &ns).ok()) {
    *out_ns = ns;
    return Status::OK();
  }
  return Status::InvalidArgument("cannot parse \"" + v + "\" to a valid duration");
}

Status ParseDirection(const std::string& v, Direction* out) {
  std::string l = v;
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l.empty() || l == "backward") {
    *out = Direction::kBackward;
  } else if (l == "forward") {
    *out = Direction::kForward;
  } else {
    return Status::InvalidArgument("invalid direction '" + v + "'");
  }
  return Status::OK();
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
    case Status::Code::kLimitExceeded:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kUnauthorized:
      return 401;
    case Status::Code::kTooManyRequests:
      return 429;
    case Status::Code::kUnsupported:
      return 415;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kCancelled:
      return 499;
    case Status::Code::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

Response ErrorResponse(const Status& s) { return Response::Text(HttpStatusFor(s), s.message()); }

Status ParseLimit(const Request& req, uint32_t* out) {
  std::string v = req.Param("limit");
  if (v.empty()) {
    *out = 100;
    return Status::OK();
  }
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (!end || *end != '\0')
    return Status::InvalidArgument("invalid limit: cannot parse \"" + v + "\"");
  if (n <= 0) return Status::InvalidArgument("limit must be a positive value");
  *out = static_cast<uint32_t>(std::min<long long>(n, UINT32_MAX));
  return Status::OK();
}

bool ResolveTenant(const Config& cfg, const Request& req, std::string* tenant, Response* err,
                   bool allow_multi) {
  if (!cfg.auth_enabled) {
    *tenant = "fake";
    return true;
  }
  std::string org = req.Header("x-scope-orgid");
  if (org.empty()) {
    *err = Response::Text(401, "no org id");
    return false;
  }
  if (allow_multi && cfg.multi_tenant_queries_enabled && org.find('|') != std::string::npos) {
    // dskit's tenant.TenantIDs: each tenant valid, then sorted and deduplicated.
    std::vector<std::string> ids;
    size_t at = 0;
    for (;;) {
      size_t bar = org.find('|', at);
      std::string id = org.substr(at, bar == std::string::npos ? std::string::npos : bar - at);
      Status valid = id.empty() ? Status::InvalidArgument("no org id") : ValidateTenantId(id);
      if (!valid.ok()) {
        *err = ErrorResponse(valid);
        return false;
      }
      ids.push_back(std::move(id));
      if (bar == std::string::npos) break;
      at = bar + 1;
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.size() > kMaxQueryTenants) {
      *err =
          Response::Text(400, "too many tenants in X-Scope-OrgID: " + std::to_string(ids.size()) +
                                  " > " + std::to_string(kMaxQueryTenants));
      return false;
    }
    tenant->clear();
    for (const auto& id : ids) *tenant += (tenant->empty() ? "" : "|") + id;
    return true;
  }
  if (org.find('|') != std::string::npos) {
    // dskit's tenant.TenantID: several tenants where one is required.
    *err = Response::Text(400, "multiple org IDs present");
    return false;
  }
  Status valid = ValidateTenantId(org);
  if (!valid.ok()) {
    *err = ErrorResponse(valid);
    return false;
  }
  *tenant = org;
  return true;
}

Status ParseBounds(const Request& req, int64_t default_since_ns, int64_t* start_ns,
                   int64_t* end_ns) {
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
        "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of "
        "the step "
        "parameter");
  }
  return Status::OK();
}

namespace {

constexpr const char* kLogLevels[] = {"debug", "info", "warn", "error"};
std::atomic<int> g_log_level{-1};  // index into kLogLevels; -1: as configured

}  // namespace

std::string CurrentLogLevel(const Config& cfg) {
  const int i = g_log_level.load(std::memory_order_relaxed);
  return i < 0 ? cfg.log_level : kLogLevels[i];
}

Status SetLogLevel(const std::string& level) {
  for (int i = 0; i < 4; ++i) {
    if (level == kLogLevels[i]) {
      g_log_level.store(i, std::memory_order_relaxed);
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unrecognized log level " + GoQuote(level));
}

void LogQueryTags(const Config& cfg, const Request& req) {
  if (CurrentLogLevel(cfg) != "debug") return;
  std::string tags;
  for (const auto& [k, v] : req.headers) {
    if (k == "x-query-tags" || k.rfind("x-grafana-", 0) == 0) tags += " " + k + "=" + GoQuote(v);
  }
  if (!tags.empty()) lode::Logf("debug: %s%s", req.path.c_str(), tags.c_str());
}

bool PathSegment(std::string_view path, std::string_view prefix, std::string_view suffix,
                 std::string* out) {
  if (!path.starts_with(prefix)) return false;
  path.remove_prefix(prefix.size());
  if (path.size() <= suffix.size() || !path.ends_with(suffix)) return false;
  *out = std::string(path.substr(0, path.size() - suffix.size()));
  return true;
}

Status SelectRange(const Request& req, Reader* reader, const std::string& tenant,
                   int64_t default_since_ns, RangeSelection* out) {
  LODE_RETURN_IF_ERROR(ParseBounds(req, default_since_ns, &out->start_ns, &out->end_ns));
  LODE_RETURN_IF_ERROR(ParseRangeStep(req, out->start_ns, out->end_ns, &out->step_ns));
  std::vector<MatcherPtr> matchers;
  LODE_RETURN_IF_ERROR(logql::ParseMatchers(req.Param("query"), &matchers));
  return reader->SelectStreams(tenant, matchers, out->start_ns, out->end_ns, &out->streams);
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type = "text/plain";
  return r;
}

Handler WithTenant(const Config* cfg, TenantHandler fn, bool allow_multi) {
  return [cfg, fn = std::move(fn), allow_multi](const Request& req) {
    LogQueryTags(*cfg, req);
    std::string tenant;
    Response err;
    if (!ResolveTenant(*cfg, req, &tenant, &err, allow_multi)) return err;
    return fn(req, tenant);
  };
}

}  // namespace lode::server
