// CRC-32C (Castagnoli, the checksum of iSCSI, ext4 and RocksDB), with the
// SSE 4.2 instruction where the CPU has it (about 10 times a table loop) and
// a table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lode {

// Continues a CRC-32C over n more bytes at p:
// Crc32c(Crc32c(0, a), b) == Crc32c(0, a + b); Crc32c(0, "123456789") is
// 0xE3069283. The same function as RocksDB's crc32c::Extend.
uint32_t Crc32c(uint32_t crc, const char* p, size_t n);

inline uint32_t Crc32c(uint32_t crc, std::string_view s) { return Crc32c(crc, s.data(), s.size()); }

// True when Crc32c uses the CPU's crc32 instruction.
bool Crc32cInHardware();

}  // namespace lode
