// RocksDB's CRC-32C in hardware. Debian builds librocksdb portable, without
// SSE 4.2, so its crc32c::Extend (the checksum of every WAL record, SST block
// and blob record) always takes a table loop, 7–9 % of lode's ingest CPU.
// lode links RocksDB statically, and the linker sends RocksDB's calls of
// crc32c::Extend to lode's Crc32c (base/crc32c.h) instead: the same function,
// computed with the CPU's crc32 instruction (`--wrap`, storage/CMakeLists.txt).
#pragma once

namespace lode {

// True when RocksDB's checksums go through lode's Crc32c (RocksDB linked
// statically) and that uses the crc32 instruction (the
// lode_rocksdb_crc32c_hardware metric).
bool RocksDbCrcInHardware();

}  // namespace lode
