#include "storage/inspect.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "base/coding.h"
#include "storage/head.h"
#include "storage/store_format.h"

namespace lode {

namespace {

struct StreamSummary {
  std::string labels;
  uint64_t chunks = 0, chunk_bytes = 0, raw_bytes = 0, entries = 0;
  uint64_t head_records = 0, head_bytes = 0;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
};

struct TenantSummary {
  std::map<uint64_t, StreamSummary> streams;
  std::set<uint32_t> days;
  uint64_t delete_requests = 0;
};

std::string Time(int64_t ns) {
  if (ns == INT64_MAX || ns == INT64_MIN) return "-";
  time_t s = static_cast<time_t>(ns / 1000000000);
  struct tm tm;
  gmtime_r(&s, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Bytes(uint64_t b) {
  char buf[32];
  if (b >= (1ULL << 30)) {
    snprintf(buf, sizeof(buf), "%.2f GiB", b / 1073741824.0);
  } else if (b >= (1ULL << 20)) {
    snprintf(buf, sizeof(buf), "%.2f MiB", b / 1048576.0);
  } else if (b >= 1024) {
    snprintf(buf, sizeof(buf), "%.1f KiB", b / 1024.0);
  } else {
    snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(b));
  }
  return buf;
}

// Splits `tenant \0 id(8) rest(n)`.
bool SplitStreamKey(std::string_view k, size_t rest, std::string* tenant, uint64_t* id) {
  if (k.size() < 9 + rest) return false;
  *tenant = std::string(k.substr(0, k.size() - 9 - rest));
  *id = GetBE64(k.data() + k.size() - 8 - rest);
  return true;
}

}  // namespace

Status InspectDataDir(const std::string& dir, const InspectOptions& opts, std::string* out) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : format::kColumnFamilies)
    cfs.push_back({name, rocksdb::ColumnFamilyOptions()});
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Options o;
  o.create_if_missing = false;
  HeadLogReplay replay;  // heads live in the WAL (storage/head.h)
  o.wal_filter = &replay;
  LODE_RETURN_IF_ERROR(
      format::FromRocks(rocksdb::DB::OpenForReadOnly(o, dir, cfs, &handles, &raw)));
  std::unique_ptr<rocksdb::DB> db(raw);
  struct Close {
    rocksdb::DB* db;
    std::vector<rocksdb::ColumnFamilyHandle*>* h;
    ~Close() {
      for (auto* x : *h) db->DestroyColumnFamilyHandle(x);
    }
  } close{raw, &handles};

  char line[512];
  *out += "data dir: " + dir + "\n\n";
  snprintf(line, sizeof(line), "%-10s %14s %14s %14s %12s\n", "cf", "sst", "blob", "blob garbage",
           "keys (est.)");
  *out += line;
  uint64_t total = 0;
  for (size_t i = 0; i < handles.size(); ++i) {
    uint64_t sst = 0, blob = 0, garbage = 0, keys = 0;
    db->GetIntProperty(handles[i], "rocksdb.total-sst-files-size", &sst);
    db->GetIntProperty(handles[i], "rocksdb.total-blob-file-size", &blob);
    db->GetIntProperty(handles[i], "rocksdb.live-blob-file-garbage-size", &garbage);
    db->GetIntProperty(handles[i], "rocksdb.estimate-num-keys", &keys);
    total += sst + blob;
    snprintf(line, sizeof(line), "%-10s %14s %14s %14s %12llu\n", format::kColumnFamilies[i],
             Bytes(sst).c_str(), Bytes(blob).c_str(), Bytes(garbage).c_str(),
             static_cast<unsigned long long>(keys));
    *out += line;
  }
  *out += "total: " + Bytes(total) + " (SST + blob files; memtables and WAL not counted)\n\n";

