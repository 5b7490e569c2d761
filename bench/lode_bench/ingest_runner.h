// Ingest phase: pushes a generated data set to a Loki-compatible server.
//
// `connections` threads each own one keep-alive HTTP connection and the
// streams s with s % connections == thread, so entries of one stream always
// travel in order on one connection. Each thread batches entries until their
// raw line bytes reach `batch_bytes` (like Promtail), groups them by stream,
// and POSTs a snappy-compressed logproto.PushRequest to /loki/api/v1/push
// with the X-Scope-OrgID header (with format otlp, an OTLP
// ExportLogsServiceRequest to /otlp/v1/logs instead, see otlp_encoder.h). Failed pushes are
// counted, never retried; the phase aborts after `max_errors` failures. Afterwards POST /flush is
// sent (404/405 are ignored: not every server has it).
//
// With `pid` the server's CPU and memory are sampled during the phase (push
// and flush); with `data_dir` its size is measured after the flush.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/lode_bench/dataset.h"
#include "bench/lode_bench/http_client.h"

namespace lode::bench {

struct IngestOptions {
  Url url;
  DatasetOptions data;
  uint32_t connections = 4;
  uint64_t batch_bytes = 1 << 20;
  std::string tenant = "fake";
  int pid = 0;
  std::string data_dir;
  std::chrono::milliseconds timeout{30'000};
  std::chrono::milliseconds flush_timeout{600'000};
  uint64_t max_errors = 50;
  // "loki": snappy logproto.PushRequest to /loki/api/v1/push; "otlp" /
  // "otlp-gzip": OTLP protobuf to /otlp/v1/logs (otlp_encoder.h).
  std::string format = "loki";
};

// Runs the phase and returns its metrics (see README.md for the fields).
// Returns false with *fatal set when the server cannot be reached or the
// phase was aborted; *metrics is filled as far as it got in every case.
bool RunIngest(const IngestOptions& options, nlohmann::json* metrics, std::string* fatal);

// Checks that something answers HTTP at the URL (any status counts).
bool ProbeServer(const Url& url, std::chrono::milliseconds timeout, std::string* error);

}  // namespace lode::bench
