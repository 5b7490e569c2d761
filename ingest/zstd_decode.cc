#include "ingest/zstd_decode.h"

#include <zstd.h>

#include <memory>

namespace lode::ingest {

Status ZstdDecode(std::string_view in, size_t max_bytes, std::string* out) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return Status::Internal("zstd: cannot allocate a context");
  // Bounds the decoder's window as well as the output.
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, 27);
  out->clear();
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  char buf[64 * 1024];
  size_t ret = 1;
  while (src.pos < src.size || ret != 0) {
    ZSTD_outBuffer dst{buf, sizeof(buf), 0};
    ret = ZSTD_decompressStream(ctx.get(), &dst, &src);
    if (ZSTD_isError(ret))
      return Status::InvalidArgument(std::string("zstd: invalid data: ") + ZSTD_getErrorName(ret));
    out->append(buf, dst.pos);
    if (out->size() > max_bytes) {
      return Status::InvalidArgument("request body too large: more than " +
                                     std::to_string(max_bytes) + " bytes after decompression");
    }
    if (src.pos == src.size && dst.pos < dst.size && ret != 0) {
      return Status::InvalidArgument("zstd: unexpected end of data");
    }
  }
  return Status::OK();
}

}  // namespace lode::ingest
