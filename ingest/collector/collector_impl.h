// Internal to ingest/collector/: Collector::Impl, shared by collector.cc
// (thread, passes, commits, reloads), source_scan.cc (file discovery and
// rotation) and collector_status.cc (status JSON, metrics). Not an API.
#pragma once

#include <re2/re2.h>

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "ingest/collector/collector.h"
#include "ingest/collector/docker_source.h"
#include "ingest/collector/file_tailer.h"
#include "ingest/collector/positions.h"
#include "ingest/collector/watcher.h"

namespace lode::collector {

// The entries of one stream in the batch being built.
struct SourceState;
struct StreamBatch {
  Labels labels;
  std::string source;  // name, for the discarded-entries count
  std::vector<std::pair<int64_t, std::pair<size_t, size_t>>> entries;  // ts, (arena offset, length)
};

// A batch handed to the commit thread: entries and the positions they reach.
struct PendingCommit {
  std::string arena;
  std::map<std::string, StreamBatch> batch;
  std::vector<std::pair<std::string, std::string>> state;
};

struct TrackedFile {
  std::unique_ptr<FileTailer> tailer;
  std::string label_path;  // the `filename` label
  Labels labels;
  std::string stream_key;
  bool gone = false;      // no longer at a matching path (rotated or deleted)
  uint64_t gone_seq = 0;  // gone files of a stream are finished in this order
  int64_t last_growth_ns = 0;
  // The last position handed to the store: offset and fingerprint (a file
  // truncated and read again to the same offset has a new fingerprint).
  uint64_t committed_offset = UINT64_MAX;
  Fingerprint committed_fp;
  uint64_t lines = 0;
  int64_t last_read_ns = 0;
  std::string last_error;
  StreamBatch* slot = nullptr;  // this file's stream in the current batch
};

// One entry of a listing of a source's directories.
struct DirEntry {
  std::string path, dir, name;
  FileKey key;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool matching = false;  // name matches the patterns and no exclude
};

struct SourceState {
  LogSource cfg;
  std::unique_ptr<RE2> firstline;
  std::unique_ptr<RE2> from_path;
  std::map<FileKey, TrackedFile> open;
  std::map<FileKey, Position> known;  // stored positions of files not open
  std::vector<std::string> dirs;      // the path glob's directories at the last scan
  bool first_scan = true;
  bool had_positions = false;  // start_at applies only to a source without any
  // Counters for /metrics.
  uint64_t bytes_read = 0, lines_read = 0, rotations = 0, truncations = 0, errors = 0;
  std::string last_error;
};

// A file's row in /collector/status.
struct FileStatus {
  std::string source, path, label_path, labels, last_error;
  uint64_t offset = 0, size = 0;
  int64_t last_read_ns = 0;
  bool gone = false;
};

struct SourceStatus {
  std::string type = "file";  // file | docker
  std::string name, origin, path, last_error;
  size_t files = 0;
  uint64_t bytes_read = 0, lines_read = 0, lag_bytes = 0, rotations = 0, truncations = 0,
           errors = 0, discarded = 0;
};

class Collector::Impl {
 public:
  CollectorOptions opts;
  Sink* sink = nullptr;
  std::unique_ptr<HttpSourcePoller> http;
  std::vector<std::unique_ptr<DockerSource>> docker;  // their own threads (docker_source.h)

  // Collector thread only.
  std::map<std::string, std::unique_ptr<SourceState>> sources;
  std::map<std::string, std::map<FileKey, Position>> stored;  // positions of sources not configured
  std::vector<std::pair<std::string, std::string>>
      pending_state;               // position puts/deletes to commit
  std::string config_fingerprint;  // of the log-sources files, to notice edits
  uint64_t http_generation = 0;
  uint64_t gone_seq = 0;
  size_t open_files = 0;
  DirWatcher watcher;
  std::unordered_map<std::string, int64_t> last_ts;  // per stream: read-time timestamps increase

  // The batch being built.
  std::string arena;
  std::map<std::string, StreamBatch> batch;  // by stream key
  size_t batch_entries = 0;

  // Shared with other threads.
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  bool reload_requested = false;
  std::string config_error;                   // last reload's error ("" when in force)
  std::map<std::string, uint64_t> discarded;  // per source, counted by the commit thread
  uint64_t reloads = 0, reload_failures = 0;
  std::vector<SourceStatus> source_status;
  std::vector<FileStatus> file_status;
  std::vector<DockerSourceStatus> docker_status;
  int64_t status_ns = 0;
  std::thread thread;

  // The commit thread: stores batches in order while the collector thread
  // reads the next one. At most kMaxPendingCommits wait.
  static constexpr size_t kMaxPendingCommits = 2;
  std::mutex commit_mu;
  std::condition_variable commit_cv;
  std::deque<PendingCommit> commits;
  bool commit_stop = false;
  std::thread committer;
  void CommitLoop();
  Status StoreCommit(const PendingCommit& pc);

  int64_t Now() const;
  void Log(const std::string& msg);

  // collector.cc
  Status LoadSources(std::vector<LogSource>* out);
  void ApplySources(std::vector<LogSource> next);
  void MaybeReload(bool force);
  void Run();
  // full: read every file, else only those with held bytes or rotated away
  // (inotify said nothing changed). Returns true when data is left to read.
  bool Pass(int64_t now, bool rescan, bool full);
  void ReadFile(SourceState* s, TrackedFile* f, int64_t now, bool* more, bool* at_eof);
  void AddEntry(SourceState* s, TrackedFile* f, std::string_view line, int64_t now);
  void CollectPositions(SourceState* s);
  void FinishGone(SourceState* s, int64_t now);
  // Hands the batch and the positions reached to the commit thread (waits
  // while kMaxPendingCommits are queued).
  Status Commit();
  void PublishStatus(int64_t now, bool force);

  // source_scan.cc
  void Scan(SourceState* s, int64_t now);
  void List(SourceState* s, std::vector<DirEntry>* out);
  bool OpenFile(SourceState* s, const std::string& path, uint64_t offset,
                const std::string& label_path, bool gone, int64_t now);
  void AdoptSiblings(SourceState* s, const std::vector<DirEntry>& listing, const std::string& dir,
                     const std::string& base, int64_t min_mtime_ns, const std::string& label_path,
                     int64_t now, FileKey exclude = {});
  // copytruncate: the copy of a truncated file (a sibling starting with the
  // same fingerprint and longer than what was read) is read from `offset`.
  bool AdoptCopy(SourceState* s, const std::string& path, const std::string& label_path,
                 const Fingerprint& fp, uint64_t offset, int64_t now);
  void CloseSource(SourceState* s);
  std::set<std::string> WatchedDirs() const;

  // collector_docker.cc
  void OpenDocker(const std::vector<std::pair<std::string, std::string>>& stored_state);
  // Moves what the docker sources read (and their positions) into the batch.
  void DrainDocker();
  void DockerStatus(std::vector<SourceStatus>* rows, std::vector<DockerSourceStatus>* details);
};

}  // namespace lode::collector
