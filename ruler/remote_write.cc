// Remote-write client (remote_write.h). The protobuf wire format is written
// by hand: WriteRequest{1: repeated TimeSeries}, TimeSeries{1: repeated
// Label, 2: repeated Sample}, Label{1: name, 2: value}, Sample{1: double
// value, 2: int64 timestamp (ms)}.

#include "ruler/remote_write.h"

#include <snappy.h>

#include <cstring>
#include <map>

namespace lode::ruler {
namespace {

void Varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void Bytes(std::string* out, int field, std::string_view b) {
  Varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  Varint(out, b.size());
  out->append(b);
}

}  // namespace

std::string RemoteWriter::EncodeWriteRequest(const std::vector<RecordedSample>& samples) {
  // One TimeSeries per label set, samples in order.
  std::map<std::string, std::pair<const Labels*, std::vector<const RecordedSample*>>> series;
  for (const auto& s : samples) {
    auto& e = series[LabelsToString(s.labels)];
    e.first = &s.labels;
    e.second.push_back(&s);
  }
  std::string out;
  for (const auto& [key, e] : series) {
    std::string ts;
    for (const auto& l : *e.first) {
      std::string lb;
      Bytes(&lb, 1, l.name);
      Bytes(&lb, 2, l.value);
      Bytes(&ts, 1, lb);
    }
    for (const auto* s : e.second) {
      std::string sb;
      sb.push_back(static_cast<char>((1 << 3) | 1));  // double, fixed64
      uint64_t bits;
      std::memcpy(&bits, &s->value, 8);
      for (int i = 0; i < 8; ++i) sb.push_back(static_cast<char>(bits >> (8 * i)));
      Varint(&sb, (2 << 3) | 0);
      Varint(&sb, static_cast<uint64_t>(s->ts_ns / 1000000));
      Bytes(&ts, 2, sb);
    }
    Bytes(&out, 1, ts);
  }
  return out;
}

Status RemoteWriter::Create(RemoteWriteOptions opts, std::unique_ptr<RemoteWriter>* out) {
  std::unique_ptr<RemoteWriter> w(new RemoteWriter());
  LODE_RETURN_IF_ERROR(ParseHttpUrl(opts.url, &w->url_));
  w->opts_ = std::move(opts);
  w->thread_ = std::thread([p = w.get()] { p->Run(); });
  *out = std::move(w);
  return Status::OK();
}

RemoteWriter::~RemoteWriter() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RemoteWriter::Append(std::vector<RecordedSample> samples) {
  if (samples.empty()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& s : samples) {
      if (queue_.size() >= opts_.queue_capacity) {
        queue_.pop_front();
        stats_.dropped++;
      }
      queue_.push_back(std::move(s));
    }
  }
  cv_.notify_one();
}

RemoteWriteStats RemoteWriter::Stats() const {
  std::lock_guard<std::mutex> l(mu_);
  RemoteWriteStats s = stats_;
  s.queued = queue_.size();
  return s;
}

void RemoteWriter::Run() {
  for (;;) {
    std::vector<RecordedSample> batch;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      while (!queue_.empty() && batch.size() < 500) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::string raw = EncodeWriteRequest(batch), body;
    snappy::Compress(raw.data(), raw.size(), &body);
    int backoff = opts_.initial_backoff_ms;
    bool ok = false;
    for (int attempt = 0; attempt <= opts_.max_retries; ++attempt) {
      HttpReply r;
      Status s = HttpPost(url_,
                          {{"Content-Encoding", "snappy"},
                           {"Content-Type", "application/x-protobuf"},
                           {"X-Prometheus-Remote-Write-Version", "0.1.0"}},
                          body, opts_.timeout_ms, &r);
      if (s.ok() && r.status / 100 == 2) {
        ok = true;
        break;
      }
      if (s.ok() && r.status / 100 == 4 && r.status != 429) {
        fprintf(stderr, "lode: ruler: remote write rejected: HTTP %d %s\n", r.status,
                r.body.substr(0, 200).c_str());
        break;
      }
      if (attempt == opts_.max_retries) {
        fprintf(stderr, "lode: ruler: remote write failed: %s\n",
                s.ok() ? ("HTTP " + std::to_string(r.status)).c_str() : s.message().c_str());
        break;
      }
      {
        std::unique_lock<std::mutex> l(mu_);
        stats_.retries++;
        if (cv_.wait_for(l, std::chrono::milliseconds(backoff), [&] { return stop_; })) return;
      }
      backoff = std::min(backoff * 2, 10000);
    }
    std::lock_guard<std::mutex> l(mu_);
    (ok ? stats_.sent : stats_.failed) += batch.size();
  }
}

}  // namespace lode::ruler
