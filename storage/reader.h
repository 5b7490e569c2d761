// Reader: the read side of the store as seen by the query engine.
//
// The query engine (logql/) only talks to storage through this interface. The
// RocksDB store (storage/store.h) implements it; unit tests may implement it
// in memory. All methods are thread-safe. Time ranges are half-open
// [start_ns, end_ns) in Unix nanoseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/labels.h"
#include "base/status.h"

namespace lode {

enum class Direction { kForward, kBackward };

// A stream known to the store.
struct StreamRef {
  uint64_t id = 0;  // unique within the tenant
  Labels labels;    // sorted
};

// A batch of decoded entries of one stream, in the scan's direction.
// Every view (lines, metadata) is only valid during the visitor call.
struct EntryBatch {
  std::vector<int64_t> ts;
  std::vector<std::string_view> line;
  // Structured metadata of entry i is md[md_begin[i] .. md_begin[i+1]);
  // md_begin has size()+1 elements.
  std::vector<uint32_t> md_begin;
  std::vector<LabelView> md;

  size_t size() const { return ts.size(); }
  void clear() {
    ts.clear();
    line.clear();
    md_begin.clear();
    md.clear();
  }
};

// Return false to stop the scan early (not an error).
using BatchVisitor = std::function<bool(const EntryBatch&)>;

// Counters a scan adds to (for data.stats and /metrics). Not thread-safe;
// use one per scanning thread and sum.
struct ScanStats {
  uint64_t chunks_read = 0;
  uint64_t blocks_read = 0;
  uint64_t blocks_skipped = 0;
  uint64_t compressed_bytes = 0;
  uint64_t decompressed_bytes = 0;
  uint64_t lines_scanned = 0;
  uint64_t bytes_scanned = 0;  // line bytes handed to visitors
};

class Reader {
 public:
  virtual ~Reader() = default;

  // Streams of `tenant` whose labels satisfy every matcher and that may hold
  // entries in [start_ns, end_ns). Result order is unspecified.
  virtual Status SelectStreams(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                               int64_t start_ns, int64_t end_ns, std::vector<StreamRef>* out) = 0;

  // Calls visit with batches of the entries of stream `id` in [start_ns, end_ns),
  // ordered by timestamp in `dir` (ties keep insertion order, reversed for
  // backward). Exact duplicates (same timestamp and line) appear once.
  virtual Status ScanStream(std::string_view tenant, uint64_t id, int64_t start_ns, int64_t end_ns,
                            Direction dir, const BatchVisitor& visit, ScanStats* stats) = 0;

  // Like ScanStream for a query that keeps only lines containing `needle`
  // (case-sensitive; empty: no such filter). The reader may leave out
  // entries that do not contain it (a store skips blocks whose filters prove
  // it absent, and drops lines without it before the visitor sees them) but
  // need not: the caller still filters every entry itself. The visitor may
  // then be called with empty batches (so that it can still stop the scan).
  virtual Status ScanStreamContaining(std::string_view tenant, uint64_t id, int64_t start_ns,
                                      int64_t end_ns, Direction dir, std::string_view needle,
                                      const BatchVisitor& visit, ScanStats* stats) {
    (void)needle;
    return ScanStream(tenant, id, start_ns, end_ns, dir, visit, stats);
  }

  // Label names (sorted, unique) of streams in range, optionally restricted
  // to streams matching `matchers` (empty = all).
  virtual Status LabelNames(std::string_view tenant, const std::vector<MatcherPtr>& matchers,
                            int64_t start_ns, int64_t end_ns, std::vector<std::string>* out) = 0;

  // Values (sorted, unique) of label `name` over streams in range matching `matchers`.
  virtual Status LabelValues(std::string_view tenant, std::string_view name,
                             const std::vector<MatcherPtr>& matchers, int64_t start_ns,
                             int64_t end_ns, std::vector<std::string>* out) = 0;
};

}  // namespace lode
