#include "server/api_tail.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>
#include <unordered_map>

#include "base/log.h"
#include "logql/syntax/parser.h"
#include "server/encode.h"
#include "server/request.h"

namespace lode::server {

namespace {

constexpr int64_t kSecond = 1000000000LL;
constexpr int64_t kLookback = 5 * kSecond;
constexpr int64_t kMaxLag = 30 * kSecond;
constexpr int kPollMs = 250;
constexpr std::chrono::seconds kSlowSend{1};
constexpr uint32_t kMaxDroppedReport = 1000;
constexpr int64_t kMaxDelayFor = 5;

struct TailRequest {
  std::string tenant;
  std::string query;
  uint32_t limit = 100;
  int64_t start = 0;
  int64_t delay = 0;  // ns
  bool categorize = false;
  bool legacy = false;  // /api/prom/tail: Loki's legacy frame format
};

// ParseTailQuery: every error is a 400 before the upgrade.
bool ParseTailRequest(const GrafanaDeps& deps, const Request& req, TailRequest* t, Response* err) {
  if (!ResolveTenant(*deps.cfg, req, &t->tenant, err)) return false;
  t->query = req.Param("query");
  logql::ExprPtr expr;
  Status s = logql::ParseExpr(t->query, &expr);
  if (s.ok() && !expr->IsLogQuery()) s = Status::InvalidArgument("only log selector is supported");
  int64_t limit = 0, delay = 0, end = 0;
  if (s.ok()) s = ParseIntParam(req, "limit", 100, &limit);
  if (s.ok() && limit <= 0) s = Status::InvalidArgument("limit must be a positive value");
  if (s.ok() && limit > static_cast<int64_t>(deps.cfg->engine.max_entries_limit)) {
    s = Status::InvalidArgument(
        "max entries limit per query exceeded, limit > max_entries_limit (" +
        std::to_string(limit) + " > " + std::to_string(deps.cfg->engine.max_entries_limit) + ")");
  }
  int64_t now = NowNs();
  if (s.ok()) s = ParseTimestamp(req.Param("start"), now - 3600 * kSecond, &t->start);
  if (s.ok()) s = ParseTimestamp(req.Param("end"), now, &end);
  if (s.ok()) s = ParseIntParam(req, "delay_for", 0, &delay);
  if (s.ok() && (delay < 0 || delay > kMaxDelayFor)) {
    s = Status::InvalidArgument("delay_for can't be greater than " + std::to_string(kMaxDelayFor));
  }
  if (!s.ok()) {
    *err = ErrorResponse(s);
    return false;
  }
  t->limit = static_cast<uint32_t>(limit);
  t->delay = delay * kSecond;
  t->categorize =
      req.Header("x-loki-response-encoding-flags").find("categorize-labels") != std::string::npos;
  return true;
}

struct Item {
  int64_t ts;
  const logql::StreamResult* stream;
  const logql::ResultEntry* entry;
};

// The entries of a result, oldest first.
std::vector<Item> Flatten(const logql::QueryResult& r) {
  std::vector<Item> items;
  for (const auto& s : r.streams) {
    for (const auto& e : s.entries) items.push_back({e.ts, &s, &e});
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.ts < b.ts; });
  return items;
}

uint64_t ItemKey(const Item& it) {
  uint64_t h = HashLabels(it.stream->labels) * 0x9E3779B97F4A7C15ULL;
  h ^= std::hash<std::string_view>()(it.entry->line) + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
  h ^= static_cast<uint64_t>(it.ts) * 0xC2B2AE3D27D4EB4FULL;
  return h;
}

struct Dropped {
  int64_t ts;
  Labels labels;
};

// Loki's legacy TailResponse: {"streams":[{"labels":"{..}","entries":
// [{"ts":"<RFC3339Nano>","line":".."}]}],"dropped_entries":null|[{"Timestamp":..,"Labels":..}]}.
std::string EncodeLegacyFrame(const std::vector<Item>& items, const std::vector<Dropped>& dropped) {
  std::vector<std::pair<std::string, std::vector<const Item*>>> groups;
  std::unordered_map<std::string, size_t> index;
  for (const auto& it : items) {
    std::string key = LabelsToString(it.stream->labels);
    auto [pos, inserted] = index.try_emplace(key, groups.size());
    if (inserted) groups.push_back({key, {}});
    groups[pos->second].second.push_back(&it);
  }
  std::string out = "{\"streams\":[";
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g) out.push_back(',');
    out += "{\"labels\":";
    AppendJsonString(&out, groups[g].first);
    out += ",\"entries\":[";
    const auto& entries = groups[g].second;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i) out.push_back(',');
      out += "{\"ts\":\"" + FormatRfc3339Nano(entries[i]->entry->ts) + "\",\"line\":";
      AppendJsonString(&out, entries[i]->entry->line);
      out.push_back('}');
    }
    out += "]}";
  }
  out += "],\"dropped_entries\":";
  if (dropped.empty()) {
    out += "null";
  } else {
    out.push_back('[');
    for (size_t i = 0; i < dropped.size(); ++i) {
      if (i) out.push_back(',');
      out += "{\"Timestamp\":\"" + FormatRfc3339Nano(dropped[i].ts) + "\",\"Labels\":";
      AppendJsonString(&out, LabelsToString(dropped[i].labels));
      out.push_back('}');
    }
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

std::string EncodeFrame(const std::vector<Item>& items, const std::vector<Dropped>& dropped,
                        bool categorize) {
  // Group by label set, in order of first appearance; entries stay oldest first.
  std::vector<std::pair<const Labels*, std::vector<const Item*>>> groups;
  std::unordered_map<std::string, size_t> index;
  for (const auto& it : items) {
    const Labels& ls = categorize ? it.stream->stream : it.stream->labels;
    auto [pos, inserted] = index.try_emplace(LabelsToString(ls), groups.size());
    if (inserted) groups.push_back({&ls, {}});
    groups[pos->second].second.push_back(&it);
  }
  std::string out = "{\"streams\":[";
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g) out.push_back(',');
    out += "{\"stream\":";
    AppendLabelsObject(&out, *groups[g].first);
    out += ",\"values\":[";
    const auto& entries = groups[g].second;
    for (size_t i = 0; i < entries.size(); ++i) {
      const logql::ResultEntry& e = *entries[i]->entry;
      if (i) out.push_back(',');
      out += "[\"" + std::to_string(e.ts) + "\",";
      AppendJsonString(&out, e.line);
      if (categorize && (!e.structured_metadata.empty() || !e.parsed.empty())) {
        out += ",{";
        if (!e.structured_metadata.empty()) {
          out += "\"structuredMetadata\":";
          AppendLabelsObject(&out, e.structured_metadata);
        }
        if (!e.parsed.empty()) {
          if (!e.structured_metadata.empty()) out.push_back(',');
          out += "\"parsed\":";
          AppendLabelsObject(&out, e.parsed);
        }
        out.push_back('}');
      }
      out.push_back(']');
    }
    out += "]}";
  }
  out.push_back(']');
  if (!dropped.empty()) {
    out += ",\"dropped_entries\":[";
    for (size_t i = 0; i < dropped.size(); ++i) {
      if (i) out.push_back(',');
      out += "{\"timestamp\":\"" + std::to_string(dropped[i].ts) + "\",\"labels\":";
      AppendLabelsObject(&out, dropped[i].labels);
      out.push_back('}');
    }
    out.push_back(']');
  }
  if (categorize) out += ",\"encodingFlags\":[\"categorize-labels\"]";
  out.push_back('}');
  return out;
}

