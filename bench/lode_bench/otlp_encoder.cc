#include "bench/lode_bench/otlp_encoder.h"

#include <zlib.h>

#include "bench/lode_bench/push_encoder.h"

namespace lode::bench {
namespace {

void AppendLen(uint32_t field, std::string_view bytes, std::string* out) {
  AppendVarint(field << 3 | 2, out);
  AppendVarint(bytes.size(), out);
  out->append(bytes);
}

// Resource { repeated KeyValue attributes = 1; } from `{a="b", c="d"}`.
std::string ResourceFromLabels(std::string_view labels) {
  std::string resource, kv, value;
  size_t i = labels.find('{');
  i = i == std::string_view::npos ? 0 : i + 1;
  while (i < labels.size()) {
    while (i < labels.size() && (labels[i] == ' ' || labels[i] == ',')) ++i;
    size_t eq = labels.find("=\"", i);
    if (eq == std::string_view::npos) break;
    size_t end = labels.find('"', eq + 2);
    if (end == std::string_view::npos) break;
    value.clear();
    AppendLen(1, labels.substr(eq + 2, end - eq - 2), &value);  // AnyValue.string_value
    kv.clear();
    AppendLen(1, labels.substr(i, eq - i), &kv);  // KeyValue.key
    AppendLen(2, value, &kv);                     // KeyValue.value
    AppendLen(1, kv, &resource);                  // Resource.attributes
    i = end + 1;
  }
  return resource;
}

size_t RecordSize(size_t line_size) {
  size_t value = line_size ? 1 + VarintSize(line_size) + line_size : 0;
  return 9 + 1 + VarintSize(value) + value;  // time_unix_nano + body
}

void Gzip(const std::string& in, std::string* out) {
  z_stream zs{};
  deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  out->resize(deflateBound(&zs, in.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
}

}  // namespace

OtlpEncoder::OtlpEncoder(uint32_t stream_count, bool gzip) : gzip_(gzip), streams_(stream_count) {}

void OtlpEncoder::AddEntry(uint32_t stream, std::string_view labels, int64_t ts_ns,
                           std::string_view line) {
  PendingStream& s = streams_[stream];
  if (s.resource.empty()) s.resource = ResourceFromLabels(labels);
  if (s.entries.empty()) order_.push_back(stream);
  s.entries.push_back(
      {ts_ns, static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(line.size())});
  arena_.append(line);
  ++entry_count_;
  raw_line_bytes_ += line.size();
}

size_t OtlpEncoder::Finish(std::string* body) {
  proto_.clear();
  for (uint32_t id : order_) {
    PendingStream& s = streams_[id];
    size_t scope = 0;
    for (const Entry& e : s.entries) {
      size_t r = RecordSize(e.size);
      scope += 1 + VarintSize(r) + r;
    }
    size_t res =
        1 + VarintSize(s.resource.size()) + s.resource.size() + 1 + VarintSize(scope) + scope;
    proto_.push_back(static_cast<char>(1 << 3 | 2));  // ExportLogsServiceRequest.resource_logs
    AppendVarint(res, &proto_);
    AppendLen(1, s.resource, &proto_);                // ResourceLogs.resource
    proto_.push_back(static_cast<char>(2 << 3 | 2));  // ResourceLogs.scope_logs
    AppendVarint(scope, &proto_);
    for (const Entry& e : s.entries) {
      proto_.push_back(static_cast<char>(2 << 3 | 2));  // ScopeLogs.log_records
      AppendVarint(RecordSize(e.size), &proto_);
      proto_.push_back(static_cast<char>(1 << 3 | 1));  // LogRecord.time_unix_nano (fixed64)
      uint64_t t = static_cast<uint64_t>(e.ts_ns);
      for (int b = 0; b < 8; ++b) proto_.push_back(static_cast<char>(t >> (8 * b)));
      size_t value = e.size ? 1 + VarintSize(e.size) + e.size : 0;
      proto_.push_back(static_cast<char>(5 << 3 | 2));  // LogRecord.body
      AppendVarint(value, &proto_);
      if (e.size) {
        proto_.push_back(static_cast<char>(1 << 3 | 2));  // AnyValue.string_value
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
  if (gzip_) {
    Gzip(proto_, body);
  } else {
    *body = proto_;
  }
  return proto_.size();
}

}  // namespace lode::bench
