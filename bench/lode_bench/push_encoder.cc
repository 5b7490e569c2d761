#include "bench/lode_bench/push_encoder.h"

#include <snappy.h>

namespace lode::bench {
namespace {

// Tags: (field_number << 3) | wire_type; wire type 0 varint, 2 length-delimited.
constexpr uint8_t kPushStreams = (1 << 3) | 2;
constexpr uint8_t kStreamLabels = (1 << 3) | 2;
constexpr uint8_t kStreamEntries = (2 << 3) | 2;
constexpr uint8_t kEntryTimestamp = (1 << 3) | 2;
constexpr uint8_t kEntryLine = (2 << 3) | 2;
constexpr uint8_t kTimestampSeconds = (1 << 3) | 0;
constexpr uint8_t kTimestampNanos = (2 << 3) | 0;

struct SplitTime {
  int64_t seconds;
  int32_t nanos;
};

// protobuf Timestamp requires 0 <= nanos < 1e9, also for times before 1970.
SplitTime Split(int64_t ts_ns) {
  int64_t seconds = ts_ns / 1'000'000'000;
  int64_t nanos = ts_ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  return {seconds, static_cast<int32_t>(nanos)};
}

size_t TimestampSize(SplitTime t) {
  size_t n = 0;
  // int64/int32 are encoded as 64-bit two's complement varints.
  if (t.seconds != 0) n += 1 + VarintSize(static_cast<uint64_t>(t.seconds));
  if (t.nanos != 0) n += 1 + VarintSize(static_cast<uint64_t>(t.nanos));
  return n;
}

size_t EntrySize(SplitTime t, size_t line_size) {
  size_t ts = TimestampSize(t);
  size_t n = 1 + VarintSize(ts) + ts;
  if (line_size > 0) n += 1 + VarintSize(line_size) + line_size;
  return n;
}

}  // namespace

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void AppendVarint(uint64_t v, std::string* out) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

PushEncoder::PushEncoder(uint32_t stream_count) : streams_(stream_count) {}

void PushEncoder::AddEntry(uint32_t stream, std::string_view labels, int64_t ts_ns,
                           std::string_view line) {
  PendingStream& s = streams_[stream];
  if (s.entries.empty()) {
    order_.push_back(stream);
    s.labels = labels;
  }
  s.entries.push_back(
      {ts_ns, static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(line.size())});
  arena_.append(line);
  ++entry_count_;
  raw_line_bytes_ += line.size();
}

size_t PushEncoder::Finish(std::string* body) {
  proto_.clear();
  for (uint32_t id : order_) {
    PendingStream& s = streams_[id];
    size_t stream_size = 0;
    if (!s.labels.empty()) stream_size += 1 + VarintSize(s.labels.size()) + s.labels.size();
    for (const Entry& e : s.entries) {
      size_t entry = EntrySize(Split(e.ts_ns), e.size);
      stream_size += 1 + VarintSize(entry) + entry;
    }
    proto_.push_back(static_cast<char>(kPushStreams));
    AppendVarint(stream_size, &proto_);
    if (!s.labels.empty()) {
      proto_.push_back(static_cast<char>(kStreamLabels));
      AppendVarint(s.labels.size(), &proto_);
      proto_.append(s.labels);
    }
    for (const Entry& e : s.entries) {
      SplitTime t = Split(e.ts_ns);
      proto_.push_back(static_cast<char>(kStreamEntries));
      AppendVarint(EntrySize(t, e.size), &proto_);
      proto_.push_back(static_cast<char>(kEntryTimestamp));
      AppendVarint(TimestampSize(t), &proto_);
      if (t.seconds != 0) {
        proto_.push_back(static_cast<char>(kTimestampSeconds));
        AppendVarint(static_cast<uint64_t>(t.seconds), &proto_);
      }
      if (t.nanos != 0) {
        proto_.push_back(static_cast<char>(kTimestampNanos));
        AppendVarint(static_cast<uint64_t>(t.nanos), &proto_);
      }
      if (e.size > 0) {
        proto_.push_back(static_cast<char>(kEntryLine));
        AppendVarint(e.size, &proto_);
        proto_.append(arena_, e.offset, e.size);
      }
    }
    s.entries.clear();
  }
  order_.clear();
  arena_.clear();
  entry_count_ = 0;
  raw_line_bytes_ = 0;
  body->clear();
  snappy::Compress(proto_.data(), proto_.size(), body);
  return proto_.size();
}

}  // namespace lode::bench
