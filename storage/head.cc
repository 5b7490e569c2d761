#include "storage/head.h"

#include <rocksdb/write_batch.h>

#include <algorithm>

#include "base/coding.h"
#include "storage/store_format.h"

namespace lode {

namespace {

constexpr char kHeadLogTag = 'H';

class LogDataCollector : public rocksdb::WriteBatch::Handler {
 public:
  explicit LogDataCollector(std::vector<ReplayedHead>* out) : out_(out) {}
  void LogData(const rocksdb::Slice& blob) override {
    ReplayedHead r;
    std::string_view tenant, record;
    if (!DecodeHeadLog(blob.ToStringView(), &tenant, &r.id, &r.seq, &record)) return;
    r.tenant = tenant;
    r.record = record;
    out_->push_back(std::move(r));
  }
  // The other records of the batch are RocksDB's to replay.
  rocksdb::Status PutCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status SingleDeleteCF(uint32_t, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status PutBlobIndexCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }

 private:
  std::vector<ReplayedHead>* out_;
};

}  // namespace

void EncodeHeadLogHeader(std::string_view tenant, uint64_t id, uint64_t seq, std::string* out) {
  out->push_back(kHeadLogTag);
  PutLengthPrefixed(out, tenant);
  PutBE64(out, id);
  PutBE64(out, seq);
}

size_t EncodeHeadLog(std::string_view tenant, uint64_t id, uint64_t seq,
                     std::span<const EntryRef> entries, std::string* out) {
  EncodeHeadLogHeader(tenant, id, seq, out);
  size_t record = out->size();
  format::EncodeHeadRecord(entries, out);
  return record;
}

bool DecodeHeadLog(std::string_view blob, std::string_view* tenant, uint64_t* id, uint64_t* seq,
                   std::string_view* record) {
  if (blob.empty() || blob[0] != kHeadLogTag) return false;
  const char* p = blob.data() + 1;
  const char* end = blob.data() + blob.size();
  if (!GetLengthPrefixed(&p, end, tenant) || end - p < 16) return false;
  *id = GetBE64(p);
  *seq = GetBE64(p + 8);
  p += 16;
  *record = std::string_view(p, end - p);
  return true;
}

std::string CutMarkKey(std::string_view tenant, uint64_t id) {
  std::string k(kCutMarkPrefix);
  k += tenant;
  k.push_back('\0');
  PutBE64(&k, id);
  return k;
}

rocksdb::WalFilter::WalProcessingOption HeadLogReplay::LogRecordFound(
    unsigned long long /*log_number*/, const std::string& /*log_file_name*/,
    const rocksdb::WriteBatch& batch, rocksdb::WriteBatch* /*new_batch*/, bool* batch_changed) {
  *batch_changed = false;
  LogDataCollector c(&records);
  // A batch RocksDB cannot iterate is RocksDB's to report.
  batch.Iterate(&c).PermitUncheckedError();
  return WalProcessingOption::kContinueProcessing;
}

void HeadBuffer::Seal() {
  if (open_.empty()) return;
  memory_ -= open_.capacity();
  std::string full;
  full.swap(open_);
  auto block = std::make_shared<const std::string>(std::move(full));
  memory_ += block->capacity();
  sealed_.push_back(std::move(block));
}

int64_t HeadBuffer::Append(std::string_view record) {
  const size_t before = memory_;
  if (open_.size() + record.size() + 5 > kBlockBytes) Seal();
  memory_ -= open_.capacity();
  if (open_.empty()) open_.reserve(std::min(kBlockBytes, record.size() + 5));
  const size_t size = open_.size();
  PutLengthPrefixed(&open_, record);
  memory_ += open_.capacity();
  bytes_ += open_.size() - size;
  return static_cast<int64_t>(memory_) - static_cast<int64_t>(before);
}

void HeadBuffer::Snapshot(std::vector<HeadBlock>* out) const {
  out->assign(sealed_.begin(), sealed_.end());
  if (!open_.empty()) out->push_back(std::make_shared<const std::string>(open_));
}

void HeadBuffer::SealAll(std::vector<HeadBlock>* out) {
  Seal();
  out->assign(sealed_.begin(), sealed_.end());
}

int64_t HeadBuffer::DropFront(size_t n) {
  const size_t before = memory_;
  n = std::min(n, sealed_.size());
  for (size_t i = 0; i < n; ++i) {
    memory_ -= sealed_[i]->capacity();
    bytes_ -= sealed_[i]->size();
  }
  sealed_.erase(sealed_.begin(), sealed_.begin() + n);
  return static_cast<int64_t>(memory_) - static_cast<int64_t>(before);
}

Status DecodeHead(const std::vector<HeadBlock>& blocks, std::vector<OwnedEntry>* out) {
  for (const HeadBlock& b : blocks) {
    const char* p = b->data();
    const char* end = p + b->size();
    while (p < end) {
      std::string_view rec;
      if (!GetLengthPrefixed(&p, end, &rec)) return Status::IOError("corrupt head");
      LODE_RETURN_IF_ERROR(format::DecodeHeadRecord(rec, out));
    }
  }
  return Status::OK();
}

}  // namespace lode
