// DockerSource: one `docker_sources:` entry — discovers the containers of a
// Docker daemon and reads their stdout and stderr (docker_config.h for the
// configuration and the positions).
//
// One thread per source, polling every socket it holds:
//   - GET /events (streaming; container start, restart, die, stop, destroy),
//     opened before the first listing so that no start falls between;
//   - GET /containers/json?all=1&filters=... at connect, on start/die
//     events and every `refresh` as a safety net;
//   - per container GET /containers/{id}/logs?follow=1&stdout=1&stderr=1
//     &timestamps=1&since=<position>: running containers, and stopped ones
//     that were seen starting or have a stored position (a run while lode was
//     away). The stream ends when the container stops; a restart (same id)
//     reopens it from the position, a new container (new id) starts at its
//     first line. Containers that were already stopped when first seen, with
//     no position, are not read.
// Each message is `<RFC 3339 nano timestamp> <text>`; the timestamp is the
// entry's (unless `timestamp:` says otherwise) and positions are counted in
// messages per stream (DockerStreamPosition). Messages Docker split at 16 KiB
// (no trailing newline) are joined again; `multiline` groups lines as for
// files.
//
// Hand-off: entries and the positions they reach are published together to an
// outbox that the collector thread drains (Drain) into its batch, so both are
// committed in one store write. The outbox is bounded: when full, the thread
// stops reading log streams until the collector drained it.
//
// A missing socket, a refused connection or a permission error is reported in
// StatusSnapshot() and logged when it changes; it is retried with exponential backoff
// (1 s doubling to `refresh`, at most 30 s). Never fatal.
//
// Thread-safety: Start/Stop from one thread; Drain and StatusSnapshot from any.
#pragma once

#include <re2/re2.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ingest/collector/docker_client.h"
#include "ingest/collector/docker_config.h"

namespace lode::collector {

// What a source's thread read and the positions that reach it.
struct DockerOutput {
  struct Stream {
    Labels labels;
    std::vector<std::pair<int64_t, std::pair<size_t, size_t>>> entries;  // ts, (arena offset, len)
  };
  std::string arena;
  std::map<std::string, Stream> streams;     // by stream key (LabelsToString)
  std::map<std::string, std::string> state;  // position key -> value ("" deletes the key)
  size_t entries = 0;
  bool empty() const { return streams.empty() && state.empty(); }
};

struct DockerContainerStatus {
  std::string id, name, labels, last_error;
  bool running = false, following = false, tty = false;
  uint64_t lines = 0;
  int64_t last_read_ns = 0;
  int64_t position_ns = 0;  // the later of the streams' positions
};

struct DockerSourceStatus {
  std::string name, host, last_error, version;
  bool connected = false;
  size_t following = 0;
  uint64_t bytes_read = 0, lines_read = 0, errors = 0;
  std::vector<DockerContainerStatus> containers;
};

class DockerSource {
 public:
  // `positions`: the stored positions of this source, by container id.
  // `wake` is called (from the source's thread) when the outbox gets data.
  DockerSource(DockerSourceConfig cfg, size_t max_entry_bytes,
               std::map<std::string, DockerPosition> positions,
               std::function<void(const std::string&)> log, std::function<void()> wake);
  ~DockerSource();
  DockerSource(const DockerSource&) = delete;
  DockerSource& operator=(const DockerSource&) = delete;

  const DockerSourceConfig& config() const { return cfg_; }
  void Start();
  void Stop();  // idempotent; what is held but not published is read again next time

  // Appends everything published so far to *out and empties the outbox.
  void Drain(DockerOutput* out);
  DockerSourceStatus StatusSnapshot();

  struct Container;

 private:
  void Run();
  Status Connect(int64_t now);
  Status Relist(int64_t now);
  Status Inspect(Container* c, bool* gone);  // *gone: 404
  void Disconnected(const Status& st, int64_t now);
  void OpenStreams(int64_t now);
  void PollOnce(int64_t now);
  void OnEvents(const std::string& data);
  Status OnLogData(Container* c, std::string_view data, int64_t now);
  void OnMessage(Container* c, int stream, std::string_view msg, bool complete, int64_t now);
  void AddLine(Container* c, int stream, std::string line, int64_t ts, int64_t now,
               DockerStreamPosition end);
  void Emit(Container* c, int stream, std::string_view text, int64_t docker_ts,
            DockerStreamPosition end);
  void FinishStream(Container* c, int64_t now, bool flush);
  void FlushTimers(int64_t now);
  void Remove(const std::string& id);
  void Publish(int64_t now);
  DockerPosition Effective(const Container& c) const;
  void SetError(const std::string& err);
  int64_t NextDeadline(int64_t now) const;

  const DockerSourceConfig cfg_;
  const size_t max_entry_bytes_;
  std::string socket_path_;
  std::function<void(const std::string&)> log_;
  std::function<void()> wake_;
  std::unique_ptr<RE2> firstline_;

  // Source thread only.
  std::map<std::string, DockerPosition> stored_;  // positions of containers not (yet) listed
  std::map<std::string, std::unique_ptr<Container>> containers_;
  std::set<std::string> started_;  // ids seen starting (start events) not yet listed
  std::set<std::string> checked_;  // unlisted ids inspected since the last connect
  std::unique_ptr<DockerConnection> events_;
  std::string events_buf_;
  int64_t retry_at_ = 0, backoff_ns_ = 0, next_list_ = 0, status_ns_ = 0;
  bool relist_ = false;
  int64_t high_water_ = 0;       // the latest message timestamp read
  DockerOutput local_;           // read but not yet published
  std::set<std::string> dirty_;  // containers whose position changed since the last Publish

  // Shared.
  std::mutex mu_;
  DockerOutput outbox_;
  DockerSourceStatus status_;
  std::string last_error_;  // source thread
  bool stop_ = false;
  int wake_pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace lode::collector
