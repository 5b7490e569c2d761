#include "ingest/collector/file_tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lode::collector {

namespace {

uint64_t Fnv1a(const char* p, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

std::string_view StripCR(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace

Status ComputeFingerprint(int fd, uint64_t size, Fingerprint* out) {
  char b[kFingerprintBytes];
  size_t want = size < kFingerprintBytes ? static_cast<size_t>(size) : kFingerprintBytes;
  ssize_t n = want ? pread(fd, b, want, 0) : 0;
  if (n < 0) return Status::IOError(std::string("read: ") + std::strerror(errno));
  out->len = static_cast<uint32_t>(n);
  out->hash = Fnv1a(b, static_cast<size_t>(n));
  return Status::OK();
}

bool FingerprintMatches(int fd, const Fingerprint& want) {
  if (want.len == 0) return true;
  char b[kFingerprintBytes];
  ssize_t n = pread(fd, b, want.len, 0);
  return n == static_cast<ssize_t>(want.len) && Fnv1a(b, want.len) == want.hash;
}

Status FileTailer::Open(const std::string& path, uint64_t offset,
                        std::unique_ptr<FileTailer>* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0 && errno == ELOOP) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Errno("open", path);
  std::unique_ptr<FileTailer> t(new FileTailer());
  t->fd_ = fd;
  t->path_ = path;
  struct stat st;
  if (fstat(fd, &st) != 0) return Errno("stat", path);
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument("not a regular file: " + path);
  t->key_ = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  t->size_ = static_cast<uint64_t>(st.st_size);
  t->mtime_ns_ = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  t->offset_ = t->read_offset_ = offset < t->size_ ? offset : t->size_;
  LODE_RETURN_IF_ERROR(ComputeFingerprint(fd, t->size_, &t->fp_));
  *out = std::move(t);
  return Status::OK();
}

FileTailer::~FileTailer() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileTailer::Stat(bool* truncated) {
  *truncated = false;
  struct stat st;
  if (fstat(fd_, &st) != 0) return Errno("stat", path_);
  uint64_t old_size = size_;
  int64_t old_mtime = mtime_ns_;
  size_ = static_cast<uint64_t>(st.st_size);
  mtime_ns_ = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  deleted_ = st.st_nlink == 0;
  // Shrunk below what was read, or truncated and rewritten up to or past it
  // before we looked (written to, and the first bytes changed): start over.
  bool rewritten =
      (size_ != old_size || mtime_ns_ != old_mtime) && fp_.len > 0 && !FingerprintMatches(fd_, fp_);
  if (size_ < read_offset_ || rewritten) {
    *truncated = true;
    offset_ = read_offset_ = 0;
    buf_.clear();
    scan_pos_ = group_lines_ = group_end_ = 0;
    fp_ = {};
  }
  if (fp_.len < kFingerprintBytes && size_ > fp_.len)
    LODE_RETURN_IF_ERROR(ComputeFingerprint(fd_, size_, &fp_));
  return Status::OK();
}

Status FileTailer::Read(size_t max_bytes, size_t* n) {
  *n = 0;
  if (size_ <= read_offset_) return Status::OK();
  uint64_t avail = size_ - read_offset_;
  size_t want = avail < max_bytes ? static_cast<size_t>(avail) : max_bytes;
  size_t old = buf_.size();
  buf_.resize(old + want);
  ssize_t r = pread(fd_, buf_.data() + old, want, static_cast<off_t>(read_offset_));
  if (r < 0) {
    buf_.resize(old);
    return Errno("read", path_);
  }
  buf_.resize(old + static_cast<size_t>(r));
  read_offset_ += static_cast<uint64_t>(r);
  if (r > 0) grew_ = true;
  *n = static_cast<size_t>(r);
  return Status::OK();
}

void FileTailer::Consume(size_t n) {
  buf_.erase(0, n);
  // Many files at once each keeping a read chunk's capacity (a chunk
  // usually ends inside a line) would hold files x read_chunk_bytes: a
  // buffer left mostly empty gives its memory back, an empty one all of it
  // (a file read to its end usually ends with a line, so an idle collector
  // holds no read buffers).
  if (buf_.empty()) {
    std::string().swap(buf_);
  } else if (buf_.capacity() > (64 << 10) && buf_.size() < buf_.capacity() / 4) {
    buf_.shrink_to_fit();
  }
  offset_ += n;
  scan_pos_ -= n;
  group_end_ = group_end_ > n ? group_end_ - n : 0;
}

void FileTailer::TakeEntries(const AssemblyOptions& opts, int64_t now_ns,
                             const std::function<void(std::string_view)>& emit) {
  if (grew_) {
    last_data_ns_ = now_ns;
    grew_ = false;
  }
  const char* base = buf_.data();
  size_t consumed = 0;  // bytes handed out, erased at the end
  size_t pos = scan_pos_;
  while (pos < buf_.size()) {
    const char* nl = static_cast<const char*>(std::memchr(base + pos, '\n', buf_.size() - pos));
    if (!nl) break;
    size_t end = static_cast<size_t>(nl - base);
    std::string_view line = StripCR(std::string_view(base + pos, end - pos));
    if (!opts.firstline) {
      emit(line);
      consumed = end + 1;
    } else {
      bool starts = RE2::PartialMatch(line, *opts.firstline);
      if (group_lines_ > 0 &&
          (starts || group_lines_ >= opts.max_lines || end - consumed > opts.max_entry_bytes)) {
        emit(std::string_view(base + consumed, group_end_ - consumed));
        consumed = pos;
        group_lines_ = 0;
      }
      ++group_lines_;
      group_end_ = pos + line.size();
    }
    pos = end + 1;
  }
  scan_pos_ = pos;
  bool timed_out = now_ns - last_data_ns_ >= opts.max_wait_ns;
  // The open multiline entry: complete after max_wait without new lines.
  if (opts.firstline && group_lines_ > 0 && timed_out) {
    emit(std::string_view(base + consumed, group_end_ - consumed));
    consumed = pos;
    group_lines_ = 0;
  }
  // A held line without its newline: emitted after max_wait, or cut when too long.
  size_t partial = buf_.size() - pos;
  if (partial > 0 && (partial > opts.max_entry_bytes || (timed_out && group_lines_ == 0))) {
    size_t take = partial > opts.max_entry_bytes ? opts.max_entry_bytes : partial;
    emit(StripCR(std::string_view(base + pos, take)));
    consumed = pos + take;
    scan_pos_ = consumed;
  }
  if (consumed) Consume(consumed);
}

}  // namespace lode::collector
