// Buffer: the agent's local disk buffer, a journal of segment files in the
// agent's data directory, and the collector's Sink in agent mode.
//
// Commit encodes a batch as a serialized logproto.PushRequest (uncompressed,
// ingest/push_encode.h) and appends it as one record that also carries the
// read positions reaching it, in one write(2): a file position is never
// ahead of the lines it covers, across kill -9 of the agent (the page cache
// keeps what was written; a torn record at the end is cut at the next
// start). The shipper reads records in order, pushes them, and removes them
// once the target acknowledged them (or rejected them for good).
//
// Files:  journal/<first seq, 20 digits>.seg  records, appended; a segment
//                                             is deleted once all of it is
//                                             removed (new segment every
//                                             segment_bytes)
//         state   positions as of record `folded` (varint folded, count,
//                 then length-prefixed key, value), replaced atomically
//                 (fsync of the journal first) before a segment is deleted
//         head    the oldest record not yet removed: varint seq, segment,
//                 offset, fixed32 CRC-32C of those, zeros to 40 bytes;
//                 overwritten in place (written before: the varints only)
// Record: fixed32 payload length, fixed32 CRC-32C of the payload (zlib's
//         crc32 in journals written before; both are accepted);
//         payload: varint seq, created_ns, lines, line bytes, min ts, max ts,
//         stream count and each stream's labels (length-prefixed), state
//         count and each key, value (an empty value deletes), then the
//         serialized PushRequest.
// Positions at start: `state`, then the state of every record from
// `folded` on, in order. Every record's checksum is verified at start (a
// mismatch cuts the segment there); records appended afterwards are read
// back unverified (this process wrote them).
//
// Bound: when the records exceed max_bytes (their encoded size), the oldest
// records are dropped at the next Commit, the newest one always kept; each
// drop is logged with its streams, line count and time range and counted.
//
// Thread-safety: Commit from one thread at a time (the collector's commit
// thread); every other method from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/bytes.h"
#include "base/labels.h"
#include "ingest/collector/sink.h"

namespace lode::agent {

struct BufferOptions {
  std::string dir;                    // created if missing
  uint64_t max_bytes = 256ULL << 20;  // agent.buffer_max_bytes
  uint64_t segment_bytes = 8 << 20;   // a new segment file after this many bytes
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
  // Where Read put its serialized PushRequest (streams only) in `protos`.
  size_t proto_at = 0, proto_size = 0;
  uint64_t end_segment = 0, end_offset = 0;  // where the next record starts
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

  // Appends records with seq >= from, in order, while their sizes fit in
  // max_bytes (with at_least_one, the first one always), and their
  // requests to *protos (read straight into it).
  Status Read(uint64_t from, uint64_t max_bytes, std::vector<Record>* out, Bytes* protos,
              bool at_least_one = true);
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
  // Frees the read buffer (the shipper calls it when idle).
  void ReleaseMemory();
  // The shipper's view of the target. While it takes pushes, Commit waits
  // (the files are the backlog) once kLiveBacklog bytes are buffered; while
  // it does not, the buffer fills to max_bytes and then drops the oldest.
  void SetTargetUp(bool up);
  static constexpr uint64_t kLiveBacklog = 32 << 20;

 private:
  struct Segment {
    uint64_t id = 0;  // seq of its first record
    int fd = -1;
    uint64_t size = 0;
  };
  struct Pos {
    uint64_t seq = 0, segment = 0, offset = 0;
  };
  explicit Buffer(const BufferOptions& opts);
  void Log(const std::string& msg);
  std::string SegmentPath(uint64_t id) const;
  // kVerify: the whole payload, checksum verified (at start); kMeta: the
  // record's fields and positions only; kProto: and its request, appended
  // to *protos.
  enum class ReadMode { kVerify, kMeta, kProto };
  // Reads the record at *pos (mu_ held): false at the end of the journal.
  // Moves *pos past it.
  bool ReadAt(Pos* pos, Record* r, ReadMode mode,
              std::vector<std::pair<std::string, std::string>>* state = nullptr,
              Bytes* protos = nullptr);
  Segment* FindSegment(uint64_t id);
  // Drops the oldest records while over max_bytes (mu_ held).
  void Trim();
  // Deletes segments wholly before head_, folding their positions into
  // base_ and the state file first (mu_ held).
  void DeleteOldSegments();
  Status WriteState();
  void WriteHead();

  BufferOptions opts_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Segment> segments_;            // oldest first; the last one is appended to
  std::map<std::string, std::string> base_;  // positions as of record folded_
  uint64_t folded_ = 0;
  Pos head_, read_;  // oldest record kept; where Read continues
  uint64_t next_seq_ = 0;
  BufferStats stats_;
  bool woken_ = false;
  bool target_up_ = true;
  // ReadAt's record bytes, reused (mu_ held): no zeroing, no allocation.
  std::unique_ptr<char[]> scratch_;
  int head_fd_ = -1;  // the head file, written in place
  size_t scratch_size_ = 0;
};

}  // namespace lode::agent
