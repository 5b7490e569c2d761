#include "agent/buffer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/log.h"
#include "ingest/push_encode.h"

namespace lode::agent {

namespace {

constexpr size_t kRecordHeader = 8;
// Bytes read with a record's header: its fields usually end within them.
constexpr size_t kProbeBytes = 4096;
// The head file: three varints, their CRC-32C, zeros.
constexpr size_t kHeadBytes = 40;

void PutFixed32(std::string* dst, uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  dst->append(b, 4);
}

uint32_t GetFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<uint32_t>(u[3]) << 24);
}

// Journals written before CRC-32C carry zlib's crc32; both are accepted.
bool CrcMatches(std::string_view payload, uint32_t crc) {
  if (Crc32c(0, payload) == crc) return true;
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(payload.data()),
                                     static_cast<uInt>(payload.size()))) == crc;
}

Status Errno(const std::string& what) {
  return Status::IOError("agent buffer: " + what + ": " + std::strerror(errno));
}

bool ReadFull(int fd, uint64_t off, char* buf, size_t n) {
  while (n > 0) {
    ssize_t r = pread(fd, buf, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
    off += static_cast<uint64_t>(r);
  }
  return true;
}

bool WriteFull(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t w = write(fd, data.data(), data.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data.remove_prefix(static_cast<size_t>(w));
  }
  return true;
}

// Replaces path with data (write to path.tmp, rename).
Status WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create " + tmp);
  bool ok = WriteFull(fd, data);
  close(fd);
  if (!ok) return Errno("write " + tmp);
  if (rename(tmp.c_str(), path.c_str()) != 0) return Errno("rename " + tmp);
  return Status::OK();
}

bool ReadFile(const std::string& path, std::string* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
  close(fd);
  return n == 0;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatTime(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Parses a payload; *proto_at is where the serialized request starts.
bool DecodePayload(std::string_view v, Record* r,
                   std::vector<std::pair<std::string, std::string>>* state, size_t* proto_at) {
  const char* p = v.data();
  const char* end = p + v.size();
  uint64_t created, min_ts, max_ts, n;
  if (!GetVarint(&p, end, &r->seq) || !GetVarint(&p, end, &created) ||
      !GetVarint(&p, end, &r->lines) || !GetVarint(&p, end, &r->line_bytes) ||
      !GetVarint(&p, end, &min_ts) || !GetVarint(&p, end, &max_ts) || !GetVarint(&p, end, &n))
    return false;
  r->created_ns = static_cast<int64_t>(created);
  r->min_ts = static_cast<int64_t>(min_ts);
  r->max_ts = static_cast<int64_t>(max_ts);
  r->streams.clear();
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!GetLengthPrefixed(&p, end, &s)) return false;
    r->streams.emplace_back(s);
  }
  if (!GetVarint(&p, end, &n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view k, val;
    if (!GetLengthPrefixed(&p, end, &k) || !GetLengthPrefixed(&p, end, &val)) return false;
    if (state) state->emplace_back(k, val);
  }
  *proto_at = static_cast<size_t>(p - v.data());
  return true;
}

void Apply(const std::vector<std::pair<std::string, std::string>>& delta,
           std::map<std::string, std::string>* state) {
  for (const auto& [k, v] : delta) {
    if (v.empty()) {
      state->erase(k);
    } else {
      (*state)[k] = v;
    }
  }
}

}  // namespace

Buffer::Buffer(const BufferOptions& opts) : opts_(opts) {}

Buffer::~Buffer() {
  for (auto& s : segments_) close(s.fd);
  if (head_fd_ >= 0) close(head_fd_);
}

void Buffer::Log(const std::string& msg) {
  if (opts_.log) {
    opts_.log(msg);
  } else {
    lode::Logf("%s", msg.c_str());
  }
}

std::string Buffer::SegmentPath(uint64_t id) const {
  char name[32];
  snprintf(name, sizeof name, "%020llu.seg", static_cast<unsigned long long>(id));
  return opts_.dir + "/journal/" + name;
}

