// Agent: `lode agent`, the file collector without a store. It reads the
// log sources as the server's collector does, commits batches with their
// read positions to a local disk buffer (buffer.h) and ships them to any
// Loki-compatible push URL (shipper.h): lode or Grafana Loki.
//
// At least once: a position is stored only together with the lines it
// covers (in the buffer), and lines leave the buffer only when the target
// acknowledged them; kill -9 of the agent or an outage of the target loses
// nothing (up to buffer_max_bytes; beyond it the oldest batches are dropped,
// logged and counted). A batch the target rejected with a 4xx other than 429
// is dropped, logged and counted.
//
// The HTTP endpoints (/metrics, /ready) are served by the caller
// (server/agent_command.cc) from MetricsText and StatusJson.
//
// Threads: the collector's reader and commit threads, the shipper.
#pragma once

#include <memory>
#include <string>

#include "agent/buffer.h"
#include "agent/shipper.h"
#include "ingest/collector/collector.h"

namespace lode::agent {

struct AgentOptions {
  std::string push_url;                      // --push-url / agent.url
  std::string tenant;                        // --tenant / agent.tenant: X-Scope-OrgID (empty: none)
  std::string data_dir = "./agent-data";     // --data-dir / agent.data_dir: the buffer
  Labels external_labels;                    // agent.external_labels
  int64_t batch_wait_ns = 1000000000LL;      // agent.batch_wait
  uint64_t batch_size = 1 << 20;             // agent.batch_size
  int64_t min_backoff_ns = 500000000LL;      // agent.min_backoff
  int64_t max_backoff_ns = 300000000000LL;   // agent.max_backoff
  int64_t timeout_ns = 10000000000LL;        // agent.timeout
  uint64_t buffer_max_bytes = 256ULL << 20;  // agent.buffer_max_bytes
  // log_sources, http_urls, docker, rotate_wait...; batch sizes are set
  // from batch_size, limits from ingest::PushLimits' defaults.
  collector::CollectorOptions collector;
  std::function<void(const std::string&)> log;  // default: lode::Logf
};

class Agent {
 public:
  // Opens the buffer and the collector (an error names the bad log-sources
  // file or the data directory). Does not start.
  static Status Open(const AgentOptions& opts, std::unique_ptr<Agent>* out);
  ~Agent();
  void Start();
  // Stops reading and shipping; what is buffered stays for the next start.
  void Stop();
  void RequestReload();  // SIGHUP: re-read the log-sources files
  // lode_agent_* and lode_collector_* series.
  std::string MetricsText();
  // The collector's /collector/status JSON.
  std::string StatusJson();

 private:
  Agent() = default;
  AgentOptions opts_;
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<Shipper> shipper_;
  std::unique_ptr<collector::Collector> collector_;
  bool stopped_ = false;
};

}  // namespace lode::agent