class TailSession {
 public:
  TailSession(const GrafanaDeps& deps, TailRequest t, WebSocket* ws)
      : deps_(deps), t_(std::move(t)), ws_(ws) {}

  void Run() {
    int64_t hi = NowNs() - t_.delay;
    logql::QueryResult hist;
    if (!Query(t_.start, hi + 1, t_.limit, Direction::kBackward, &hist)) return;
    std::vector<Item> items = Flatten(hist);
    lo_ = hi - kLookback;
    if (!items.empty() && items.size() >= t_.limit) lo_ = std::max(lo_, items.front().ts);
    for (const auto& it : items) {
      if (it.ts >= lo_) sent_[ItemKey(it)] = it.ts;
    }
    if (!items.empty() &&
        !Send(t_.legacy ? EncodeLegacyFrame(items, {}) : EncodeFrame(items, {}, t_.categorize)))
      return;
    bool truncated = false;
    while (ws_->IsOpen()) {
      if (!truncated) Sleep();
      if (!ws_->IsOpen()) return;
      if (!Poll(&truncated)) return;
    }
  }

 private:
  bool Query(int64_t start, int64_t end, uint32_t limit, Direction dir, logql::QueryResult* out) {
    logql::QueryRequest q;
    q.tenant = t_.tenant;
    q.query = t_.query;
    q.start_ns = start;
    q.end_ns = std::max(start, end);
    q.limit = limit;
    q.direction = dir;
    Status s = deps_.engine->Query(q, out);
    if (!s.ok()) lode::Logf("tail %s: %s", t_.query.c_str(), s.message().c_str());
    return s.ok();
  }

