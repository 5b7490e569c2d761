// Zero-copy decoder of the logproto.PushRequest wire format (ingest/push.proto,
// Grafana Loki's pkg/push/push.proto), used by DecodeProtobufPush on the hot
// path instead of the generated code: no message objects are built, labels
// texts, lines and structured metadata are string views into `data`.
//
// Semantics follow protobuf's parser: unknown fields (and known fields with
// an unexpected wire type) are skipped, including groups; for a repeated
// singular field the last value wins (`labels`, `line`) or the sub-messages
// merge (`timestamp`); malformed input (truncated, a varint longer than 10
// bytes, field number 0, wire types 6/7, unbalanced groups) is an error.
// Timestamps are `seconds * 1e9 + nanos`.
#pragma once

#include <string_view>

#include "ingest/push.h"

namespace lode::ingest {

// Appends one PushStream per StreamAdapter of `data` to out->streams with
// labels_text, entries and md set (labels are not parsed). The views point
// into `data`, which the caller keeps alive (PushRequest::backing).
// Returns false on malformed input.
bool DecodePushRequestWire(std::string_view data, PushRequest* out);

}  // namespace lode::ingest
