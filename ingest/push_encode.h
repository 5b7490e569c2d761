// Encoding of Loki push requests: the serialized logproto.PushRequest that
// `POST /loki/api/v1/push` takes with Content-Type application/x-protobuf,
// snappy-compressed in the block format (grafana/loki pkg/push/push.proto):
//
//   PushRequest      { repeated StreamAdapter streams = 1; }
//   StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; }
//   EntryAdapter     { Timestamp timestamp = 1; string line = 2;
//                      repeated LabelPairAdapter structuredMetadata = 3; }
//   Timestamp        { int64 seconds = 1; int32 nanos = 2; }
//   LabelPairAdapter { string name = 1; string value = 2; }
//
// Written by hand into one buffer (no generated message objects). Since
// `streams` is field 1 of PushRequest, the concatenation of two encoded
// requests is the request with both lists of streams: the agent joins
// buffered batches that way without decoding them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/store.h"

namespace lode::ingest {

// Appends one stream (PushRequest field 1) to *out. Timestamps must be >= 0.
void AppendPushStream(std::string_view labels, std::span<const EntryRef> entries, std::string* out);

// Appends every stream (labels printed with LabelsToString) to *out.
void AppendPushRequest(std::span<const StreamEntries> streams, std::string* out);

// Snappy block-format compression of a serialized request into *out.
void SnappyCompress(std::string_view raw, std::string* out);

// The same into `out`, which holds at least SnappyMaxCompressedLength(raw
// size) bytes (not zero-filled first, as a string's would be); returns the
// compressed length.
size_t SnappyMaxCompressedLength(size_t raw_bytes);
size_t SnappyCompress(std::string_view raw, char* out);

}  // namespace lode::ingest