  // Sends a frame; a send slower than kSlowSend marks the consumer slow.
  bool Send(const std::string& frame) {
    auto t0 = std::chrono::steady_clock::now();
    bool ok = ws_->SendText(frame);
    slow_ = std::chrono::steady_clock::now() - t0 > kSlowSend;
    return ok;
  }

  void Sleep() {
    for (int waited = 0; waited < kPollMs && ws_->IsOpen(); waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // One poll of [lo_, now - delay]; false ends the session.
  bool Poll(bool* truncated) {
    int64_t hi = NowNs() - t_.delay;
    std::vector<Dropped> dropped;
    if ((slow_ || hi - lo_ > kMaxLag) && hi - kLookback > lo_) {
      // The consumer is slow or too far behind: skip to the look-back window
      // and report what is skipped.
      logql::QueryResult skipped;
      if (!Query(lo_, hi - kLookback, kMaxDroppedReport, Direction::kForward, &skipped))
        return false;
      for (const auto& it : Flatten(skipped)) {
        if (!sent_.count(ItemKey(it))) dropped.push_back({it.ts, it.stream->labels});
      }
      lo_ = hi - kLookback;
    }
    const uint32_t poll_limit = static_cast<uint32_t>(deps_.cfg->engine.max_entries_limit);
    logql::QueryResult r;
    if (!Query(lo_, hi + 1, poll_limit, Direction::kForward, &r)) return false;
    std::vector<Item> items = Flatten(r);
    std::vector<Item> fresh;
    for (const auto& it : items) {
      auto [pos, inserted] = sent_.try_emplace(ItemKey(it), it.ts);
      if (inserted) fresh.push_back(it);
    }
    *truncated = items.size() >= poll_limit;
    int64_t next_lo = std::max(lo_, hi - kLookback);
    if (*truncated) next_lo = items.back().ts > lo_ ? items.back().ts : lo_ + 1;
    for (auto it = sent_.begin(); it != sent_.end();) {
      it = it->second < next_lo ? sent_.erase(it) : std::next(it);
    }
    lo_ = next_lo;
    if (fresh.empty() && dropped.empty()) return true;
    return Send(t_.legacy ? EncodeLegacyFrame(fresh, dropped)
                          : EncodeFrame(fresh, dropped, t_.categorize));
  }

  const GrafanaDeps& deps_;
  TailRequest t_;
  WebSocket* ws_;
  int64_t lo_ = 0;
  bool slow_ = false;
  std::unordered_map<uint64_t, int64_t> sent_;  // entry key -> timestamp
};

}  // namespace

void RegisterTail(HttpServer* http, const GrafanaDeps& deps) {
  for (const bool legacy : {false, true}) {
    const std::string path = legacy ? "/api/prom/tail" : "/loki/api/v1/tail";
    auto check = [deps](const Request& req) {
      TailRequest t;
      Response err;
      if (!ParseTailRequest(deps, req, &t, &err)) return err;
      Response ok;
      ok.status = 200;
      return ok;
    };
    http->RouteWebSocket(
        path,
        [deps, legacy](const Request& req, WebSocket& ws) {
          LogQueryTags(*deps.cfg, req);
          TailRequest t;
          Response err;
          if (!ParseTailRequest(deps, req, &t, &err)) return;
          t.legacy = legacy;
          TailSession(deps, std::move(t), &ws).Run();
        },
        check);
    http->Route(path, [check](const Request& req) {
      Response r = check(req);
      if (r.status >= 400) return r;
      return Response::Text(
          400,
          "websocket: the client is not using the websocket protocol: 'upgrade' token not found in "
          "'Connection' header");
    });
  }
}

}  // namespace lode::server
