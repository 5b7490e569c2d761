// Sink: where the collector commits what it read. One Commit carries the
// entries of a batch and the read positions that reach them; a sink stores
// both atomically (all or nothing), so after a crash a file is read again
// from exactly the end of the last committed entries.
//
//   StoreSink  the server: lode's own RocksDB store (Store::AppendManyWithState)
//   agent::Buffer  `lode agent`: a local disk buffer that ships to a push URL
//
// Thread-safety: the collector calls Commit from its commit thread and
// ReadState from Open; implementations must allow both.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "storage/store.h"

namespace lode::collector {

class Sink {
 public:
  virtual ~Sink() = default;
  // Stores `streams` for `tenant` and puts the `state` keys (an empty value
  // deletes the key) in one atomic write. On error nothing was stored.
  virtual Status Commit(std::string_view tenant, std::span<const StreamEntries> streams,
                        std::span<const std::pair<std::string, std::string>> state) = 0;
  // Every state key starting with `prefix`, with its value.
  virtual Status ReadState(std::string_view prefix,
                           std::vector<std::pair<std::string, std::string>>* out) = 0;
};

// The server's sink: lode's store. Does not own it.
class StoreSink : public Sink {
 public:
  explicit StoreSink(Store* store) : store_(store) {}
  Status Commit(std::string_view tenant, std::span<const StreamEntries> streams,
                std::span<const std::pair<std::string, std::string>> state) override {
    return store_->AppendManyWithState(tenant, streams, state);
  }
  Status ReadState(std::string_view prefix,
                   std::vector<std::pair<std::string, std::string>>* out) override {
    return store_->ReadState(prefix, out);
  }

 private:
  Store* store_;
};

}  // namespace lode::collector
