// FileTailer: reads one log file from an offset and cuts it into entries.
//
// A file is identified by device + inode and a fingerprint (a hash of its
// first up to 1 KiB), so that a rename keeps its identity and a reused inode
// or a rewritten file does not. The tailer holds the file open: a file that is
// renamed or deleted is still read to its end from the held descriptor.
//
// Offsets: `offset()` is the end of the last entry handed out (everything
// before it is consumed); bytes after it are held in memory until they form
// an entry: a line without its newline waits until it is completed or
// `hold_ns` passes, a multiline entry waits for its next first line,
// `max_lines`, or `max_wait`. The collector stores offset() together with the
// entries it got up to there, so a restart re-reads exactly the held bytes.
//
// Not thread-safe: one collector thread owns each tailer.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace lode::collector {

struct FileKey {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator<(const FileKey& o) const { return dev < o.dev || (dev == o.dev && ino < o.ino); }
  bool operator==(const FileKey& o) const { return dev == o.dev && ino == o.ino; }
};

struct Fingerprint {
  uint32_t len = 0;   // bytes hashed (the file's first len bytes)
  uint64_t hash = 0;  // FNV-1a 64 of them
};

constexpr uint32_t kFingerprintBytes = 1024;

// The fingerprint of the first min(size, kFingerprintBytes) bytes of fd.
Status ComputeFingerprint(int fd, uint64_t size, Fingerprint* out);
// True when the file's first want.len bytes hash to want.hash.
bool FingerprintMatches(int fd, const Fingerprint& want);

struct AssemblyOptions {
  const RE2* firstline = nullptr;  // null: every line is an entry
  size_t max_lines = 128;
  int64_t max_wait_ns = 3LL * 1000000000;  // multiline entries and held partial lines
  size_t max_entry_bytes = 256 * 1024;     // a held entry longer than this is cut
};

class FileTailer {
 public:
  // Opens `path` read-only and positions at `offset` (clamped to the size).
  static Status Open(const std::string& path, uint64_t offset, std::unique_ptr<FileTailer>* out);
  ~FileTailer();
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;

  FileKey key() const { return key_; }
  const std::string& path() const { return path_; }  // where it was opened
  int fd() const { return fd_; }
  uint64_t offset() const { return offset_; }  // end of the last entry handed out
  uint64_t read_offset() const { return read_offset_; }
  uint64_t size() const { return size_; }  // at the last Stat()
  int64_t mtime_ns() const { return mtime_ns_; }
  bool deleted() const { return deleted_; }  // no link left
  const Fingerprint& fingerprint() const { return fp_; }
  bool HasHeldBytes() const { return !buf_.empty(); }

  // fstat: refreshes size, mtime and deleted(). Sets *truncated (and starts
  // over at offset 0, dropping held bytes) when the file shrank below what
  // was read or, when its size changed, its first bytes no longer match the
  // fingerprint: copytruncate.
  Status Stat(bool* truncated);

  // Reads at most max_bytes past read_offset(); *n: bytes read.
  Status Read(size_t max_bytes, size_t* n);

  // Hands complete entries to `emit` (views valid during the call only) and
  // advances offset(). now_ns drives the max_wait timers.
  void TakeEntries(const AssemblyOptions& opts, int64_t now_ns,
                   const std::function<void(std::string_view)>& emit);

 private:
  FileTailer() = default;
  void Consume(size_t n);

  int fd_ = -1;
  FileKey key_;
  std::string path_;
  uint64_t offset_ = 0;
  uint64_t read_offset_ = 0;
  uint64_t size_ = 0;
  int64_t mtime_ns_ = 0;
  bool deleted_ = false;
  Fingerprint fp_;
  std::string buf_;           // bytes [offset_, read_offset_)
  size_t scan_pos_ = 0;       // complete lines before this index are assembled
  size_t group_lines_ = 0;    // multiline: lines in the open entry
  size_t group_end_ = 0;      // multiline: end of the open entry's text (no newline)
  int64_t last_data_ns_ = 0;  // when the held bytes last grew
  bool grew_ = false;         // Read() got bytes since the last TakeEntries
};

}  // namespace lode::collector
