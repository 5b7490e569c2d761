#include "storage/rocksdb_crc.h"

#include <cstddef>
#include <cstdint>

#include "base/crc32c.h"

// rocksdb::crc32c::Extend(uint32_t, const char*, size_t), redirected here by
// `-Wl,--wrap=_ZN7rocksdb6crc32c6ExtendEjPKcm` when RocksDB is linked
// statically (LODE_STATIC_DEPS).
extern "C" uint32_t __wrap__ZN7rocksdb6crc32c6ExtendEjPKcm(uint32_t crc, const char* p, size_t n) {
  return lode::Crc32c(crc, p, n);
}

namespace lode {

bool RocksDbCrcInHardware() {
#if defined(LODE_ROCKSDB_CRC_WRAPPED)
  return Crc32cInHardware();
#else
  return false;
#endif
}

}  // namespace lode
