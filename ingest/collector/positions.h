// Read positions of the file collector, kept in the store's state keys
// (Store::AppendManyWithState) so that a position is committed in the same
// RocksDB write batch as the entries read up to it.
//
//   key:   collector/<source>/<dev hex>:<inode hex>
//   value: 1 <offset> <fingerprint len> <fingerprint hash hex> <mtime ns> <path>
//
// <path> is the file's `filename` label (where the file was first seen).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/collector/file_tailer.h"

namespace lode::collector {

struct Position {
  uint64_t offset = 0;
  Fingerprint fp;
  int64_t mtime_ns = 0;
  std::string path;
};

constexpr std::string_view kPositionPrefix = "collector/";

std::string PositionKey(std::string_view source, FileKey key);
std::string EncodePosition(const Position& p);
// Parses a key (with kPositionPrefix) and value; false when malformed.
bool DecodePosition(std::string_view key, std::string_view value, std::string* source, FileKey* fk,
                    Position* p);

}  // namespace lode::collector
