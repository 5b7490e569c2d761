// Buffer: the agent's local disk buffer, a small RocksDB in the agent's data
// directory, and the collector's Sink in agent mode.
//
// Commit encodes a batch as a serialized logproto.PushRequest (uncompressed,
// ingest/push_encode.h) and writes it as one record, together with the read
// positions that reach it, in one atomic RocksDB write: a file position is
// never ahead of the lines it covers, across kill -9 of the agent. The
// shipper reads records in order, pushes them, and removes them once the
// target acknowledged them (or rejected them for good).
//
// Layout:  b<seq: 8 bytes big-endian>  record
//          s<state key>                collector state (read positions)
// Record:  varint header fields (created_ns, lines, line bytes, min ts,
//          max ts, stream count, each stream's labels as length + text),
//          then the serialized PushRequest.
//
// Bound: when the records exceed max_bytes (their encoded size), the oldest
// records are dropped at the next Commit, the newest one always kept; each
// drop is logged with its streams, line count and time range and counted.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/labels.h"
#include "ingest/collector/sink.h"

namespace rocksdb {
class DB;
}

namespace lode::agent {

struct BufferOptions {
  std::string dir;                    // created if missing
  uint64_t max_bytes = 256ULL << 20;  // agent.buffer_max_bytes
  // Added to every stream; a stream's own label of the same name wins.
  Labels external_labels;
  std::function<void(const std::string&)> log;  // default: lode::Logf
};

// One buffered record.
struct Record {
  uint64_t seq = 0;
  int64_t created_ns = 0;
  uint64_t lines = 0, line_bytes = 0, size = 0;  // size: encoded record bytes
  int64_t min_ts = 0, max_ts = 0;
  std::vector<std::string> streams;  // label strings
  std::string proto;                 // serialized PushRequest (streams only)
};

struct BufferStats {
  uint64_t records = 0, bytes = 0;
  uint64_t dropped_records = 0, dropped_lines = 0, dropped_bytes = 0;  // buffer full
};

class Buffer : public collector::Sink {
 public:
  static Status Open(const BufferOptions& opts, std::unique_ptr<Buffer>* out);
  ~Buffer() override;

  // collector::Sink. The tenant is the push target's business (the shipper
  // sends X-Scope-OrgID) and is not stored.
  Status Commit(std::string_view tenant, std::span<const StreamEntries> streams,
                std::span<const std::pair<std::string, std::string>> state) override;
  Status ReadState(std::string_view prefix,
                   std::vector<std::pair<std::string, std::string>>* out) override;

  // Records with seq >= from, in order, until their sizes reach max_bytes
  // (at least one when any exists).
  Status Read(uint64_t from, uint64_t max_bytes, std::vector<Record>* out);
  // Removes the given records (delivered, or rejected by the target); those
  // already dropped for space are skipped.
  Status Remove(const std::vector<Record>& records);
  // Waits until a record with seq >= from exists or timeout_ms passed;
  // true when one exists.
  bool WaitFor(uint64_t from, int timeout_ms);
  // Wakes WaitFor callers (shutdown).
  void Wake();
  // The oldest record still buffered (== next seq when empty).
  uint64_t first_seq();
  BufferStats Stats();

 private:
  explicit Buffer(const BufferOptions& opts);
  void Log(const std::string& msg);
  // Drops the oldest records while over max_bytes (mu_ held).
  void Trim();

  BufferOptions opts_;
  std::unique_ptr<rocksdb::DB> db_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t first_seq_ = 0, next_seq_ = 0;
  BufferStats stats_;
  bool woken_ = false;
};

// Parses a record's header (not its proto) from a stored value.
bool DecodeRecordHeader(std::string_view value, Record* r, size_t* header_len);

}  // namespace lode::agent
