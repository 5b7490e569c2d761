// Store::Stats and Store::Metrics: counters and sizes for /metrics.
#include <rocksdb/statistics.h>

#include <string_view>

#include "storage/store_impl.h"

namespace lode {

StoreStats Store::Stats() {
  StoreStats s;
  for (auto& [t, st] : impl_->AllStreams()) {
    s.streams++;
    std::lock_guard<std::mutex> l(st->mu);
    s.head_bytes += st->head_bytes;
  }
  s.disk_bytes = impl_->DiskBytes();
  uint64_t v = 0;
  if (impl_->db->GetIntProperty(impl_->chunkmeta_cf, "rocksdb.estimate-num-keys", &v)) s.chunks = v;
  return s;
}

std::vector<StoreMetric> Store::Metrics() {
  std::vector<StoreMetric> out;
  rocksdb::DB* db = impl_->db.get();
  struct Ticker {
    rocksdb::Tickers t;
    const char* name;
    const char* help;
  };
  static const Ticker kTickers[] = {
      {rocksdb::BLOCK_CACHE_HIT, "lode_rocksdb_block_cache_hits_total", "Block cache hits."},
      {rocksdb::BLOCK_CACHE_MISS, "lode_rocksdb_block_cache_misses_total", "Block cache misses."},
      {rocksdb::COMPACT_READ_BYTES, "lode_rocksdb_compaction_read_bytes_total",
       "Bytes read by compactions."},
      {rocksdb::COMPACT_WRITE_BYTES, "lode_rocksdb_compaction_write_bytes_total",
       "Bytes written by compactions."},
      {rocksdb::STALL_MICROS, "lode_rocksdb_write_stall_microseconds_total",
       "Time writes were stalled."},
      {rocksdb::BYTES_WRITTEN, "lode_rocksdb_bytes_written_total",
       "Bytes written to the database."},
      {rocksdb::WAL_FILE_BYTES, "lode_rocksdb_wal_bytes_written_total",
       "Bytes written to the write-ahead log."},
      {rocksdb::BLOB_DB_GC_NUM_FILES, "lode_rocksdb_blob_gc_files_total",
       "Blob files garbage-collected."},
      {rocksdb::BLOB_DB_GC_BYTES_RELOCATED, "lode_rocksdb_blob_gc_relocated_bytes_total",
       "Live blob bytes relocated by blob garbage collection."},
      {rocksdb::COMPACTION_KEY_DROP_RANGE_DEL, "lode_rocksdb_compaction_range_deleted_keys_total",
       "Keys dropped by compactions because a range deletion covered them."},
  };
  out.push_back({"lode_rocksdb_crc32c_hardware", "", impl_->crc_in_hardware ? 1.0 : 0.0, false,
                 "1 when RocksDB's CRC-32C checksums use the CPU's crc32 instruction."});
  if (impl_->statistics) {
    for (const auto& t : kTickers)
      out.push_back(
          {t.name, "", static_cast<double>(impl_->statistics->getTickerCount(t.t)), true, t.help});
  }
  struct Prop {
    const char* prop;
    const char* name;
    const char* help;
  };
  static const Prop kPerCf[] = {
      {"rocksdb.live-sst-files-size", "lode_rocksdb_live_sst_bytes", "Bytes of live SST files."},
      {"rocksdb.total-sst-files-size", "lode_rocksdb_sst_bytes",
       "Bytes of all SST files (live and obsolete)."},
      {"rocksdb.live-blob-file-size", "lode_rocksdb_live_blob_bytes", "Bytes of live blob files."},
      {"rocksdb.live-blob-file-garbage-size", "lode_rocksdb_blob_garbage_bytes",
       "Garbage bytes in live blob files."},
      {"rocksdb.estimate-num-keys", "lode_rocksdb_estimated_keys", "Estimated number of keys."},
      {"rocksdb.cur-size-all-mem-tables", "lode_rocksdb_memtable_bytes", "Bytes in memtables."},
  };
  for (size_t i = 0; i < impl_->handles.size(); ++i) {
    std::string cf = "cf=\"" + impl_->handles[i]->GetName() + "\"";
    bool blobs = impl_->handles[i] == impl_->chunk_cf;  // the only column family with blob files
    for (const auto& p : kPerCf) {
      if (!blobs && std::string_view(p.prop).find("blob") != std::string_view::npos) continue;
      uint64_t v = 0;
      if (db->GetIntProperty(impl_->handles[i], p.prop, &v))
        out.push_back({p.name, cf, static_cast<double>(v), false, p.help});
    }
  }
  static const Prop kDb[] = {
      {"rocksdb.num-running-compactions", "lode_rocksdb_running_compactions",
       "Compactions running now."},
      {"rocksdb.is-write-stopped", "lode_rocksdb_write_stopped", "1 while writes are stopped."},
      {"rocksdb.actual-delayed-write-rate", "lode_rocksdb_delayed_write_rate",
       "Write rate limit while delayed (0: none)."},
  };
  for (const auto& p : kDb) {
    uint64_t v = 0;
    if (db->GetIntProperty(p.prop, &v))
      out.push_back({p.name, "", static_cast<double>(v), false, p.help});
  }
  out.push_back({"lode_compaction_runs_total", "", static_cast<double>(impl_->total_runs.load()),
                 true, "Retention and delete-request compaction runs."});
  out.push_back({"lode_retention_chunks_deleted_total", "",
                 static_cast<double>(impl_->total_chunks_expired.load()), true,
                 "Chunks deleted because they expired."});
  out.push_back({"lode_delete_request_entries_deleted_total", "",
                 static_cast<double>(impl_->total_entries_deleted.load()), true,
                 "Entries removed from chunks by delete requests."});
  return out;
}

}  // namespace lode
