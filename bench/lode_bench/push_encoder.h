// PushEncoder: builds Loki push request bodies without generated code.
//
// Wire format (grafana/loki pkg/push/push.proto, package logproto):
//   PushRequest   { repeated StreamAdapter streams = 1; }
//   StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2;
//                   uint64 hash = 3; }                  (hash left unset)
//   EntryAdapter  { google.protobuf.Timestamp timestamp = 1; string line = 2;
//                   repeated LabelPairAdapter structuredMetadata = 3; }  (unset)
//   Timestamp     { int64 seconds = 1; int32 nanos = 2; }
// The body is the serialized PushRequest, snappy-compressed in the raw
// (block) format, as sent with Content-Type: application/x-protobuf.
//
// Usage: AddEntry() any number of times (entries of one stream keep their
// order; streams are emitted in order of first appearance), then Finish(),
// which returns the compressed body and resets the encoder for reuse. Line
// text is copied, so callers may reuse their buffers. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lode::bench {

class PushEncoder {
 public:
  // `stream` is a dense caller-chosen id in [0, stream_count); `labels` must be
  // the same for every call with the same id within one request.
  explicit PushEncoder(uint32_t stream_count);

  void AddEntry(uint32_t stream, std::string_view labels, int64_t ts_ns, std::string_view line);

  size_t entry_count() const { return entry_count_; }
  size_t raw_line_bytes() const { return raw_line_bytes_; }

  // Serializes and compresses the request into *body (replacing its content).
  // Returns the uncompressed protobuf size.
  size_t Finish(std::string* body);

 private:
  struct Entry {
    int64_t ts_ns;
    uint32_t offset, size;  // into arena_
  };
  struct PendingStream {
    std::string_view labels;
    std::vector<Entry> entries;
  };

  std::vector<PendingStream> streams_;  // indexed by stream id
  std::vector<uint32_t> order_;         // stream ids in first-use order
  std::string arena_;                   // line bytes
  std::string proto_;                   // reused serialization buffer
  size_t entry_count_ = 0;
  size_t raw_line_bytes_ = 0;
};

// Low-level protobuf helpers, exposed for tests.
size_t VarintSize(uint64_t v);
void AppendVarint(uint64_t v, std::string* out);

}  // namespace lode::bench
