// Fuzzes the OTLP logs decoders (protobuf and JSON) and Loki 3's mapping.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/otlp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const lode::ingest::OtlpConfig config;
  lode::ingest::PushRequest req;
  lode::ingest::OtlpMapStats stats;
  if (data[0] & 1) {
    (void)lode::ingest::DecodeOtlpJson(in, config, 1700000000000000000LL, &req, &stats);
  } else {
    (void)lode::ingest::DecodeOtlpProtobuf(in, config, 1700000000000000000LL, &req, &stats);
  }
  return 0;
}
