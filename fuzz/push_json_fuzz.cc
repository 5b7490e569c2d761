// Fuzzes the JSON push decoder, plain and through gzip (ingest::Decode with
// Content-Encoding: gzip, so the inflate limits are exercised too).
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/push.h"

namespace {

std::string Gzip(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  lode::ingest::PushRequest req;
  lode::Status s;
  switch (data[0] % 3) {
    case 0:
      s = lode::ingest::DecodeJsonPush(in, &req);
      break;
    case 1:
      s = lode::ingest::Decode("application/json", "gzip", Gzip(in), &req);
      break;
    default:
      s = lode::ingest::Decode("application/json", "gzip", in, &req);
      break;  // raw bytes as gzip
  }
  if (s.ok()) {
    std::vector<std::string> errors;
    lode::ingest::Validate(lode::ingest::PushLimits{}, 1700000000000000000LL, &req, &errors);
  }
  return 0;
}
