// Per-tenant ingestion limits, as Loki's distributor and ingester apply them:
//   - a token bucket on the bytes of a push (line + structured metadata
//     bytes after validation): ingestion_rate_mb per second, bucket size
//     ingestion_burst_size_mb. A push that does not fit is rejected whole
//     (HTTP 429) and takes no tokens;
//   - a cap on active streams (max_streams_per_user /
//     max_global_streams_per_user): a stream is active while it has received
//     entries within `stream_idle_ns` (ingester.chunk_idle_period); pushes to
//     new streams beyond the cap are rejected per stream (HTTP 429).
// State lives in memory only (a restart starts with full buckets and no
// active streams, as a Loki ingester restart does). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ingest/push.h"

namespace lode::ingest {

constexpr double kBytesInMB = 1048576.0;  // Loki's MB in limits is 2^20 bytes

// The per-tenant rate and stream limits (limits_config names).
struct RateLimits {
  double ingestion_rate_mb = 0;                // MB/s (2^20 bytes); 0: unlimited
  double ingestion_burst_size_mb = 0;          // bucket size; 0: same as the rate
  int64_t max_streams_per_user = 0;            // active streams; 0: unlimited
  int64_t max_global_streams_per_user = 5000;  // idem (single node: the same limit)
};

class IngestLimiter {
 public:
  explicit IngestLimiter(int64_t stream_idle_ns) : stream_idle_ns_(stream_idle_ns) {}

  // Takes `bytes` tokens from the tenant's bucket. rate_mb <= 0: unlimited;
  // burst_mb <= 0: the bucket holds one second of rate.
  bool AllowBytes(std::string_view tenant, double rate_mb, double burst_mb, uint64_t bytes,
                  int64_t now_ns);

  // True when the stream is active, or may become active under `limit`
  // (<= 0: unlimited); then marks it active at now_ns.
  bool AdmitStream(std::string_view tenant, uint64_t stream_hash, int64_t limit, int64_t now_ns);

  // Active streams of a tenant (those tracked because a limit is set).
  size_t ActiveStreams(std::string_view tenant, int64_t now_ns);

 private:
  struct Bucket {
    double tokens = -1;  // < 0: not initialised (starts full)
    int64_t last_ns = 0;
  };
  struct Streams {
    std::unordered_map<uint64_t, int64_t> last_seen;
    int64_t last_prune_ns = 0;
  };
  void Prune(Streams* s, int64_t now_ns);

  const int64_t stream_idle_ns_;
  std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;
  std::map<std::string, Streams, std::less<>> streams_;
};

// Applies a tenant's limits to a validated push. Returns false when the whole
// push exceeds the rate limit (*rate_error: Loki's RateLimitedErrorMsg);
// otherwise removes the streams beyond the active-stream limit, appending
// Loki's StreamLimitErrorMsg per stream to *errors and counting them in
// *streams_limited.
bool ApplyIngestLimits(IngestLimiter* limiter, std::string_view tenant, const RateLimits& limits,
                       int64_t now_ns, PushRequest* req, std::vector<std::string>* errors,
                       std::string* rate_error, size_t* streams_limited);

}  // namespace lode::ingest
