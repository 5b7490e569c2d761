// What every HTTP handler needs from a request before it does its own work:
// the tenant (X-Scope-OrgID), Loki's parameter parsing (timestamps, bounds,
// steps, directions, limits, integers), the server clock, and one way to turn
// a Status into a Loki-style text/plain error response. Each error message is
// Loki's own wording.
//
// Handlers that serve one tenant register through WithTenant(), which has
// resolved (and validated) the tenant before the handler runs, so no handler
// repeats that prologue. Pure functions apart from the clock offset; all are
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "server/config.h"
#include "server/http.h"
#include "storage/reader.h"

namespace lode::server {

// The server's clock: the system clock plus an offset (testing.now_offset;
// tests move time forward without sleeping). Thread-safe.
int64_t NowNs();
void SetClockOffsetNs(int64_t offset_ns);

// --- tenants --------------------------------------------------------------

// Most tenants one multi-tenant query may name (X-Scope-OrgID: a|b|...).
inline constexpr size_t kMaxQueryTenants = 100;

// "fake" without auth, else the X-Scope-OrgID header (401 when missing, 400
// when invalid). With `allow_multi` and querier.multi_tenant_queries_enabled,
// `a|b` is accepted: *tenant is the tenants sorted, deduplicated and joined
// by '|' (400 for an invalid one or more than kMaxQueryTenants); otherwise a
// '|' is invalid (400). On failure *err holds the response to send.
bool ResolveTenant(const Config& cfg, const Request& req, std::string* tenant, Response* err,
                   bool allow_multi = false);

// A handler for one tenant's data.
using TenantHandler = std::function<Response(const Request& req, const std::string& tenant)>;

// Wraps `fn` into a route handler that logs the query tags (debug level),
// resolves the tenant (ResolveTenant with `allow_multi`: read endpoints
// that query through MultiTenantReader pass true), and answers the tenant
// error itself. `cfg` must outlive the handler.
Handler WithTenant(const Config* cfg, TenantHandler fn, bool allow_multi = false);

// --- errors and empty answers ----------------------------------------------

// Maps a Status to its HTTP status code (400 for user errors, 404, 401, 429,
// 499 for a cancelled query, else 500).
int HttpStatusFor(const Status& s);

// A Loki-style text/plain error response for a non-OK status.
Response ErrorResponse(const Status& s);

// 204 No Content.
Response NoContent();

// --- parameters -------------------------------------------------------------

// The non-empty part of `path` between `prefix` and `suffix`
// ("/loki/api/v1/label/" NAME "/values"); false when the path has no such part.
bool PathSegment(std::string_view path, std::string_view prefix, std::string_view suffix,
                 std::string* out);

// Loki's parseTimestamp: "" -> def; contains '.' or 'e' -> float seconds;
// integer with <= 10 digits -> seconds, else ns; otherwise RFC3339(Nano).
Status ParseTimestamp(const std::string& v, int64_t def, int64_t* out);

// A step: Go duration ("5m") or float seconds ("300", "0.5").
Status ParseStep(const std::string& v, int64_t* out_ns);

Status ParseDirection(const std::string& v, Direction* out);

// Loki's bounds(): end defaults to now, start to end - `since` (the `since`
// parameter, else default_since). Fails when end < start.
Status ParseBounds(const Request& req, int64_t default_since_ns, int64_t* start_ns,
                   int64_t* end_ns);

// The `limit` parameter: default 100, a positive integer.
Status ParseLimit(const Request& req, uint32_t* out);

// An optional non-negative integer parameter (Go strconv.Atoi errors).
Status ParseIntParam(const Request& req, const std::string& name, int64_t def, int64_t* out);

// Loki's step(): the `step` parameter (float seconds or duration), default
// max(1s, (end-start)/250); rejects zero/negative steps and more than 11000
// points.
Status ParseRangeStep(const Request& req, int64_t start_ns, int64_t end_ns, int64_t* step_ns);

// The prologue of the endpoints that read a time range of selected streams
// (index/stats, patterns): bounds (default: the last `default_since_ns`),
// the range step, the `query` stream selector, and the streams it selects.
struct RangeSelection {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t step_ns = 0;
  std::vector<StreamRef> streams;
};
Status SelectRange(const Request& req, Reader* reader, const std::string& tenant,
                   int64_t default_since_ns, RangeSelection* out);

// The running log level: server.log_level until SetLogLevel (POST
// /log_level) changes it. Thread-safe.
std::string CurrentLogLevel(const Config& cfg);
// Accepts debug, info, warn, error; anything else is Loki's
// `unrecognized log level "<level>"` (nothing changes).
Status SetLogLevel(const std::string& level);

// Logs X-Query-Tags and X-Grafana-* headers at debug level.
void LogQueryTags(const Config& cfg, const Request& req);

}  // namespace lode::server
