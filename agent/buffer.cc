#include "agent/buffer.h"

#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "base/coding.h"
#include "base/log.h"
#include "ingest/push_encode.h"

namespace lode::agent {

namespace {

std::string RecordKey(uint64_t seq) {
  std::string k = "b";
  PutBE64(&k, seq);
  return k;
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

Status FromRocks(const rocksdb::Status& s) {
  return s.ok() ? Status::OK() : Status::IOError("agent buffer: " + s.ToString());
}

}  // namespace

bool DecodeRecordHeader(std::string_view value, Record* r, size_t* header_len) {
  const char* p = value.data();
  const char* end = p + value.size();
  uint64_t created, min_ts, max_ts, n;
  if (!GetVarint(&p, end, &created) || !GetVarint(&p, end, &r->lines) ||
      !GetVarint(&p, end, &r->line_bytes) || !GetVarint(&p, end, &min_ts) ||
      !GetVarint(&p, end, &max_ts) || !GetVarint(&p, end, &n))
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
  r->size = value.size();
  *header_len = static_cast<size_t>(p - value.data());
  return true;
}

Buffer::Buffer(const BufferOptions& opts) : opts_(opts) {}
Buffer::~Buffer() = default;

void Buffer::Log(const std::string& msg) {
  if (opts_.log) {
    opts_.log(msg);
  } else {
    lode::Logf("%s", msg.c_str());
  }
}

Status Buffer::Open(const BufferOptions& opts, std::unique_ptr<Buffer>* out) {
  std::error_code ec;
  std::filesystem::create_directories(opts.dir, ec);
  if (ec) return Status::IOError("agent buffer: cannot create " + opts.dir + ": " + ec.message());
  std::unique_ptr<Buffer> b(new Buffer(opts));
  // Small on purpose: records live from a commit until the target has them,
  // usually well under a second, so most never leave the memtable.
  rocksdb::Options ro;
  ro.create_if_missing = true;
  ro.write_buffer_size = 4 << 20;
  ro.max_write_buffer_number = 2;
  ro.max_total_wal_size = 16 << 20;
  ro.max_open_files = 64;
  ro.keep_log_file_num = 2;
  ro.max_log_file_size = 1 << 20;
  ro.max_background_jobs = 1;
  ro.compression = rocksdb::kNoCompression;
  for (auto c : rocksdb::GetSupportedCompressions()) {
    // Records that do reach SST files are an outage's backlog: compress them.
    if (c == rocksdb::kLZ4Compression || c == rocksdb::kSnappyCompression) ro.compression = c;
  }
  rocksdb::BlockBasedTableOptions to;
  to.block_cache = rocksdb::NewLRUCache(1 << 20);
  to.block_size = 64 << 10;
  ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(to));
  rocksdb::DB* db = nullptr;
  LODE_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(ro, opts.dir, &db)));
  b->db_.reset(db);
  // Sizes of what is buffered from an earlier run.
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  bool first = true;
  for (it->Seek("b"); it->Valid() && it->key().starts_with("b"); it->Next()) {
    if (it->key().size() != 9) continue;
    uint64_t seq = GetBE64(it->key().data() + 1);
    if (first) b->first_seq_ = seq;
    first = false;
    b->next_seq_ = seq + 1;
    ++b->stats_.records;
    b->stats_.bytes += it->value().size();
  }
  LODE_RETURN_IF_ERROR(FromRocks(it->status()));
  if (first) b->first_seq_ = b->next_seq_ = 0;
  *out = std::move(b);
  return Status::OK();
}

Status Buffer::Commit(std::string_view, std::span<const StreamEntries> streams,
                      std::span<const std::pair<std::string, std::string>> state) {
  std::string value;
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
  rocksdb::WriteBatch wb;
  std::unique_lock<std::mutex> l(mu_);
  if (r.lines > 0) {
    PutVarint(&value, static_cast<uint64_t>(NowNs()));
    PutVarint(&value, r.lines);
    PutVarint(&value, r.line_bytes);
    PutVarint(&value, static_cast<uint64_t>(r.min_ts));
    PutVarint(&value, static_cast<uint64_t>(r.max_ts));
    PutVarint(&value, names.size());
    for (const auto& n : names) PutLengthPrefixed(&value, n);
    value += proto;
    wb.Put(RecordKey(next_seq_), value);
  }
  for (const auto& [k, v] : state) {
    if (v.empty()) {
      wb.Delete("s" + k);
    } else {
      wb.Put("s" + k, v);
    }
  }
  LODE_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &wb)));
  if (r.lines > 0) {
    ++next_seq_;
    ++stats_.records;
    stats_.bytes += value.size();
    Trim();
    cv_.notify_all();
  }
  return Status::OK();
}

