// ConfigTest: the example configuration and the storage.rocksdb keys.

#include "server/config.h"

#include <gtest/gtest.h>

#include <string>

namespace lode::server {
namespace {

TEST(ConfigTest, ExampleFileLoadsAndMatchesDefaults) {
  Config example;
  Status s = LoadConfig(LODE_SOURCE_DIR "/lode.example.yaml", &example);
  ASSERT_TRUE(s.ok()) << s.message();
  Config defaults;
  ASSERT_TRUE(LoadConfig("", &defaults).ok());
  // The example documents the defaults: both give the same effective config.
  EXPECT_EQ(ConfigToYaml(example), ConfigToYaml(defaults));
}

TEST(ConfigTest, RocksDbOptions) {
  Config c;
  ASSERT_TRUE(LoadConfig("", &c).ok());
  Status s = ApplyConfigYaml(
      "storage:\n  rocksdb:\n    block_cache_size: 64MiB\n    head_compression: zstd\n"
      "    max_background_jobs: 4\n    chunk_blob_files: false\n",
      &c);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(c.store.rocksdb.block_cache_size, 64u << 20);
  EXPECT_EQ(c.store.rocksdb.head_compression, "zstd");
  EXPECT_EQ(c.store.rocksdb.max_background_jobs, 4);
  EXPECT_FALSE(c.store.rocksdb.chunk_blob_files);
  EXPECT_NE(ConfigToYaml(c).find("head_compression: zstd"), std::string::npos);
  EXPECT_EQ(ApplyConfigYaml("storage:\n  rocksdb:\n    head_compression: gzip\n", &c).message(),
            "config: storage.rocksdb.head_compression: invalid compression \"gzip\"");
  EXPECT_EQ(ApplyConfigYaml("storage:\n  rocksdb:\n    cache: 1\n", &c).message(),
            "config: unknown key \"storage.rocksdb.cache\"");
}

// Keys that are not plain names (YAML's "? key" form) are an error, not a
// crash (fuzz/regressions/config_fuzz).
TEST(ConfigTest, ComplexKeysAreRejected) {
  Config c;
  ASSERT_TRUE(LoadConfig("", &c).ok());
  EXPECT_EQ(ApplyConfigYaml("? [a, b]\n: 1\n", &c).message(),
            "config: document: keys must be plain names");
  EXPECT_EQ(ApplyConfigYaml("limits_config:\n  ? {x: 1}\n  : 2\n", &c).message(),
            "config: limits_config: keys must be plain names");
  EXPECT_EQ(ApplyConfigYaml("overrides:\n  ? [t]\n  : {}\n", &c).message(),
            "config: overrides: keys must be plain names");
  EXPECT_EQ(ApplyConfigYaml("overrides:\n  t:\n    ? [x]\n    : 1\n", &c).message(),
            "config: overrides.t: keys must be plain names");
}

}  // namespace
}  // namespace lode::server
