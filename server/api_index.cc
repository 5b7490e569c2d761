#include "server/api_index.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "logql/syntax/parser.h"
#include "server/encode.h"
#include "server/request.h"

namespace lode::server {

namespace {

constexpr int64_t kHour = 3600LL * 1000000000LL;
constexpr int64_t kMillisecond = 1000000;
constexpr int64_t kDefaultVolumeLimit = 100;
constexpr size_t kVolumeMaxSeries = 1000;  // limits_config.volume_max_series
constexpr int kScanThreads = 2;

// Runs fn(i) for every i in [0, n) on up to kScanThreads threads. The first
// error stops the remaining work and is returned.
Status ForEachIndex(size_t n, const std::function<Status(size_t)>& fn) {
  if (n <= 1) return n == 1 ? fn(0) : Status::OK();
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first;
  auto work = [&] {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      Status s = fn(i);
      if (!s.ok()) {
        std::lock_guard<std::mutex> l(mu);
        if (first.ok()) first = s;
        next.store(n);
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < kScanThreads; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  return first;
}

// ---------------------------------------------------------------------------
// index/stats
// ---------------------------------------------------------------------------

struct StreamCounts {
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t chunks = 0;
};

}  // namespace

Response IndexStats(const GrafanaDeps& deps, const Request& req, const std::string& tenant) {
  RangeSelection sel;
  Status s = SelectRange(req, deps.store, tenant, kHour, &sel);
  if (!s.ok()) return ErrorResponse(s);
  const int64_t start = sel.start_ns, end = sel.end_ns;
  const std::vector<StreamRef>& refs = sel.streams;

  std::vector<StreamCounts> counts(refs.size());
  s = ForEachIndex(refs.size(), [&](size_t i) {
    ScanStats st;
    Status r = deps.store->ScanStream(
        tenant, refs[i].id, start, end, Direction::kForward, [](const EntryBatch&) { return true; },
        &st);
    counts[i] = {st.lines_scanned, st.bytes_scanned, st.chunks_read};
    return r;
  });
  if (!s.ok()) return ErrorResponse(s);
  StreamCounts total;
  uint64_t streams = 0;
  for (const auto& c : counts) {
    if (c.entries == 0) continue;
    ++streams;
    total.entries += c.entries;
    total.bytes += c.bytes;
    total.chunks += std::max<uint64_t>(c.chunks, 1);
  }
  return Response::Json("{\"streams\":" + std::to_string(streams) + ",\"chunks\":" +
                        std::to_string(total.chunks) + ",\"bytes\":" + std::to_string(total.bytes) +
                        ",\"entries\":" + std::to_string(total.entries) + "}");
}

// ---------------------------------------------------------------------------
// index/volume, index/volume_range
// ---------------------------------------------------------------------------

namespace {

struct VolumeRequest {
  int64_t start = 0, end = 0;
  int64_t step = 0;  // 0: one bucket (instant)
  size_t limit = kDefaultVolumeLimit;
  std::vector<std::string> target_labels;
  bool by_series = true;
  std::vector<MatcherPtr> matchers;
  bool match_any = false;  // query `{}`: every stream, all its labels
};

// Loki's volumeLimit + aggregateBy + targetLabels + the selector.
Status ParseVolumeCommon(const Request& req, VolumeRequest* v) {
  int64_t limit;
  LODE_RETURN_IF_ERROR(ParseIntParam(req, "limit", kDefaultVolumeLimit, &limit));
  if (limit == 0) limit = kDefaultVolumeLimit;
  if (limit < 0) return Status::InvalidArgument("limit must be a positive value");
  v->limit = static_cast<size_t>(limit);
  Direction dir;
  LODE_RETURN_IF_ERROR(ParseDirection(req.Param("direction"), &dir));
  std::string agg = req.Param("aggregateBy");
  if (agg.empty() || agg == "series") {
    v->by_series = true;
  } else if (agg == "labels") {
    v->by_series = false;
  } else {
    return Status::InvalidArgument("invalid aggregation option");
  }
  std::string targets = req.Param("targetLabels");
  for (size_t i = 0; !targets.empty() && i <= targets.size();) {
    size_t comma = targets.find(',', i);
    if (comma == std::string::npos) comma = targets.size();
    v->target_labels.push_back(targets.substr(i, comma - i));
    i = comma + 1;
  }
  std::string query = req.Param("query");
  if (query == "{}") {
    v->match_any = true;
  } else {
    LODE_RETURN_IF_ERROR(logql::ParseMatchers(query, &v->matchers));
  }
  return Status::OK();
}

// The label names volumes aggregate into (Loki's PrepareLabelsAndMatchers):
// the targets (each must be present: a `target=~".+"` matcher is added for a
// target without a matcher), else the matcher names. `{}` aggregates into
// every label unless targets are given.
Status PrepareLabels(VolumeRequest* v, std::set<std::string>* by, bool* include_all) {
  *include_all = v->match_any && v->target_labels.empty();
  if (!v->target_labels.empty()) {
    for (const auto& t : v->target_labels) {
      by->insert(t);
      bool found = false;
      for (const auto& m : v->matchers) found |= m->name() == t;
      if (found) continue;
      MatcherPtr m;
      LODE_RETURN_IF_ERROR(LabelMatcher::Create(MatchType::kRegexMatch, t, ".+", &m));
      v->matchers.push_back(std::move(m));
    }
    return Status::OK();
  }
  for (const auto& m : v->matchers) by->insert(m->name());
  return Status::OK();
}

// Volume of one series name in one bucket.
using BucketVolumes = std::unordered_map<std::string, uint64_t>;

struct VolumeSeries {
  std::string name;
  Labels metric;
  std::vector<std::pair<int64_t, uint64_t>> samples;  // (bucket end ns, bytes)
};

Response RunVolume(const GrafanaDeps& deps, const std::string& tenant, VolumeRequest v) {
  std::set<std::string> by;
  bool include_all = false;
  Status s = PrepareLabels(&v, &by, &include_all);
  std::vector<StreamRef> refs;
  if (s.ok()) s = deps.store->SelectStreams(tenant, v.matchers, v.start, v.end, &refs);
  if (!s.ok()) return ErrorResponse(s);

  // Buckets: Loki's ForInterval(step, start, end, endTimeInclusive): the
  // first starts at `start`, the others at step-aligned times, each ends 1ms
  // before the next one starts, and the last ends at `end`.
  std::vector<int64_t> bucket_end;
  int64_t aligned = v.step > 0 ? v.start - v.start % v.step : v.start;
  if (v.step <= 0) {
    bucket_end.push_back(v.end);
  } else {
    for (int64_t b = aligned; b < v.end; b += v.step) {
      int64_t e = b + v.step;
      bucket_end.push_back(e < v.end ? e - kMillisecond : v.end);
    }
  }
  auto bucket_of = [&](int64_t ts) -> size_t {
    if (v.step <= 0) return 0;
    size_t i = static_cast<size_t>((ts - aligned) / v.step);
    return std::min(i, bucket_end.size() - 1);
  };

  // Per stream: bytes per bucket over the inclusive range [start, end].
  std::vector<std::vector<uint64_t>> per_stream(refs.size());
  s = ForEachIndex(refs.size(), [&](size_t i) {
    auto& bytes = per_stream[i];
    bytes.assign(bucket_end.size(), 0);
    return deps.store->ScanStream(
        tenant, refs[i].id, v.start, v.end + 1, Direction::kForward,
        [&](const EntryBatch& b) {
          for (size_t k = 0; k < b.size(); ++k) bytes[bucket_of(b.ts[k])] += b.line[k].size();
          return true;
        },
        nullptr);
  });
  if (!s.ok()) return ErrorResponse(s);

  std::vector<BucketVolumes> buckets(bucket_end.size());
  std::map<std::string, Labels> metric_of;
  for (size_t i = 0; i < refs.size(); ++i) {
    const Labels& ls = refs[i].labels;
    Labels key;
    for (const auto& l : ls) {
      if (include_all || by.count(l.name)) key.push_back(l);
    }
    std::string name = LabelsToString(key);
    for (size_t b = 0; b < buckets.size(); ++b) {
      uint64_t n = per_stream[i][b];
      if (n == 0) continue;
      if (v.by_series) {
        buckets[b][name] += n;
        metric_of.try_emplace(name, key);
      } else {
        for (const auto& l : ls) {
          if (!v.target_labels.empty() && !by.count(l.name)) continue;
          buckets[b][l.name] += n;
          metric_of.try_emplace(l.name, Labels{{l.name, ""}});
        }
      }
      if (buckets[b].size() > kVolumeMaxSeries) {
        return Response::Text(400, "the query hit the max number of series limit (limit: " +
                                       std::to_string(kVolumeMaxSeries) + " series)");
      }
    }
  }

  // Each bucket keeps its `limit` largest series (ties by name).
  std::map<std::string, VolumeSeries> series;
  for (size_t b = 0; b < buckets.size(); ++b) {
    std::vector<std::pair<std::string, uint64_t>> vols(buckets[b].begin(), buckets[b].end());
    std::sort(vols.begin(), vols.end(), [](const auto& x, const auto& y) {
      return x.second != y.second ? x.second > y.second : x.first < y.first;
    });
    if (vols.size() > v.limit) vols.resize(v.limit);
    for (auto& [name, n] : vols) {
      auto& vs = series[name];
      vs.name = name;
      vs.samples.push_back({bucket_end[b], n});
    }
  }
  std::vector<VolumeSeries> out;
  bool matrix = false;
  for (auto& [name, vs] : series) {
    vs.metric = metric_of[name];
    matrix |= vs.samples.size() > 1;
    out.push_back(std::move(vs));
  }
  std::sort(out.begin(), out.end(), [](const VolumeSeries& a, const VolumeSeries& b) {
    uint64_t x = a.samples[0].second, y = b.samples[0].second;
    return x != y ? x > y : a.name < b.name;
  });

  std::string body = "{\"status\":\"success\",\"data\":{\"resultType\":\"";
  body += matrix ? "matrix" : "vector";
  body += "\",\"result\":[";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) body.push_back(',');
    body += "{\"metric\":";
    AppendLabelsObject(&body, out[i].metric);
    body += matrix ? ",\"values\":[" : ",\"value\":";
    for (size_t j = 0; j < out[i].samples.size(); ++j) {
      if (j) body.push_back(',');
      body += "[" + FormatSeconds(out[i].samples[j].first) + ",\"" +
              std::to_string(out[i].samples[j].second) + "\"]";
    }
    body += matrix ? "]}" : "}";
  }
  body += "]}}";
  return Response::Json(std::move(body));
}

}  // namespace

Response IndexVolume(const GrafanaDeps& deps, const Request& req, const std::string& tenant) {
  VolumeRequest v;
  int64_t unused_time;
  Status s = ParseVolumeCommon(req, &v);
  if (s.ok()) s = ParseTimestamp(req.Param("time"), 0, &unused_time);
  if (s.ok()) s = ParseBounds(req, kHour, &v.start, &v.end);
  if (!s.ok()) return ErrorResponse(s);
  return RunVolume(deps, tenant, std::move(v));
}

Response IndexVolumeRange(const GrafanaDeps& deps, const Request& req, const std::string& tenant) {
  VolumeRequest v;
  Status s = ParseVolumeCommon(req, &v);
  if (s.ok()) s = ParseBounds(req, kHour, &v.start, &v.end);
  if (s.ok()) s = ParseRangeStep(req, v.start, v.end, &v.step);
  if (!s.ok()) return ErrorResponse(s);
  return RunVolume(deps, tenant, std::move(v));
}

}  // namespace lode::server
