#include "bench/lode_bench/ingest_runner.h"

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/lode_bench/line_writer.h"
#include "bench/lode_bench/measure.h"
#include "bench/lode_bench/otlp_encoder.h"
#include "bench/lode_bench/progress.h"
#include "bench/lode_bench/push_encoder.h"
#include "bench/lode_bench/resource_sampler.h"

namespace lode::bench {
namespace {

// What one connection thread measured.
struct WorkerResult {
  uint64_t lines = 0, raw_bytes = 0;
  uint64_t lines_acked = 0, raw_bytes_acked = 0;
  uint64_t protobuf_bytes = 0, body_bytes = 0;
  uint64_t requests = 0, errors = 0;
  double generate_seconds = 0;
  std::vector<double> latencies;
  std::map<std::string, uint64_t> status_counts;  // "204", "429", "transport"
};

struct Shared {
  std::atomic<uint64_t> errors{0};
  std::atomic<bool> abort{false};
  std::mutex mu;
  std::string first_error;
};

class Worker {
 public:
  Worker(const IngestOptions& options, const Dataset& dataset, uint32_t index, Shared* shared,
         Progress* progress, WorkerResult* result)
      : options_(options),
        dataset_(dataset),
        index_(index),
        shared_(shared),
        progress_(progress),
        result_(result),
        client_(options.url, options.timeout),
        encoder_(static_cast<uint32_t>(dataset.streams().size())),
        otlp_(options.format != "loki"),
        otlp_encoder_(static_cast<uint32_t>(dataset.streams().size()),
                      options.format == "otlp-gzip"),
        headers_{{"Content-Type", "application/x-protobuf"}, {"X-Scope-OrgID", options.tenant}} {
    if (options.format == "otlp-gzip") headers_.push_back({"Content-Encoding", "gzip"});
  }

  void Run() {
    const auto& streams = dataset_.streams();
    const uint64_t lines = dataset_.options().lines;
    const uint32_t n = options_.connections;
    std::string line;
    double started = MonotonicSeconds();
    for (uint64_t k = 0; k < lines; ++k) {
      uint32_t s = dataset_.StreamOf(k);
      if (s % n != index_) continue;
      int64_t ts = dataset_.TimestampOf(k);
      Rng rng = dataset_.EntryRng(k);
      line.clear();
      writer_.Append(streams[s], ts, rng, &line);
      if (otlp_) {
        otlp_encoder_.AddEntry(s, streams[s].labels, ts, line);
      } else {
        encoder_.AddEntry(s, streams[s].labels, ts, line);
      }
      if ((otlp_ ? otlp_encoder_.raw_line_bytes() : encoder_.raw_line_bytes()) >=
          options_.batch_bytes) {
        result_->generate_seconds += MonotonicSeconds() - started;
        Push();
        if (shared_->abort.load(std::memory_order_relaxed)) return;
        started = MonotonicSeconds();
      }
    }
    result_->generate_seconds += MonotonicSeconds() - started;
    if ((otlp_ ? otlp_encoder_.entry_count() : encoder_.entry_count()) > 0) Push();
  }

 private:
  void Push() {
    const uint64_t lines = otlp_ ? otlp_encoder_.entry_count() : encoder_.entry_count();
    const uint64_t raw = otlp_ ? otlp_encoder_.raw_line_bytes() : encoder_.raw_line_bytes();
    result_->protobuf_bytes += otlp_ ? otlp_encoder_.Finish(&body_) : encoder_.Finish(&body_);
    result_->body_bytes += body_.size();
    result_->lines += lines;
    result_->raw_bytes += raw;
    ++result_->requests;
    HttpResponse response =
        client_.Post(otlp_ ? "/otlp/v1/logs" : "/loki/api/v1/push", std::move(body_), headers_);
    body_ = std::string();
    result_->latencies.push_back(response.seconds);
    ++result_->status_counts[response.error.empty() ? std::to_string(response.status)
                                                    : std::string("transport")];
    // OTLP answers 200 with a partial_success body when records were rejected.
    if (otlp_ && response.ok() && !response.body.empty()) {
      // A protobuf ExportLogsServiceResponse: keep the readable error_message.
      std::string text = response.body.substr(0, 300);
      for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = ' ';
      }
      response.error = "partial success (records rejected): " + text;
    }
    if (response.ok()) {
      result_->lines_acked += lines;
      result_->raw_bytes_acked += raw;
      progress_->Add(lines, raw);
      return;
    }
    ++result_->errors;
    progress_->AddError();
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      if (shared_->first_error.empty()) {
        shared_->first_error = response.Describe();
        fprintf(stderr, "\nlode-bench: push failed: %s\n", shared_->first_error.c_str());
      }
    }
    if (shared_->errors.fetch_add(1) + 1 >= options_.max_errors) shared_->abort = true;
  }

  const IngestOptions& options_;
  const Dataset& dataset_;
  const uint32_t index_;
  Shared* shared_;
  Progress* progress_;
  WorkerResult* result_;
  HttpClient client_;
  PushEncoder encoder_;
  const bool otlp_;
  OtlpEncoder otlp_encoder_;
  LineWriter writer_;
  std::string body_;
  Headers headers_;
};

