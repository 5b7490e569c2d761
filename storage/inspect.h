// `lode inspect`: a read-only summary of a data directory.
//
// Opens the RocksDB database read-only (safe while a server runs on it: the
// summary reflects the state at open time, including records still only in
// the WAL) and reports, per column family, SST/blob sizes and key counts and,
// per tenant, streams, chunks (count, compressed and raw bytes, entries, time
// range), head records, index days and delete requests.
#pragma once

#include <string>

#include "base/status.h"

namespace lode {

struct InspectOptions {
  bool per_stream = false;   // one line per stream
  size_t max_streams = 100;  // per tenant, with per_stream
};

Status InspectDataDir(const std::string& dir, const InspectOptions& opts, std::string* out);

}  // namespace lode