void Buffer::Trim() {
  if (stats_.bytes <= opts_.max_bytes) return;
  rocksdb::WriteBatch wb;
  uint64_t lines = 0, line_bytes = 0, records = 0;
  int64_t min_ts = INT64_MAX, max_ts = 0;
  std::vector<std::string> streams;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(RecordKey(first_seq_));
       it->Valid() && it->key().starts_with("b") && stats_.bytes > opts_.max_bytes &&
       first_seq_ + 1 < next_seq_;
       it->Next()) {
    Record r;
    size_t hl;
    uint64_t seq = GetBE64(it->key().data() + 1);
    if (DecodeRecordHeader(std::string_view(it->value().data(), it->value().size()), &r, &hl)) {
      lines += r.lines;
      line_bytes += r.line_bytes;
      min_ts = std::min(min_ts, r.min_ts);
      max_ts = std::max(max_ts, r.max_ts);
      for (auto& s : r.streams) {
        if (std::find(streams.begin(), streams.end(), s) == streams.end() && streams.size() < 20)
          streams.push_back(std::move(s));
      }
    }
    wb.Delete(it->key());
    stats_.bytes -= it->value().size();
    --stats_.records;
    ++records;
    first_seq_ = seq + 1;
  }
  if (records == 0) return;
  Status st = FromRocks(db_->Write(rocksdb::WriteOptions(), &wb));
  stats_.dropped_records += records;
  stats_.dropped_lines += lines;
  stats_.dropped_bytes += line_bytes;
  std::string names;
  for (const auto& s : streams) names += (names.empty() ? "" : ", ") + s;
  Log("agent: buffer_max_bytes (" + std::to_string(opts_.max_bytes) +
      ") exceeded while the target does not take data: dropped the oldest " +
      std::to_string(lines) + " lines (" + std::to_string(line_bytes) + " bytes) from " +
      FormatTime(min_ts) + " to " + FormatTime(max_ts) + " of streams " + names +
      (st.ok() ? "" : " (" + st.message() + ")"));
}

Status Buffer::ReadState(std::string_view prefix,
                         std::vector<std::pair<std::string, std::string>>* out) {
  std::string start = "s" + std::string(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next())
    out->emplace_back(it->key().ToString().substr(1), it->value().ToString());
  return FromRocks(it->status());
}

Status Buffer::Read(uint64_t from, uint64_t max_bytes, std::vector<Record>* out) {
  {
    std::lock_guard<std::mutex> l(mu_);
    from = std::max(from, first_seq_);
  }
  uint64_t total = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(RecordKey(from)); it->Valid() && it->key().starts_with("b"); it->Next()) {
    if (!out->empty() && total + it->value().size() > max_bytes) break;
    Record r;
    size_t hl;
    std::string_view v(it->value().data(), it->value().size());
    if (!DecodeRecordHeader(v, &r, &hl))
      return Status::Internal("agent buffer: corrupt record " + it->key().ToString(true));
    r.seq = GetBE64(it->key().data() + 1);
    r.proto.assign(v.substr(hl));
    total += r.size;
    out->push_back(std::move(r));
  }
  return FromRocks(it->status());
}

Status Buffer::Remove(const std::vector<Record>& records) {
  rocksdb::WriteBatch wb;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& r : records) {
    if (r.seq < first_seq_) continue;
    wb.Delete(RecordKey(r.seq));
    stats_.bytes -= r.size;
    --stats_.records;
    first_seq_ = r.seq + 1;
  }
  if (wb.Count() == 0) return Status::OK();
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &wb));
}

bool Buffer::WaitFor(uint64_t from, int timeout_ms) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, std::chrono::milliseconds(timeout_ms),
               [&] { return woken_ || next_seq_ > std::max(from, first_seq_); });
  return next_seq_ > std::max(from, first_seq_);
}

void Buffer::Wake() {
  std::lock_guard<std::mutex> l(mu_);
  woken_ = true;
  cv_.notify_all();
}

uint64_t Buffer::first_seq() {
  std::lock_guard<std::mutex> l(mu_);
  return first_seq_;
}

BufferStats Buffer::Stats() {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

}  // namespace lode::agent
