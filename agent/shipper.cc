#include "agent/shipper.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>

#include "base/log.h"
#include "ingest/push_encode.h"

namespace lode::agent {

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A metric label value: escaped as the Prometheus text format asks.
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 512)) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Streams(const std::vector<Record>& records) {
  std::vector<std::string> names;
  for (const auto& r : records) {
    for (const auto& s : r.streams) {
      if (std::find(names.begin(), names.end(), s) == names.end() && names.size() < 10)
        names.push_back(s);
    }
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Shipper::Shipper(const ShipperOptions& opts, Buffer* buffer) : opts_(opts), buffer_(buffer) {}

Shipper::~Shipper() { Stop(); }

void Shipper::Log(const std::string& msg) {
  if (opts_.log) {
    opts_.log(msg);
  } else {
    lode::Logf("%s", msg.c_str());
  }
}

void Shipper::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Shipper::Stop() {
  {
    std::lock_guard<std::mutex> l(sleep_mu_);
    stop_ = true;
  }
  sleep_cv_.notify_all();
  buffer_->Wake();
  if (thread_.joinable()) thread_.join();
}

bool Shipper::Sleep(int64_t ns) {
  std::unique_lock<std::mutex> l(sleep_mu_);
  sleep_cv_.wait_for(l, std::chrono::nanoseconds(ns), [this] { return stop_.load(); });
  return !stop_;
}

void Shipper::Run() {
  PushClient client(opts_.url, opts_.tenant, opts_.timeout_ns);
  uint64_t cursor = buffer_->first_seq();
  std::vector<Record> batch;
  // The batch's requests, joined as Read puts them; the compressed push.
  Bytes raw, body;
  auto compress = [&] {
    body.clear();
    char* out = body.Extend(ingest::SnappyMaxCompressedLength(raw.size()));
    body.Truncate(ingest::SnappyCompress(raw.view(), out));
  };
  bool shipped_since_trim = false;
  while (!stop_) {
    if (!buffer_->WaitFor(cursor, 1000)) {
      // Idle for a second after shipping: give batch memory back.
      if (shipped_since_trim) {
        raw.Release();
        body.Release();
        std::vector<Record>().swap(batch);
        buffer_->ReleaseMemory();
        malloc_trim(0);
      }
      shipped_since_trim = false;
      continue;
    }
    shipped_since_trim = true;
    // Fill a push: up to batch_size, or what is there once its oldest
    // record waited batch_wait.
    batch.clear();
    raw.clear();
    Status st = buffer_->Read(cursor, opts_.batch_size, &batch, &raw);
    if (!st.ok() || batch.empty()) {
      if (!st.ok()) Log("agent: " + st.message());
      Sleep(100000000);
      continue;
    }
    uint64_t bytes = 0;
    for (const auto& r : batch) bytes += r.size;
    int64_t age = NowNs() - batch.front().created_ns;
    if (bytes < opts_.batch_size && age < opts_.batch_wait_ns) {
      // Wait for the push to fill; a full push goes at once.
      int64_t end = batch.front().created_ns + opts_.batch_wait_ns;
      bool full = false;
      while (!stop_ && !full && NowNs() < end) {
        uint64_t next = batch.back().seq + 1;
        int ms = static_cast<int>(std::max<int64_t>(1, (end - NowNs()) / 1000000));
        if (!buffer_->WaitFor(next, ms)) continue;
        std::vector<Record> more;
        if (!buffer_->Read(next, opts_.batch_size - bytes, &more, &raw, false).ok()) break;
        // Nothing fits: the next record would make the push too big.
        if (more.empty()) full = true;
        for (auto& r : more) {
          bytes += r.size;
          batch.push_back(std::move(r));
        }
        if (bytes >= opts_.batch_size) full = true;
      }
      if (stop_) break;
    }
    uint64_t lines = 0, line_bytes = 0;
    for (const auto& r : batch) {
      lines += r.lines;
      line_bytes += r.line_bytes;
    }
    if (lines == 0) {
      // Only read positions (a file rotated or truncated): nothing to send.
      buffer_->Remove(batch);
      cursor = batch.back().seq + 1;
      continue;
    }
    compress();
    {
      std::lock_guard<std::mutex> l(mu_);
      sent_lines_ += lines;
      sent_bytes_ += line_bytes;
    }
    int64_t backoff = opts_.min_backoff_ns;
    for (;;) {
      PushResult res = client.Post(body.view());
      {
        std::lock_guard<std::mutex> l(mu_);
        ++requests_;
      }
      if (res.connected && res.status / 100 == 2) {
        buffer_->SetTargetUp(true);
        buffer_->Remove(batch);
        std::lock_guard<std::mutex> l(mu_);
        acked_lines_ += lines;
        acked_bytes_ += line_bytes;
        last_ack_ns_ = NowNs();
        break;
      }
      bool retry = !res.connected || res.status == 429 || res.status / 100 == 5;
      std::string err = res.connected ? "HTTP " + std::to_string(res.status) + ": " + res.body
                                      : "connection: " + res.error;
      while (!err.empty() && err.back() == '\n') err.pop_back();
      {
        std::lock_guard<std::mutex> l(mu_);
        last_error_ = err;
        last_error_ns_ = NowNs();
        if (!retry) {
          rejected_lines_ += lines;
          rejected_bytes_ += line_bytes;
        } else {
          ++retries_;
        }
      }
      buffer_->SetTargetUp(!retry);
      if (!retry) {
        Log("agent: push of " + std::to_string(lines) + " lines rejected, dropped (streams " +
            Streams(batch) + "): " + err);
        buffer_->Remove(batch);
        break;
      }
      int64_t wait = res.retry_after_ns >= 0 ? res.retry_after_ns : backoff;
      Log("agent: push of " + std::to_string(lines) + " lines failed (" + err + "); retrying in " +
          std::to_string(wait / 1000000) + " ms");
      if (!Sleep(wait)) break;
      backoff = std::min(backoff * 2, opts_.max_backoff_ns);
      // Records dropped for space meanwhile are not sent again.
      uint64_t first = buffer_->first_seq();
      if (batch.front().seq < first) {
        while (!batch.empty() && batch.front().seq < first) batch.erase(batch.begin());
        if (batch.empty()) break;
        size_t cut = batch.front().proto_at;
        raw.Erase(cut);
        lines = line_bytes = 0;
        for (auto& r : batch) {
          r.proto_at -= cut;
          lines += r.lines;
          line_bytes += r.line_bytes;
        }
        compress();
      }
    }
    if (stop_) break;
    cursor = batch.empty() ? buffer_->first_seq() : batch.back().seq + 1;
    if (raw.capacity() > 4 * opts_.batch_size) raw.Release();
    if (body.capacity() > 4 * opts_.batch_size) body.Release();
  }
}

std::string Shipper::MetricsText() {
  BufferStats b = buffer_->Stats();
  std::lock_guard<std::mutex> l(mu_);
  std::string o;
  auto counter = [&](const char* name, const char* help, const std::string& series, uint64_t v) {
    if (help) {
      o += std::string("# HELP ") + name + " " + help + "\n";
      o += std::string("# TYPE ") + name + " counter\n";
    }
    o += series + " " + std::to_string(v) + "\n";
  };
  auto gauge = [&](const char* name, const char* help, double v) {
    o += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " ";
    char buf[32];
    snprintf(buf, sizeof buf, "%.17g", v);
    o += std::string(buf) + "\n";
  };
  counter("lode_agent_sent_lines_total", "Lines sent to the push URL (retries not counted again).",
          "lode_agent_sent_lines_total", sent_lines_);
  counter("lode_agent_sent_bytes_total", "Line bytes sent to the push URL.",
          "lode_agent_sent_bytes_total", sent_bytes_);
  counter("lode_agent_acked_lines_total", "Lines the target acknowledged (2xx).",
          "lode_agent_acked_lines_total", acked_lines_);
  counter("lode_agent_acked_bytes_total", "Line bytes the target acknowledged.",
          "lode_agent_acked_bytes_total", acked_bytes_);
  counter("lode_agent_dropped_lines_total",
          "Lines dropped: rejected by the target (4xx) or the oldest when the buffer was full.",
          "lode_agent_dropped_lines_total{reason=\"rejected\"}", rejected_lines_);
  counter("lode_agent_dropped_lines_total", nullptr,
          "lode_agent_dropped_lines_total{reason=\"buffer_full\"}", b.dropped_lines);
  counter("lode_agent_dropped_bytes_total", "Line bytes dropped, by reason.",
          "lode_agent_dropped_bytes_total{reason=\"rejected\"}", rejected_bytes_);
  counter("lode_agent_dropped_bytes_total", nullptr,
          "lode_agent_dropped_bytes_total{reason=\"buffer_full\"}", b.dropped_bytes);
  counter("lode_agent_requests_total", "Push requests made.", "lode_agent_requests_total",
          requests_);
  counter("lode_agent_retries_total",
          "Pushes retried after a connection error, timeout, 429 or 5xx.",
          "lode_agent_retries_total", retries_);
  gauge("lode_agent_buffer_bytes", "Bytes of batches in the disk buffer, not yet acknowledged.",
        static_cast<double>(b.bytes));
  gauge("lode_agent_buffer_batches", "Batches in the disk buffer.", static_cast<double>(b.records));
  gauge("lode_agent_last_ack_timestamp_seconds", "When the target last acknowledged a push.",
        static_cast<double>(last_ack_ns_) / 1e9);
  gauge("lode_agent_last_error_timestamp_seconds", "When the last push failed (0: never).",
        static_cast<double>(last_error_ns_) / 1e9);
  o += "# HELP lode_agent_last_error The last push error, as a label.\n";
  o += "# TYPE lode_agent_last_error gauge\n";
  o += "lode_agent_last_error{error=\"" + Escape(last_error_) + "\"} " +
       (last_error_.empty() ? "0" : "1") + "\n";
  return o;
}

}  // namespace lode::agent
