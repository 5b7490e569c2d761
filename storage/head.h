// Internal to storage/: heads, a stream's entries not yet cut into chunks.
//
// A head lives in memory only (StreamState::head); its one durable copy is
// RocksDB's write-ahead log, where every append writes one *head log record*
// per stream as WriteBatch::PutLogData, in the same atomic batch as the
// registry, index and collector-state keys (docs/STORAGE.md, "Write path").
// Log data never enters a memtable or an SST. On open, HeadLogReplay (a
// rocksdb::WalFilter) sees every record of the WAL files RocksDB replays;
// the store keeps those whose sequence number is above the stream's *cut
// mark* (meta key 'h' tenant \0 id, written in the batch that stores the
// chunks of a cut), so a line is restored exactly once.
#pragma once

#include <rocksdb/wal_filter.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/chunk.h"
#include "storage/store.h"

namespace lode {

// Head log record (the PutLogData blob):
//   'H' tenant:len-prefixed id:u64BE seq:u64BE record
// `record` is a head record (format::EncodeHeadRecord). Appends the blob to
// `out` and returns the offset of `record` in it.
size_t EncodeHeadLog(std::string_view tenant, uint64_t id, uint64_t seq,
                     std::span<const EntryRef> entries, std::string* out);
// Appends the part of the blob before `record`.
void EncodeHeadLogHeader(std::string_view tenant, uint64_t id, uint64_t seq, std::string* out);
// False when `blob` is not a head log record (other log data, or corrupt).
bool DecodeHeadLog(std::string_view blob, std::string_view* tenant, uint64_t* id, uint64_t* seq,
                   std::string_view* record);

// The cut mark of a stream (meta column family): 'h' tenant \0 id(BE64) ->
// seq(BE64): every head log record of the stream with a sequence number up
// to it is in chunks.
std::string CutMarkKey(std::string_view tenant, uint64_t id);
inline constexpr std::string_view kCutMarkPrefix = "h";

// Key of the anchor Put: a tiny Put in every append batch that carries head
// log records, to the anchor column family of the moment (`head` or `pin`).
// While an anchor's memtable holds one, RocksDB keeps and replays the WAL
// files written since that memtable started; the store flushes an anchor
// only after a cut of every head that began once appends had moved to the
// other one (Store::Impl::RotateHeadLog), so no WAL file holding an uncut
// line is ever deleted or skipped on recovery.
inline constexpr std::string_view kHeadPinKey = "pin";

// A head log record found during recovery.
struct ReplayedHead {
  std::string tenant;
  uint64_t id = 0;
  uint64_t seq = 0;
  std::string record;
  // From the `head` column family of an earlier version: live whatever the
  // cut mark says (that version deleted a record when it cut it).
  bool legacy = false;
};

// Collects every head log record of the WAL files RocksDB replays on open
// (set as Options::wal_filter). Never changes what RocksDB replays.
class HeadLogReplay : public rocksdb::WalFilter {
 public:
  WalProcessingOption LogRecordFound(unsigned long long log_number,
                                     const std::string& log_file_name,
                                     const rocksdb::WriteBatch& batch,
                                     rocksdb::WriteBatch* new_batch, bool* batch_changed) override;
  const char* Name() const override { return "lode.HeadLogReplay"; }

  std::vector<ReplayedHead> records;  // in WAL order
};

// A block of a head in memory: head records, each as varint length + record.
using HeadBlock = std::shared_ptr<const std::string>;

// A stream's head in memory: its records in append order, in blocks of
// about kBlockBytes. Full blocks are immutable, so cuts and readers share
// them without copying; only the open block is copied by a reader. Small
// blocks come from the malloc heap and are reused, where one growing buffer
// per stream would be copied on every doubling and page-fault afresh.
// Not thread-safe (StreamState::mu guards it).
class HeadBuffer {
 public:
  static constexpr size_t kBlockBytes = 64 << 10;

  // Appends one record; returns the change of memory().
  int64_t Append(std::string_view record);
  // Every block, the open one copied (for readers).
  void Snapshot(std::vector<HeadBlock>* out) const;
  // Seals the open block and returns every block (for a cut: what it
  // covers is then exactly out->size() whole blocks).
  void SealAll(std::vector<HeadBlock>* out);
  // Drops the first n blocks (after a cut); returns the change of memory().
  int64_t DropFront(size_t n);

  bool empty() const { return bytes_ == 0; }
  size_t bytes() const { return bytes_; }    // bytes of the blocks' contents
  size_t memory() const { return memory_; }  // heap bytes held

 private:
  void Seal();  // moves a non-empty open block to sealed_

  std::vector<HeadBlock> sealed_;
  std::string open_;
  size_t bytes_ = 0;
  size_t memory_ = 0;  // capacity of open_ and of every sealed block
};

// Decodes every entry of the blocks (views into them).
Status DecodeHead(const std::vector<HeadBlock>& blocks, std::vector<OwnedEntry>* out);

}  // namespace lode