Buffer::Segment* Buffer::FindSegment(uint64_t id) {
  for (auto& s : segments_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

bool Buffer::ReadAt(Pos* pos, Record* r, ReadMode mode,
                    std::vector<std::pair<std::string, std::string>>* state, Bytes* protos) {
  Segment* s = FindSegment(pos->segment);
  if (!s) return false;
  if (pos->offset >= s->size) {
    size_t i = static_cast<size_t>(s - segments_.data());
    if (i + 1 >= segments_.size()) return false;
    s = &segments_[i + 1];
    pos->segment = s->id;
    pos->offset = 0;
    if (s->size == 0) return false;
  }
  if (pos->offset + kRecordHeader > s->size) return false;
  // The header and the record's start (its fields come before the request)
  // in one read; the whole payload only when verifying or when the fields
  // are longer than that.
  char probe[kRecordHeader + kProbeBytes];
  uint64_t avail = s->size - pos->offset;
  size_t want = static_cast<size_t>(std::min<uint64_t>(avail, sizeof probe));
  if (!ReadFull(s->fd, pos->offset, probe, want)) return false;
  uint32_t len = GetFixed32(probe), crc = GetFixed32(probe + 4);
  if (kRecordHeader + len > avail) return false;
  std::string_view payload(probe + kRecordHeader, std::min<size_t>(len, kProbeBytes));
  size_t proto_at = 0;
  size_t state_mark = state ? state->size() : 0;
  bool decoded = mode != ReadMode::kVerify && DecodePayload(payload, r, state, &proto_at);
  if (!decoded) {
    if (state) state->resize(state_mark);
    if (mode != ReadMode::kVerify && payload.size() == len) return false;
    if (scratch_size_ < len) {
      scratch_size_ = std::max<size_t>(len, 64 << 10);
      scratch_.reset(new char[scratch_size_]);
    }
    if (!ReadFull(s->fd, pos->offset + kRecordHeader, scratch_.get(), len)) return false;
    payload = std::string_view(scratch_.get(), len);
    if (mode == ReadMode::kVerify && !CrcMatches(payload, crc)) return false;
    if (!DecodePayload(payload, r, state, &proto_at)) return false;
  }
  r->proto_at = r->proto_size = 0;
  if (mode == ReadMode::kProto) {
    size_t n = len - proto_at;
    r->proto_at = protos->size();
    r->proto_size = n;
    char* dst = protos->Extend(n);
    if (proto_at < payload.size()) {
      size_t have = std::min(n, payload.size() - proto_at);
      std::memcpy(dst, payload.data() + proto_at, have);
      dst += have;
      proto_at += have;
      n -= have;
    }
    if (n > 0 && !ReadFull(s->fd, pos->offset + kRecordHeader + proto_at, dst, n)) {
      protos->Truncate(r->proto_at);
      return false;
    }
  }
  r->size = kRecordHeader + len;
  pos->offset += r->size;
  pos->seq = r->seq + 1;
  r->end_segment = pos->segment;
  r->end_offset = pos->offset;
  return true;
}

Status Buffer::Open(const BufferOptions& opts, std::unique_ptr<Buffer>* out) {
  std::error_code ec;
  std::filesystem::create_directories(opts.dir + "/journal", ec);
  if (ec) return Status::IOError("agent buffer: cannot create " + opts.dir + ": " + ec.message());
  std::unique_ptr<Buffer> b(new Buffer(opts));
  // Positions folded out of deleted segments.
  std::string text;
  if (ReadFile(opts.dir + "/state", &text)) {
    const char* p = text.data();
    const char* end = p + text.size();
    uint64_t n;
    if (!GetVarint(&p, end, &b->folded_) || !GetVarint(&p, end, &n))
      return Status::Internal("agent buffer: corrupt " + opts.dir + "/state");
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view k, v;
      if (!GetLengthPrefixed(&p, end, &k) || !GetLengthPrefixed(&p, end, &v))
        return Status::Internal("agent buffer: corrupt " + opts.dir + "/state");
      b->base_[std::string(k)] = std::string(v);
    }
  }
  std::vector<uint64_t> ids;
  for (const auto& e : std::filesystem::directory_iterator(opts.dir + "/journal", ec)) {
    std::string name = e.path().filename().string();
    if (name.size() == 24 && name.ends_with(".seg")) ids.push_back(std::stoull(name.substr(0, 20)));
  }
  std::sort(ids.begin(), ids.end());
  for (uint64_t id : ids) {
    Segment s;
    s.id = id;
    s.fd = open(b->SegmentPath(id).c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (s.fd < 0) return Errno("open " + b->SegmentPath(id));
    struct stat st;
    if (fstat(s.fd, &st) != 0) return Errno("stat " + b->SegmentPath(id));
    s.size = static_cast<uint64_t>(st.st_size);
    b->segments_.push_back(s);
  }
  b->next_seq_ = b->folded_;
  // Every record: the last positions, the next seq; a torn or corrupt
  // record ends its segment (cut there).
  for (size_t i = 0; i < b->segments_.size(); ++i) {
    Pos p{b->segments_[i].id, b->segments_[i].id, 0};
    Record r;
    std::vector<std::pair<std::string, std::string>> delta;
    while (p.offset < b->segments_[i].size) {
      delta.clear();
      Pos before = p;
      if (!b->ReadAt(&p, &r, ReadMode::kVerify, &delta) || p.segment != b->segments_[i].id) {
        p = before;
        b->Log("agent buffer: " + b->SegmentPath(b->segments_[i].id) + ": cut at byte " +
               std::to_string(p.offset) + " (a record torn by a crash)");
        if (ftruncate(b->segments_[i].fd, static_cast<off_t>(p.offset)) != 0)
          return Errno("truncate " + b->SegmentPath(b->segments_[i].id));
        b->segments_[i].size = p.offset;
        break;
      }
      b->next_seq_ = std::max(b->next_seq_, r.seq + 1);
    }
  }
  // Where shipping resumes.
  text.clear();
  bool head = false;
  if (ReadFile(opts.dir + "/head", &text)) {
    const char* p = text.data();
    const char* end = p + text.size();
    Pos h;
    // Since the head is written in place it ends with a CRC-32C of its
    // varints (and zeros); before, it was the varints alone.
    bool ok = GetVarint(&p, end, &h.seq) && GetVarint(&p, end, &h.segment) &&
              GetVarint(&p, end, &h.offset);
    size_t n = static_cast<size_t>(p - text.data());
    if (ok && p != end)
      ok = end - p >= 4 && GetFixed32(p) == Crc32c(0, std::string_view(text.data(), n));
    if (ok && b->FindSegment(h.segment)) {
      b->head_ = h;
      head = true;
    }
  }
  if (!head && !b->segments_.empty()) b->head_ = {b->segments_[0].id, b->segments_[0].id, 0};
  if (b->segments_.empty() || b->segments_.back().size >= opts.segment_bytes) {
    Segment s;
    s.id = b->next_seq_;
    s.fd = open(b->SegmentPath(s.id).c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (s.fd < 0) return Errno("create " + b->SegmentPath(s.id));
    b->segments_.push_back(s);
    if (b->segments_.size() == 1) b->head_ = {s.id, s.id, 0};
  }
  b->next_seq_ = std::max(b->next_seq_, b->head_.seq);
  Pos p = b->head_;
  Record r;
  while (b->ReadAt(&p, &r, ReadMode::kMeta)) {
    ++b->stats_.records;
    b->stats_.bytes += r.size;
  }
  b->read_ = b->head_;
  std::lock_guard<std::mutex> l(b->mu_);
  b->DeleteOldSegments();
  *out = std::move(b);
  return Status::OK();
}

Status Buffer::ReadState(std::string_view prefix,
                         std::vector<std::pair<std::string, std::string>>* out) {
  std::lock_guard<std::mutex> l(mu_);
  std::map<std::string, std::string> state = base_;
  if (!segments_.empty()) {
    Pos p{segments_[0].id, segments_[0].id, 0};
    Record r;
    std::vector<std::pair<std::string, std::string>> delta;
    while (ReadAt(&p, &r, ReadMode::kMeta, &delta)) {
      if (r.seq >= folded_) Apply(delta, &state);
      delta.clear();
    }
  }
  for (const auto& [k, v] : state) {
    if (k.starts_with(prefix)) out->emplace_back(k, v);
  }
  return Status::OK();
}

Status Buffer::Commit(std::string_view, std::span<const StreamEntries> streams,
                      std::span<const std::pair<std::string, std::string>> state) {
  Record r;
  r.min_ts = INT64_MAX;
  r.max_ts = 0;
  std::string proto;
  std::vector<std::string> names;
  for (const auto& s : streams) {
    if (s.entries.empty()) continue;
    std::string text;
    if (opts_.external_labels.empty()) {
      text = LabelsToString(*s.labels);
    } else {
      Labels ls = *s.labels;
      for (const auto& l : opts_.external_labels) {
        bool own = false;
        for (const auto& o : *s.labels) own = own || o.name == l.name;
        if (!own) ls.push_back(l);
      }
      SortLabels(&ls);
      text = LabelsToString(ls);
    }
    for (const auto& e : s.entries) {
      r.line_bytes += e.line.size();
      r.min_ts = std::min(r.min_ts, e.ts);
      r.max_ts = std::max(r.max_ts, e.ts);
    }
    r.lines += s.entries.size();
    ingest::AppendPushStream(text, s.entries, &proto);
    names.push_back(std::move(text));
  }
  if (r.lines == 0) r.min_ts = 0;
  if (r.lines == 0 && state.empty()) return Status::OK();
  int fd;
  uint64_t seq, size;
  {
    std::unique_lock<std::mutex> l(mu_);
    // Backpressure while the target keeps up: reading waits, nothing is dropped.
    uint64_t live = std::min(opts_.max_bytes, kLiveBacklog);
    cv_.wait(l, [&] { return woken_ || !target_up_ || stats_.bytes <= live; });
    seq = next_seq_;
    Segment& active = segments_.back();
    if (active.size >= opts_.segment_bytes) {
      Segment s;
      s.id = seq;
      s.fd = open(SegmentPath(s.id).c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      if (s.fd < 0) return Errno("create " + SegmentPath(s.id));
      segments_.push_back(s);
    }
    fd = segments_.back().fd;
    size = segments_.back().size;
  }
  std::string payload;
  payload.reserve(proto.size() + 256);
  PutVarint(&payload, seq);
  PutVarint(&payload, static_cast<uint64_t>(NowNs()));
  PutVarint(&payload, r.lines);
  PutVarint(&payload, r.line_bytes);
  PutVarint(&payload, static_cast<uint64_t>(r.min_ts));
  PutVarint(&payload, static_cast<uint64_t>(r.max_ts));
  PutVarint(&payload, names.size());
  for (const auto& n : names) PutLengthPrefixed(&payload, n);
  PutVarint(&payload, state.size());
  for (const auto& [k, v] : state) {
    PutLengthPrefixed(&payload, k);
    PutLengthPrefixed(&payload, v);
  }
  std::string head;
  PutFixed32(&head, static_cast<uint32_t>(payload.size() + proto.size()));
  // CRC-32C of payload + proto, without joining them.
  PutFixed32(&head, Crc32c(Crc32c(0, payload), proto));
  struct iovec iov[3] = {
      {head.data(), head.size()}, {payload.data(), payload.size()}, {proto.data(), proto.size()}};
  uint64_t total = head.size() + payload.size() + proto.size();
  ssize_t w = writev(fd, iov, 3);
  if (w != static_cast<ssize_t>(total)) {
    // A short write (full disk): nothing of it may stay.
    Status st = w < 0 ? Errno("write") : Status::IOError("agent buffer: short write (disk full?)");
    if (ftruncate(fd, static_cast<off_t>(size)) != 0) Log("agent buffer: cannot cut a short write");
    return st;
  }
  std::lock_guard<std::mutex> l(mu_);
  segments_.back().size += total;
  next_seq_ = seq + 1;
  ++stats_.records;
  stats_.bytes += total;
  Trim();
  cv_.notify_all();
  return Status::OK();
}

void Buffer::Trim() {
  if (stats_.bytes <= opts_.max_bytes) return;
  uint64_t lines = 0, line_bytes = 0, records = 0;
  int64_t min_ts = INT64_MAX, max_ts = 0;
  std::vector<std::string> streams;
  while (stats_.bytes > opts_.max_bytes && head_.seq + 1 < next_seq_) {
    Record r;
    if (!ReadAt(&head_, &r, ReadMode::kMeta)) break;
    if (r.lines > 0) {
      lines += r.lines;
      line_bytes += r.line_bytes;
      min_ts = std::min(min_ts, r.min_ts);
      max_ts = std::max(max_ts, r.max_ts);
    }
    for (auto& s : r.streams) {
      if (std::find(streams.begin(), streams.end(), s) == streams.end() && streams.size() < 20)
        streams.push_back(std::move(s));
    }
    stats_.bytes -= r.size;
    --stats_.records;
    ++records;
  }
  if (records == 0) return;
  if (read_.seq < head_.seq) read_ = head_;
  WriteHead();
  DeleteOldSegments();
  stats_.dropped_records += records;
  stats_.dropped_lines += lines;
  stats_.dropped_bytes += line_bytes;
  if (lines == 0) return;
  std::string names;
  for (const auto& s : streams) names += (names.empty() ? "" : ", ") + s;
  Log("agent: buffer_max_bytes (" + std::to_string(opts_.max_bytes) +
      ") exceeded while the target does not take data: dropped the oldest " +
      std::to_string(lines) + " lines (" + std::to_string(line_bytes) + " bytes) from " +
      FormatTime(min_ts) + " to " + FormatTime(max_ts) + " of streams " + names);
}

void Buffer::WriteHead() {
  std::string text;
  PutVarint(&text, head_.seq);
  PutVarint(&text, head_.segment);
  PutVarint(&text, head_.offset);
  PutFixed32(&text, Crc32c(0, text));
  // In place, always kHeadBytes: one small write instead of a new file and
  // a rename per acknowledged push (those took a sixth of the agent's CPU).
  // A head that does not verify at start means the start of the journal:
  // records sent again, none lost.
  text.resize(kHeadBytes, '\0');
  if (head_fd_ < 0) {
    head_fd_ = open((opts_.dir + "/head").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (head_fd_ < 0) {
      Log(Errno("open " + opts_.dir + "/head").message());
      return;
    }
  }
  if (pwrite(head_fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    Log(Errno("write " + opts_.dir + "/head").message());
}

Status Buffer::WriteState() {
  std::string text;
  PutVarint(&text, folded_);
  PutVarint(&text, base_.size());
  for (const auto& [k, v] : base_) {
    PutLengthPrefixed(&text, k);
    PutLengthPrefixed(&text, v);
  }
  return WriteFileAtomic(opts_.dir + "/state", text);
}

void Buffer::DeleteOldSegments() {
  while (segments_.size() > 1) {
    Segment& s = segments_[0];
    bool passed = head_.segment > s.id || (head_.segment == s.id && head_.offset >= s.size);
    if (!passed) return;
    // Its positions go into the state file first: after a crash between the
    // two steps positions are older, never newer, than what is buffered.
    Pos p{s.id, s.id, 0};
    Record r;
    std::vector<std::pair<std::string, std::string>> delta;
    while (p.segment == s.id && ReadAt(&p, &r, ReadMode::kMeta, &delta)) {
      if (p.segment != s.id) break;
      if (r.seq >= folded_) Apply(delta, &base_);
      delta.clear();
    }
    folded_ = segments_[1].id;
    Status st = WriteState();
    if (!st.ok()) {
      Log(st.message());
      return;
    }
    close(s.fd);
    unlink(SegmentPath(s.id).c_str());
    segments_.erase(segments_.begin());
    Segment& next = segments_[0];
    if (head_.segment < next.id) head_ = {head_.seq, next.id, 0};
    if (read_.segment < next.id) read_ = {read_.seq, next.id, 0};
  }
}

Status Buffer::Read(uint64_t from, uint64_t max_bytes, std::vector<Record>* out, Bytes* protos,
                    bool at_least_one) {
  std::lock_guard<std::mutex> l(mu_);
  if (from < head_.seq) from = head_.seq;
  if (read_.seq != from) {
    // Not where the last read stopped: find it from the head.
    read_ = head_;
    Record skip;
    Pos p = read_;
    while (p.seq < from && ReadAt(&p, &skip, ReadMode::kMeta)) read_ = p;
  }
  uint64_t total = 0;
  for (;;) {
    Pos p = read_;
    Record r;
    // Its size first: a record that does not fit is not read.
    if (!ReadAt(&p, &r, ReadMode::kMeta)) break;
    bool first = out->empty() && at_least_one;
    if (!first && total + r.size > max_bytes) break;
    p = read_;
    if (!ReadAt(&p, &r, ReadMode::kProto, nullptr, protos)) break;
    total += r.size;
    read_ = p;
    out->push_back(std::move(r));
  }
  return Status::OK();
}

Status Buffer::Remove(const std::vector<Record>& records) {
  std::lock_guard<std::mutex> l(mu_);
  bool moved = false;
  for (const auto& r : records) {
    if (r.seq < head_.seq) continue;
    head_ = {r.seq + 1, r.end_segment, r.end_offset};
    stats_.bytes -= r.size;
    --stats_.records;
    moved = true;
  }
  if (!moved) return Status::OK();
  if (read_.seq < head_.seq) read_ = head_;
  WriteHead();
  DeleteOldSegments();
  cv_.notify_all();
  return Status::OK();
}

void Buffer::SetTargetUp(bool up) {
  std::lock_guard<std::mutex> l(mu_);
  if (target_up_ == up) return;
  target_up_ = up;
  cv_.notify_all();
}

bool Buffer::WaitFor(uint64_t from, int timeout_ms) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, std::chrono::milliseconds(timeout_ms),
               [&] { return woken_ || next_seq_ > std::max(from, head_.seq); });
  return next_seq_ > std::max(from, head_.seq);
}

void Buffer::Wake() {
  std::lock_guard<std::mutex> l(mu_);
  woken_ = true;
  cv_.notify_all();
}

uint64_t Buffer::first_seq() {
  std::lock_guard<std::mutex> l(mu_);
  return head_.seq;
}

void Buffer::ReleaseMemory() {
  std::lock_guard<std::mutex> l(mu_);
  scratch_.reset();
  scratch_size_ = 0;
}

BufferStats Buffer::Stats() {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

}  // namespace lode::agent
