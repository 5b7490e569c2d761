// OtlpEncoder: builds OTLP ExportLogsServiceRequest bodies (POST
// /otlp/v1/logs) for the same entries PushEncoder sends to Loki's push API,
// without generated code.
//
// Wire format (ingest/otlp_logs.proto, opentelemetry-proto logs/v1): one
// ResourceLogs per stream whose resource attributes are the stream's labels
// (app, env, namespace, instance, level as string attributes), one ScopeLogs,
// and per entry a LogRecord { fixed64 time_unix_nano = 1; AnyValue body = 5
// { string_value = 1 } }. To store the same streams as a Loki push, run the
// server with an otlp_config that makes every resource attribute an index
// label (lode adds service_name, discovered from `app`):
//   limits_config: {otlp_config: {resource_attributes: {attributes_config:
//     [{action: index_label, regex: ".*"}]}}}
// With `gzip` the body is gzip-compressed (Content-Encoding: gzip), else it
// is sent as is. Same usage and threading contract as PushEncoder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lode::bench {

class OtlpEncoder {
 public:
  OtlpEncoder(uint32_t stream_count, bool gzip);

  // `labels` in Loki's text form {a="b", ...} (no escapes in values).
  void AddEntry(uint32_t stream, std::string_view labels, int64_t ts_ns, std::string_view line);

  size_t entry_count() const { return entry_count_; }
  size_t raw_line_bytes() const { return raw_line_bytes_; }

  // Serializes (and with gzip compresses) the request into *body. Returns
  // the uncompressed protobuf size.
  size_t Finish(std::string* body);

 private:
  struct Entry {
    int64_t ts_ns;
    uint32_t offset, size;
  };
  struct PendingStream {
    std::string resource;  // serialized Resource message, built on first use
    std::vector<Entry> entries;
  };

  const bool gzip_;
  std::vector<PendingStream> streams_;
  std::vector<uint32_t> order_;
  std::string arena_;
  std::string proto_;
  size_t entry_count_ = 0;
  size_t raw_line_bytes_ = 0;
};

}  // namespace lode::bench
