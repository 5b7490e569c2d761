#include "ingest/collector/positions.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace lode::collector {

std::string PositionKey(std::string_view source, FileKey key) {
  char b[64];
  std::snprintf(b, sizeof b, "/%" PRIx64 ":%" PRIx64, key.dev, key.ino);
  return std::string(kPositionPrefix) + std::string(source) + b;
}

std::string EncodePosition(const Position& p) {
  char b[128];
  std::snprintf(b, sizeof b, "1 %" PRIu64 " %u %" PRIx64 " %" PRId64 " ", p.offset, p.fp.len,
                p.fp.hash, p.mtime_ns);
  return b + p.path;
}

bool DecodePosition(std::string_view key, std::string_view value, std::string* source, FileKey* fk,
                    Position* p) {
  if (key.substr(0, kPositionPrefix.size()) != kPositionPrefix) return false;
  key.remove_prefix(kPositionPrefix.size());
  size_t slash = key.rfind('/');
  if (slash == std::string_view::npos) return false;
  *source = std::string(key.substr(0, slash));
  std::string id(key.substr(slash + 1));
  if (std::sscanf(id.c_str(), "%" SCNx64 ":%" SCNx64, &fk->dev, &fk->ino) != 2) return false;
  std::string v(value);
  int consumed = 0;
  unsigned len = 0;
  if (std::sscanf(v.c_str(), "1 %" SCNu64 " %u %" SCNx64 " %" SCNd64 " %n", &p->offset, &len,
                  &p->fp.hash, &p->mtime_ns, &consumed) != 4 ||
      consumed <= 0)
    return false;
  p->fp.len = len;
  p->path = v.substr(static_cast<size_t>(consumed));
  return !p->path.empty();
}

}  // namespace lode::collector
