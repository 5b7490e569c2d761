// Delete requests (Loki's compactor deletion API).
//
// A delete request names a tenant, a LogQL log selector (a stream selector,
// optionally followed by pipeline stages such as line filters) and an
// inclusive time range [start, end] with millisecond precision, as in Loki.
// An entry is deleted when its stream matches the selector, its timestamp is
// in the range and, if the query has stages, the pipeline keeps the line.
//
// Requests are persisted in the store's default column family (key prefix
// `del`, see docs/STORAGE.md). From the moment they are added, reads filter
// out the entries they delete; a compaction run later rewrites the affected
// chunks without those entries and marks the request processed.
//
// Storage does not parse LogQL: the server hands the store a
// DeleteQueryCompiler (StoreOptions::delete_compiler) that turns the query
// text into a DeleteQuery. Without one, only plain selectors with `=`
// matchers are accepted (CompileSimpleDeleteQuery).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/labels.h"
#include "base/status.h"

namespace lode {

struct DeleteRequest {
  std::string tenant;
  std::string request_id;  // 8 hex digits, unique per tenant
  std::string query;
  int64_t start_ns = 0;  // inclusive, a whole millisecond
  int64_t end_ns = 0;    // inclusive, a whole millisecond
  int64_t created_at_ns = 0;
  bool processed = false;  // "processed" once applied to the chunks; else "received"
};

// Decides, for one stream, whether an entry is deleted by a query's
// pipeline. Used by one thread at a time.
class DeleteLinePredicate {
 public:
  virtual ~DeleteLinePredicate() = default;
  virtual bool Deletes(int64_t ts, std::string_view line, const LabelView* md, size_t n_md) = 0;
};

// A compiled delete query; immutable and shareable across threads.
class DeleteQuery {
 public:
  virtual ~DeleteQuery() = default;
  virtual bool MatchesStream(const Labels& stream) const = 0;
  // False when every entry of a matching stream in range is deleted.
  virtual bool HasLineFilter() const = 0;
  // Only called when HasLineFilter().
  virtual std::unique_ptr<DeleteLinePredicate> ForStream(const Labels& stream) const = 0;
};

// Parses and validates a delete query. Errors are user-facing (HTTP 400).
using DeleteQueryCompiler =
    std::function<Status(std::string_view query, std::shared_ptr<const DeleteQuery>* out)>;

// Accepts `{name="value", ...}` (equality matchers only, no stages).
Status CompileSimpleDeleteQuery(std::string_view query, std::shared_ptr<const DeleteQuery>* out);

}  // namespace lode