// Waits until the directory size stops changing (the server may finish
// writing after /flush returns), for at most ~10 s.
nlohmann::json MeasureDataDir(const std::string& dir, uint64_t raw_bytes) {
  std::string error;
  uint64_t allocated = 0;
  uint64_t bytes = DirectoryBytes(dir, &allocated, &error);
  for (int i = 0; i < 20 && error.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    uint64_t again = DirectoryBytes(dir, &allocated, &error);
    if (again == bytes) break;
    bytes = again;
  }
  nlohmann::json disk = {{"data_dir", dir}};
  if (!error.empty()) {
    disk["error"] = error;
    return disk;
  }
  disk["bytes"] = bytes;
  disk["allocated_bytes"] = allocated;
  disk["compression_ratio"] =
      bytes > 0 ? static_cast<double>(raw_bytes) / static_cast<double>(bytes) : 0.0;
  return disk;
}

}  // namespace

bool ProbeServer(const Url& url, std::chrono::milliseconds timeout, std::string* error) {
  HttpClient client(url, timeout);
  HttpResponse response = client.Get("/ready");
  if (!response.error.empty()) {
    *error = "cannot reach server at " + url.ToString() + ": " + response.error;
    return false;
  }
  return true;
}

bool RunIngest(const IngestOptions& options, nlohmann::json* metrics, std::string* fatal) {
  nlohmann::json& m = *metrics;
  if (!ProbeServer(options.url, options.timeout, fatal)) return false;

  double t0 = MonotonicSeconds();
  Dataset dataset(options.data);
  m["dataset_setup_seconds"] = MonotonicSeconds() - t0;

  ResourceSampler sampler(options.pid);
  sampler.Start();
  Shared shared;
  std::vector<WorkerResult> results(options.connections);
  double start = MonotonicSeconds();
  {
    Progress progress("ingest", dataset.options().lines);
    std::vector<std::thread> threads;
    for (uint32_t i = 0; i < options.connections; ++i) {
      threads.emplace_back(
          [&, i] { Worker(options, dataset, i, &shared, &progress, &results[i]).Run(); });
    }
    for (auto& t : threads) t.join();
  }
  double elapsed = MonotonicSeconds() - start;

  WorkerResult total;
  for (WorkerResult& r : results) {
    total.lines += r.lines;
    total.raw_bytes += r.raw_bytes;
    total.lines_acked += r.lines_acked;
    total.raw_bytes_acked += r.raw_bytes_acked;
    total.protobuf_bytes += r.protobuf_bytes;
    total.body_bytes += r.body_bytes;
    total.requests += r.requests;
    total.errors += r.errors;
    total.generate_seconds += r.generate_seconds;
    total.latencies.insert(total.latencies.end(), r.latencies.begin(), r.latencies.end());
    for (const auto& [status, count] : r.status_counts) total.status_counts[status] += count;
  }
  m["lines_sent"] = total.lines;
  m["lines_acked"] = total.lines_acked;
  m["raw_bytes_sent"] = total.raw_bytes;
  m["raw_bytes_acked"] = total.raw_bytes_acked;
  m["protobuf_bytes"] = total.protobuf_bytes;
  m["body_bytes"] = total.body_bytes;
  m["requests"] = total.requests;
  m["errors"] = total.errors;
  m["status_counts"] = total.status_counts;
  if (!shared.first_error.empty()) m["first_error"] = shared.first_error;
  m["elapsed_seconds"] = elapsed;
  m["lines_per_second"] = elapsed > 0 ? static_cast<double>(total.lines_acked) / elapsed : 0.0;
  m["mb_per_second"] =
      elapsed > 0 ? static_cast<double>(total.raw_bytes_acked) / elapsed / 1e6 : 0.0;
  m["push_latency"] = LatencySummary(total.latencies);
  m["client_generate_seconds"] = total.generate_seconds;

  // Flush so that the disk footprint below is final.
  HttpClient flusher(options.url, options.flush_timeout);
  HttpResponse flush = flusher.Post("/flush", std::string(), {{"X-Scope-OrgID", options.tenant}});
  nlohmann::json flush_json = {{"status", flush.status}, {"seconds", flush.seconds}};
  if (!flush.ok() && flush.status != 404 && flush.status != 405) {
    flush_json["error"] = flush.Describe();
    fprintf(stderr, "lode-bench: flush failed: %s\n", flush.Describe().c_str());
  }
  m["flush"] = flush_json;

  nlohmann::json server = sampler.Stop();
  if (!server.is_null()) {
    double cpu = server.value("cpu_seconds", 0.0);
    server["lines_per_cpu_second"] = cpu > 0 ? static_cast<double>(total.lines_acked) / cpu : 0.0;
    m["server"] = server;
  }
  if (!options.data_dir.empty())
    m["disk"] = MeasureDataDir(options.data_dir, total.raw_bytes_acked);

  if (shared.abort) {
    *fatal = "ingest aborted after " + std::to_string(total.errors) +
             " failed pushes (--max-errors); first error: " + shared.first_error;
    return false;
  }
  return true;
}

}  // namespace lode::bench
