// Fuzzes the snappy + protobuf push decoder. The first byte chooses whether
// the rest is sent as is (exercising snappy's framing checks) or snappy-
// compressed first (exercising the zero-copy protobuf wire decoder).
#include <snappy.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/push.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string body;
  if (data[0] & 1) {
    snappy::Compress(in.data(), in.size(), &body);
  } else {
    body.assign(in);
  }
  lode::ingest::PushRequest req;
  lode::Status s = lode::ingest::DecodeProtobufPush(body, &req);
  if (s.ok()) {
    std::vector<std::string> errors;
    lode::ingest::Validate(lode::ingest::PushLimits{}, 1700000000000000000LL, &req, &errors);
    (void)req.TotalBytes();
  }
  return 0;
}