  {
    // Small-block zstd dictionaries (storage/chunk.h).
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[0]));
    std::string dicts;
    size_t n = 0;
    for (it->Seek(format::kChunkDictPrefix);
         it->Valid() && it->key().starts_with(format::kChunkDictPrefix); it->Next()) {
      const std::string_view k = it->key().ToStringView().substr(format::kChunkDictPrefix.size());
      snprintf(line, sizeof(line), "%s%u (%s)", n++ ? ", " : "",
               k.size() == 4 ? GetBE32(k.data()) : 0u, Bytes(it->value().size()).c_str());
      dicts += line;
    }
    *out += "small-block zstd dictionaries: " + (n ? dicts : std::string("none")) + "\n\n";
  }

  std::map<std::string, TenantSummary> tenants;
  std::string tenant;
  uint64_t id;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[0]));
    for (it->Seek("i"); it->Valid() && it->key().starts_with("i"); it->Next()) {
      if (!SplitStreamKey(it->key().ToStringView().substr(1), 0, &tenant, &id)) continue;
      tenants[tenant].streams[id].labels = it->value().ToString();
    }
    const std::string del_prefix(format::kDeleteRequestPrefix);
    for (it->Seek(del_prefix); it->Valid() && it->key().starts_with(del_prefix); it->Next()) {
      std::string_view k = it->key().ToStringView().substr(3);
      tenants[std::string(k.substr(0, k.find('\0')))].delete_requests++;
    }
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[3]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ChunkMeta m;
      if (!SplitStreamKey(it->key().ToStringView(), 16, &tenant, &id) ||
          !format::DecodeMeta(it->value().ToStringView(), &m))
        continue;
      StreamSummary& s = tenants[tenant].streams[id];
      s.chunks++;
      s.chunk_bytes += m.size;
      s.raw_bytes += m.raw_bytes;
      s.entries += m.entries;
      s.min_ts = std::min(s.min_ts, m.min_ts);
      s.max_ts = std::max(s.max_ts, m.max_ts);
    }
  }
  {
    // Head records: in the WAL above the stream's cut mark, or (written by
    // earlier versions) in the `head` column family.
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[1]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!SplitStreamKey(it->key().ToStringView(), 8, &tenant, &id)) continue;
      replay.records.push_back(
          {tenant, id, GetBE64(it->key().data() + it->key().size() - 8), it->value().ToString()});
    }
    std::set<std::pair<std::string, uint64_t>> seen;
    std::string mark;
    for (const ReplayedHead& r : replay.records) {
      if (!seen.insert({r.tenant, r.seq}).second) continue;
      if (db->Get(rocksdb::ReadOptions(), handles[0], CutMarkKey(r.tenant, r.id), &mark).ok() &&
          mark.size() == 8 && r.seq <= GetBE64(mark.data()))
        continue;
      StreamSummary& s = tenants[r.tenant].streams[r.id];
      s.head_records++;
      s.head_bytes += r.record.size();
      std::vector<OwnedEntry> es;
      if (!format::DecodeHeadRecord(r.record, &es).ok()) continue;
      for (const auto& e : es) {
        s.entries++;
        s.raw_bytes += e.line.size();
        s.min_ts = std::min(s.min_ts, e.ts);
        s.max_ts = std::max(s.max_ts, e.ts);
      }
    }
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[4]));
    for (auto& [t, ts] : tenants) {
      std::string p = t + std::string(1, '\0') + "D";
      it->Seek(p);
      while (it->Valid() && it->key().starts_with(p) && it->key().size() >= p.size() + 4) {
        uint32_t day = GetBE32(it->key().data() + p.size());
        ts.days.insert(day);
        it->Seek(format::IndexDayPrefix(t, day + 1));
      }
    }
  }

  snprintf(line, sizeof(line), "tenants: %zu\n", tenants.size());
  *out += line;
  for (const auto& [t, ts] : tenants) {
    StreamSummary sum;
    uint64_t with_data = 0;
    for (const auto& [sid, s] : ts.streams) {
      sum.chunks += s.chunks;
      sum.chunk_bytes += s.chunk_bytes;
      sum.raw_bytes += s.raw_bytes;
      sum.entries += s.entries;
      sum.head_records += s.head_records;
      sum.head_bytes += s.head_bytes;
      sum.min_ts = std::min(sum.min_ts, s.min_ts);
      sum.max_ts = std::max(sum.max_ts, s.max_ts);
      if (s.chunks || s.head_records) with_data++;
    }
    snprintf(
        line, sizeof(line),
        "\ntenant %s\n  streams: %zu (%llu with data)\n  chunks: %llu, %s compressed, %s of lines\n"
        "  head: %llu records, %s\n  entries: %llu, from %s to %s\n  index days: %zu",
        t.c_str(), ts.streams.size(), static_cast<unsigned long long>(with_data),
        static_cast<unsigned long long>(sum.chunks), Bytes(sum.chunk_bytes).c_str(),
        Bytes(sum.raw_bytes).c_str(), static_cast<unsigned long long>(sum.head_records),
        Bytes(sum.head_bytes).c_str(), static_cast<unsigned long long>(sum.entries),
        Time(sum.min_ts).c_str(), Time(sum.max_ts).c_str(), ts.days.size());
    *out += line;
    if (!ts.days.empty()) {
      *out += " (" + Time(static_cast<int64_t>(*ts.days.begin()) * format::kDayNs).substr(0, 10) +
              " .. " +
              Time(static_cast<int64_t>(*ts.days.rbegin()) * format::kDayNs).substr(0, 10) + ")";
    }
    snprintf(line, sizeof(line), "\n  delete requests: %llu\n",
             static_cast<unsigned long long>(ts.delete_requests));
    *out += line;
    if (!opts.per_stream) continue;
    size_t n = 0;
    for (const auto& [sid, s] : ts.streams) {
      if (n++ == opts.max_streams) {
        snprintf(line, sizeof(line), "  ... %zu more streams\n",
                 ts.streams.size() - opts.max_streams);
        *out += line;
        break;
      }
      *out += "  " + (s.labels.empty() ? std::string("?") : s.labels);
      snprintf(line, sizeof(line),
               ": %llu chunks (%s), %llu head records, %llu entries, %s .. %s\n",
               static_cast<unsigned long long>(s.chunks), Bytes(s.chunk_bytes).c_str(),
               static_cast<unsigned long long>(s.head_records),
               static_cast<unsigned long long>(s.entries), Time(s.min_ts).c_str(),
               Time(s.max_ts).c_str());
      *out += line;
    }
  }
  return Status::OK();
}

}  // namespace lode
