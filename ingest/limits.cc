#include "ingest/limits.h"

#include <algorithm>
#include <cstdio>

namespace lode::ingest {

bool IngestLimiter::AllowBytes(std::string_view tenant, double rate_mb, double burst_mb,
                               uint64_t bytes, int64_t now_ns) {
  if (rate_mb <= 0) return true;
  double rate = rate_mb * kBytesInMB;
  double burst = (burst_mb > 0 ? burst_mb : rate_mb) * kBytesInMB;
  std::lock_guard<std::mutex> l(mu_);
  auto it = buckets_.find(tenant);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(tenant), Bucket()).first;
  Bucket& b = it->second;
  if (b.tokens < 0) {
    b.tokens = burst;
  } else if (now_ns > b.last_ns) {
    b.tokens = std::min(burst, b.tokens + rate * static_cast<double>(now_ns - b.last_ns) / 1e9);
  }
  b.last_ns = std::max(b.last_ns, now_ns);
  if (static_cast<double>(bytes) > b.tokens) return false;
  b.tokens -= static_cast<double>(bytes);
  return true;
}

void IngestLimiter::Prune(Streams* s, int64_t now_ns) {
  for (auto it = s->last_seen.begin(); it != s->last_seen.end();) {
    if (now_ns - it->second > stream_idle_ns_) {
      it = s->last_seen.erase(it);
    } else {
      ++it;
    }
  }
  s->last_prune_ns = now_ns;
}

bool IngestLimiter::AdmitStream(std::string_view tenant, uint64_t stream_hash, int64_t limit,
                                int64_t now_ns) {
  if (limit <= 0) return true;
  std::lock_guard<std::mutex> l(mu_);
  auto t = streams_.find(tenant);
  if (t == streams_.end()) t = streams_.emplace(std::string(tenant), Streams()).first;
  Streams& s = t->second;
  auto it = s.last_seen.find(stream_hash);
  if (it != s.last_seen.end() && now_ns - it->second <= stream_idle_ns_) {
    it->second = std::max(it->second, now_ns);
    return true;
  }
  if (now_ns - s.last_prune_ns > stream_idle_ns_ ||
      static_cast<int64_t>(s.last_seen.size()) >= limit) {
    Prune(&s, now_ns);
  }
  if (static_cast<int64_t>(s.last_seen.size()) >= limit) return false;
  s.last_seen[stream_hash] = now_ns;
  return true;
}

size_t IngestLimiter::ActiveStreams(std::string_view tenant, int64_t now_ns) {
  std::lock_guard<std::mutex> l(mu_);
  auto t = streams_.find(tenant);
  if (t == streams_.end()) return 0;
  Prune(&t->second, now_ns);
  return t->second.last_seen.size();
}

bool ApplyIngestLimits(IngestLimiter* limiter, std::string_view tenant, const RateLimits& limits,
                       int64_t now_ns, PushRequest* req, std::vector<std::string>* errors,
                       std::string* rate_error, size_t* streams_limited) {
  *streams_limited = 0;
  uint64_t bytes = 0;
  size_t lines = 0;
  for (const auto& s : req->streams) {
    lines += s.entries.size();
    for (const auto& e : s.entries) {
      bytes += e.line.size();
      for (uint32_t i = 0; i < e.n_md; ++i) bytes += e.md[i].name.size() + e.md[i].value.size();
    }
  }
  if (bytes && !limiter->AllowBytes(tenant, limits.ingestion_rate_mb,
                                    limits.ingestion_burst_size_mb, bytes, now_ns)) {
    char buf[512];
    snprintf(buf, sizeof(buf),
             "Ingestion rate limit exceeded for user %.*s (limit: %lld bytes/sec) while attempting "
             "to ingest '%zu' "
             "lines totaling '%llu' bytes, reduce log volume or contact your Loki administrator to "
             "see if the limit "
             "can be increased",
             static_cast<int>(tenant.size()), tenant.data(),
             static_cast<long long>(limits.ingestion_rate_mb * kBytesInMB), lines,
             static_cast<unsigned long long>(bytes));
    *rate_error = buf;
    return false;
  }
  int64_t limit = limits.max_streams_per_user;
  if (limits.max_global_streams_per_user > 0 &&
      (limit <= 0 || limits.max_global_streams_per_user < limit))
    limit = limits.max_global_streams_per_user;
  if (limit <= 0) return true;
  std::vector<PushStream> kept;
  kept.reserve(req->streams.size());
  for (auto& s : req->streams) {
    if (limiter->AdmitStream(tenant, HashLabels(s.labels), limit, now_ns)) {
      kept.push_back(std::move(s));
      continue;
    }
    ++*streams_limited;
    errors->push_back("Maximum active stream limit exceeded when trying to create stream " +
                      LabelsToString(s.labels) +
                      ", reduce the number of active streams (reduce labels or reduce label "
                      "values), or contact your "
                      "Loki administrator to see if the limit can be increased, user: '" +
                      std::string(tenant) + "'");
  }
  req->streams = std::move(kept);
  return true;
}

}  // namespace lode::ingest
