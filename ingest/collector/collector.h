// Collector: lode's built-in log-file collector (log-sources.yml).
//
// One thread discovers the files of every source (directory listing every
// scan_interval and on inotify events), reads what was appended, cuts it into
// entries (file_tailer.h), gives them labels and timestamps, validates them
// with the push limits, and commits entries and read positions in one
// atomic write to its Sink (sink.h; the server's store, or the agent's
// buffer): after a crash a file is
// read again from exactly the end of the last committed entry, so every line
// is stored once.
//
// Rotation: files are tracked by device + inode + fingerprint. A file that
// leaves its matching path (renamed: logrotate `create`, RotatingFileHandler)
// or is deleted is read to its end from the held descriptor before the new
// file at the path is read; rotated siblings (`<name>.1`, `<name>-2026…`)
// that were never seen and are newer than it (several rotations while lode
// was behind or stopped) are read in mtime order in between. A file that
// shrinks (copytruncate) is read again from 0. A finished old file is closed
// rotate_wait after its last growth; its position is kept, so that it is
// never read twice.
//
// Sources are re-read when a log-sources file changes (checked every second),
// on Reload() (SIGHUP) and when a log_sources_http URL answers differently; a
// bad file keeps the previous sources in force and is reported in status,
// metrics and the log.
//
// Docker containers (docker_sources, --docker) are read by one thread per
// source (docker_source.h) that hands entries and positions to this batch.
//
// Thread-safety: Start/Stop from one thread; StatusJson, MetricsText and
// RequestReload from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ingest/collector/docker_config.h"
#include "ingest/collector/log_sources.h"
#include "ingest/collector/sink.h"
#include "ingest/push.h"
#include "storage/store.h"

namespace lode::collector {

class HttpSourcePoller;

struct CollectorOptions {
  std::vector<std::string> log_sources;         // files or globs (--log-sources, log_sources_files)
  std::vector<std::string> http_urls;           // log_sources_http
  int64_t http_refresh_ns = 30LL * 1000000000;  // refresh_interval
  std::string tenant = "fake";                  // collector.tenant
  ingest::PushLimits limits;                    // the tenant's limits_config
  int64_t scan_interval_ns = 250LL * 1000000;   // directory rescans and polling without inotify
  int64_t rotate_wait_ns =
      5LL * 1000000000;               // an old file is closed this long after its last growth
  size_t read_chunk_bytes = 1 << 20;  // per file per pass
  size_t batch_bytes = 8 << 20;       // commit at least this often
  size_t max_files = 10000;           // files held open at once, over all sources
  std::function<void(const std::string&)> log;  // default: stderr

  // docker_sources (+ --docker): Docker containers (docker_source.h).
  std::vector<DockerSourceConfig> docker_sources;
};

class Collector {
 public:
  // Parses every log-sources file (an error names path, line and key) and
  // reads the stored positions. Does not start reading.
  // Does not own `sink`, which must outlive the collector.
  static Status Open(const CollectorOptions& opts, Sink* sink, std::unique_ptr<Collector>* out);
  ~Collector();

  void Start();
  // Commits what was read and stops the thread (idempotent).
  void Stop();
  // Re-reads the log-sources files at the next pass (SIGHUP).
  void RequestReload();

  // GET /collector/status: {"sources":[...], "files":[...], "config_error": ...}.
  std::string StatusJson();
  // Prometheus text for /metrics (lode_collector_* series).
  std::string MetricsText();

  class Impl;

 private:
  explicit Collector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lode::collector
