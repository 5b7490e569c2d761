// Push decoding and validation for POST /loki/api/v1/push.
//
// Decoders turn a request body into a PushRequest whose entries are views
// into storage the PushRequest owns (no per-line copy). Validate() applies
// Loki's per-stream checks and limits, removes what is invalid and returns
// Loki's messages for it, so that the caller can store the valid streams and
// still answer 400 naming the rejected ones (as Loki's distributor does).
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/labels.h"
#include "base/status.h"
#include "storage/store.h"

namespace lode::ingest {

struct PushStream {
  std::string_view labels_text;  // as sent
  Labels labels;                 // parsed, sorted
  std::vector<EntryRef> entries;
  std::vector<LabelView> md;  // storage for entries' metadata
};

struct PushRequest {
  std::vector<PushStream> streams;
  std::shared_ptr<void> backing;    // owns the bytes the views point into
  std::vector<std::string> errors;  // per-stream decode errors (stream dropped)
  size_t TotalEntries() const;
  size_t TotalBytes() const;
};

// Limits applied to pushes (Loki's limits_config names in comments).
struct PushLimits {
  size_t max_line_size = 256 * 1024;       // max_line_size (0 = unlimited)
  bool max_line_size_truncate = false;     // max_line_size_truncate
  size_t max_label_names_per_series = 15;  // max_label_names_per_series
  size_t max_label_name_length = 1024;     // max_label_name_length
  size_t max_label_value_length = 2048;    // max_label_value_length
  bool reject_old_samples = true;          // reject_old_samples
  int64_t reject_old_samples_max_age_ns = 7LL * 86400 * 1000000000;  // reject_old_samples_max_age
  int64_t creation_grace_period_ns = 10LL * 60 * 1000000000;         // creation_grace_period
  bool allow_structured_metadata = true;                             // allow_structured_metadata
};

// Decodes a push body as its Content-Type and Content-Encoding say:
// `application/x-protobuf` (also empty or application/octet-stream, as
// Loki's clients send): snappy + logproto.PushRequest; `application/json`:
// Loki's JSON. Content-Encoding gzip or deflate is inflated first (at most
// 256 MiB); identity and snappy (already part of the protobuf framing) are
// accepted as is. Unsupported types or encodings: kUnsupported (HTTP 415);
// malformed bodies: kInvalidArgument with Loki's message. Decoded entries do
// not point into `body`.
Status Decode(std::string_view content_type, std::string_view content_encoding,
              std::string_view body, PushRequest* out);

// body: snappy block-compressed logproto.PushRequest.
Status DecodeProtobufPush(std::string_view body, PushRequest* out);
// body: Loki JSON `{"streams":[{"stream":{...},"values":[["<ns>","line",{md}]]}]}`.
Status DecodeJsonPush(std::string_view body, PushRequest* out);
// Inflates gzip (or zlib/deflate) data, failing past max_bytes.
Status Gunzip(std::string_view in, size_t max_bytes, std::string* out);
// Snappy block decompression with a size limit.
Status SnappyDecode(std::string_view in, size_t max_bytes, std::string* out);

// Checks each stream and entry; drops invalid ones and appends Loki-style
// messages to *errors. `now_ns` is the current time.
void Validate(const PushLimits& limits, int64_t now_ns, PushRequest* req,
              std::vector<std::string>* errors);

// Drops entries older than their stream's retention cutoff (`cutoff_for`
// returns the oldest timestamp kept, INT64_MIN for none): the next compaction
// run would delete them. Uses Loki's "timestamp too old" message.
void RejectExpired(const std::function<int64_t(const Labels&)>& cutoff_for, PushRequest* req,
                   std::vector<std::string>* errors);

}  // namespace lode::ingest
