// Engine: runs a LogQL query against a Reader, the single entry point used by
// the HTTP API and by the LogQL semantics test runner.
//
// Log queries return streams (entries grouped by their final label set,
// `limit` entries in total, ordered by `direction`, [start, end) bounds).
// Metric queries return a matrix (range) or vector/scalar (instant), via the
// evaluator (logql/evaluator.h) with samples extracted from storage here.
// An Engine is thread-safe; Query() may run concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "logql/evaluator.h"
#include "logql/query_context.h"
#include "storage/reader.h"

namespace lode::logql {

struct EngineOptions {
  size_t max_query_series = 500;
  size_t max_points_per_series = 11000;
  size_t max_entries_limit = 5000;  // max `limit` accepted for log queries
  int scan_threads = 2;             // parallel stream scans
  // limits_config.query_timeout: a query running longer stops and fails
  // with HTTP 504 and Loki's timeout message. <= 0: no timeout.
  int64_t query_timeout_ns = 60LL * 1000000000;
  // querier.max_concurrent: queries running at once; more wait up to
  // max_queue_wait_ns (querier.max_queue_wait, lode's own) for a slot, then
  // fail with 429 "too many outstanding requests".
  int max_concurrent = 4;
  int64_t max_queue_wait_ns = 5LL * 1000000000;
  // limits_config.max_query_memory (lode's own): bytes one query may
  // materialise (see QueryContext). 0: unlimited.
  uint64_t max_query_memory = 1ULL << 30;
  // Fold the samples of additive range functions between window edges as
  // they are scanned (logql::WindowFold); false keeps one sample per line
  // (tests compare the two).
  bool fold_windows = true;
};

struct QueryRequest {
  std::string tenant = "fake";
  std::string query;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t step_ns = 0;  // 0: Loki's default for range queries
  int64_t interval_ns = 0;
  uint32_t limit = 100;
  Direction direction = Direction::kBackward;
  bool instant = false;  // /query: evaluate at end_ns (== start_ns)
  // Range metric queries only: round start_ns down and end_ns up to
  // multiples of the step before evaluating, as Loki's query frontend does
  // to every metric range query it splits (split_queries_by_interval, on by
  // default; pkg/querier/queryrange/splitters.go alignStartEnd, the same in
  // 2.7.5's split_by_interval.go). The HTTP API sets it; the ruler and
  // Loki's engine-level semantics suite do not go through a frontend.
  bool align_to_step = false;
  // Optional, owned by the caller (e.g. to cancel when the client goes
  // away); null: the engine makes one from its options.
  QueryContext* ctx = nullptr;
};

struct ResultEntry {
  int64_t ts = 0;
  std::string line;
  Labels structured_metadata;  // for categorize-labels responses
  Labels parsed;
};

struct StreamResult {
  Labels labels;  // the full label set (stream + metadata + parsed)
  Labels stream;  // the indexed stream labels only
  std::vector<ResultEntry> entries;
};

struct QueryStats {
  uint64_t bytes_processed = 0;
  uint64_t lines_processed = 0;
  uint64_t chunks_read = 0;
  uint64_t blocks_skipped = 0;
  uint64_t streams = 0;
  double exec_seconds = 0;
};

struct QueryResult {
  enum class Type { kStreams, kMatrix, kVector, kScalar };
  Type type = Type::kStreams;
  std::vector<StreamResult> streams;  // kStreams
  EvalResult metric;                  // kMatrix / kVector / kScalar
  QueryStats stats;
};

class Engine {
 public:
  Engine(Reader* reader, EngineOptions opts);

  // Parses and runs the query. Errors are user-facing (Loki's text):
  // kInvalidArgument for parse errors and invalid requests, kLimitExceeded
  // for limits, kTooManyRequests when no slot frees up in time,
  // kDeadlineExceeded past the query timeout, kCancelled when req.ctx was
  // cancelled, kIOError for storage failures.
  Status Query(const QueryRequest& req, QueryResult* out);

  // A QueryContext with this engine's timeout and memory budget.
  std::unique_ptr<QueryContext> NewContext() const;

  // Loki's default step for a range query: max(1s, floor((end-start)/250)).
  static int64_t DefaultStep(int64_t start_ns, int64_t end_ns);

 private:
  Status Run(const QueryRequest& req, QueryContext* ctx, QueryResult* out);

  Reader* reader_;
  EngineOptions opts_;
  std::mutex slots_mu_;
  std::condition_variable slots_cv_;
  int running_ = 0;
};

}  // namespace lode::logql
