#include "agent/agent.h"

#include <algorithm>

namespace lode::agent {

Status Agent::Open(const AgentOptions& opts, std::unique_ptr<Agent>* out) {
  std::unique_ptr<Agent> a(new Agent());
  a->opts_ = opts;
  ShipperOptions so;
  LODE_RETURN_IF_ERROR(ParsePushUrl(opts.push_url, &so.url));
  so.tenant = opts.tenant;
  so.batch_wait_ns = opts.batch_wait_ns;
  so.batch_size = opts.batch_size;
  so.min_backoff_ns = opts.min_backoff_ns;
  so.max_backoff_ns = std::max(opts.max_backoff_ns, opts.min_backoff_ns);
  so.timeout_ns = opts.timeout_ns;
  so.log = opts.log;
  BufferOptions bo;
  bo.dir = opts.data_dir;
  bo.max_bytes = opts.buffer_max_bytes;
  // Disk use stays within buffer_max_bytes plus one segment.
  bo.segment_bytes = std::clamp<uint64_t>(opts.buffer_max_bytes / 8, 64 << 10, 8 << 20);
  bo.external_labels = opts.external_labels;
  SortLabels(&bo.external_labels);
  bo.log = opts.log;
  LODE_RETURN_IF_ERROR(Buffer::Open(bo, &a->buffer_));
  collector::CollectorOptions co = opts.collector;
  // Records of under half a push (encoding adds ~7 %): the shipper joins
  // two, and the collector's batches in memory (the one being read and two
  // being committed) stay small.
  co.batch_bytes = std::max<uint64_t>(opts.batch_size * 2 / 5, 64 << 10);
  co.read_chunk_bytes = std::min<size_t>(co.read_chunk_bytes, 128 << 10);
  if (!co.log) co.log = opts.log;
  LODE_RETURN_IF_ERROR(collector::Collector::Open(co, a->buffer_.get(), &a->collector_));
  a->shipper_ = std::make_unique<Shipper>(so, a->buffer_.get());
  *out = std::move(a);
  return Status::OK();
}

Agent::~Agent() { Stop(); }

void Agent::Start() {
  shipper_->Start();
  collector_->Start();
}

void Agent::Stop() {
  if (stopped_) return;
  stopped_ = true;
  // The shipper first: it wakes a commit waiting for the buffer to drain,
  // so the collector's last batch goes into the buffer for the next start.
  shipper_->Stop();
  collector_->Stop();
}

void Agent::RequestReload() { collector_->RequestReload(); }

std::string Agent::MetricsText() { return shipper_->MetricsText() + collector_->MetricsText(); }

std::string Agent::StatusJson() { return collector_->StatusJson(); }

}  // namespace lode::agent
