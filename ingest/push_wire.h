// Zero-copy decoder of the logproto.PushRequest wire format (ingest/push.proto,
// Grafana Loki's pkg/push/push.proto), used by DecodeProtobufPush on the hot
// path instead of the generated code: no message objects are built, labels
// texts, lines and structured metadata are string views into `data`.
//
// Semantics follow protobuf's parser: unknown fields are skipped, including
// groups; for a repeated singular field the last value wins (`labels`,
// `line`) or the sub-messages merge (`timestamp`); malformed input
// (truncated, a varint longer than 10 bytes, field number 0, wire types 6/7,
// unbalanced groups) is an error. Stricter than protobuf, as Loki's gogo
// decoder is: a known field with another wire type is an error ("proto:
// wrong wireType = 0 for field Line"), and so is a timestamp whose nanos are
// outside [0, 1e9) or whose `seconds * 1e9 + nanos` overflows int64 (never
// wrapped).
#pragma once

#include <string_view>

#include "ingest/push.h"

namespace lode::ingest {

// Appends one PushStream per StreamAdapter of `data` to out->streams with
// labels_text, entries and md set (labels are not parsed). The views point
// into `data`, which the caller keeps alive (PushRequest::backing).
// Returns false on malformed input; then *error (when given) holds the
// reason for the errors named above and stays empty for plain corruption.
bool DecodePushRequestWire(std::string_view data, PushRequest* out, std::string* error = nullptr);

}  // namespace lode::ingest
