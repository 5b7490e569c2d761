// Heads live in memory and, durably, only in RocksDB's WAL (storage/head.h):
// reopening restores them exactly once, whatever was cut before, across
// head-log rotations that let RocksDB delete WAL files, and head records of
// the `head` column family written by earlier versions are moved over.
#include "storage/head.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "base/coding.h"
#include "storage/store.h"
#include "storage/store_format.h"

namespace lode {
namespace {

class HeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lode-head-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(bool background = false) {
    StoreOptions o;
    o.dir = dir_;
    o.background_flush = background;
    o.max_head_bytes = 256 << 10;
    o.max_head_log_bytes = 128 << 10;
    ASSERT_TRUE(Store::Open(o, &store_).ok());
  }
  void Push(const std::string& labels, std::vector<std::pair<int64_t, std::string>> es) {
    Labels l;
    ASSERT_TRUE(ParseLabels(labels, &l).ok());
    std::vector<EntryRef> refs;
    for (auto& [ts, line] : es) refs.push_back({ts, line, nullptr, 0});
    ASSERT_TRUE(store_->Append("fake", l, refs).ok());
  }
  // Every stream's lines by labels, in timestamp order.
  std::map<std::string, std::vector<std::string>> All() {
    std::map<std::string, std::vector<std::string>> out;
    std::vector<StreamRef> refs;
    EXPECT_TRUE(store_->SelectStreams("fake", {}, 0, INT64_MAX, &refs).ok());
    for (const auto& r : refs) {
      auto& lines = out[LabelsToString(r.labels)];
      EXPECT_TRUE(store_
                      ->ScanStream(
                          "fake", r.id, 0, INT64_MAX, Direction::kForward,
                          [&](const EntryBatch& b) {
                            for (size_t i = 0; i < b.size(); ++i) lines.emplace_back(b.line[i]);
                            return true;
                          },
                          nullptr)
                      .ok());
    }
    return out;
  }
  uint64_t WalBytes() {
    uint64_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_))
      if (e.path().extension() == ".log") n += e.file_size();
    return n;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

using Lines = std::vector<std::string>;

TEST_F(HeadTest, RestoredFromTheWalExactlyOnce) {
  Open();
  Push(R"({app="a"})", {{1, "a1"}, {2, "a2"}});
  ASSERT_TRUE(store_->Flush().ok());  // a1, a2 in a chunk
  Push(R"({app="a"})", {{3, "a3"}});
  Push(R"({app="b"})", {{1, "b1"}});
  store_.reset();
  Open();
  EXPECT_EQ(All()[R"({app="a"})"], (Lines{"a1", "a2", "a3"}));
  EXPECT_EQ(All()[R"({app="b"})"], (Lines{"b1"}));
  Push(R"({app="b"})", {{2, "b2"}});  // after a replay, still durable
  store_.reset();
  Open();
  EXPECT_EQ(All()[R"({app="a"})"], (Lines{"a1", "a2", "a3"}));
  EXPECT_EQ(All()[R"({app="b"})"], (Lines{"b1", "b2"}));
  ASSERT_TRUE(store_->Flush().ok());  // everything in chunks: nothing replayed twice
  store_.reset();
  Open();
  EXPECT_EQ(All()[R"({app="a"})"], (Lines{"a1", "a2", "a3"}));
  EXPECT_EQ(All()[R"({app="b"})"], (Lines{"b1", "b2"}));
}

TEST_F(HeadTest, RotationsDeleteWalFilesButNoUncutLine) {
  Open(/*background=*/true);
  std::map<std::string, Lines> want;
  std::string pad(900, 'x');
  uint64_t pushed = 0;
  int64_t ts = 1;
  for (int round = 0; round < 60; ++round) {
    for (int s = 0; s < 8; ++s) {
      std::string labels = "{app=\"s" + std::to_string(s) + "\"}";
      std::vector<std::pair<int64_t, std::string>> es;
      for (int k = 0; k < 4; ++k) {
        std::string line = std::to_string(round) + "/" + std::to_string(k) + " " + pad;
        want[labels].push_back(line);
        pushed += line.size();
        es.push_back({ts++, line});
      }
      Push(labels, es);
    }
    // Let the flusher rotate (every 128 KiB of head log) while heads are live.
    if (round % 10 == 9) std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  }
  // RocksDB deleted WAL files that rotations released...
  EXPECT_LT(WalBytes(), pushed / 2);
  // ... and a crash now (no cut, no flush) loses nothing and repeats nothing.
  store_.reset();
  Open();
  EXPECT_EQ(All(), want);
}

TEST_F(HeadTest, MovesHeadRecordsOfEarlierVersionsIntoTheWal) {
  Open();
  Push(R"({app="a"})", {{1, "in a chunk"}});
  ASSERT_TRUE(store_->Flush().ok());
  store_.reset();
  {
    // What an earlier lode left: a head record in the `head` column family.
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : format::kColumnFamilies)
      cfs.push_back({name, rocksdb::ColumnFamilyOptions()});
    cfs.push_back({format::kPinColumnFamily, rocksdb::ColumnFamilyOptions()});
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_, cfs, &handles, &db).ok());
    std::string key = format::StreamPrefix("fake", 1);
    PutBE64(&key, 7);
    std::string rec;
    std::string line = "in a legacy head record";
    EntryRef e{2, line, nullptr, 0};
    format::EncodeHeadRecord(std::span<const EntryRef>(&e, 1), &rec);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[1], key, rec).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  Open();
  EXPECT_EQ(All()[R"({app="a"})"], (Lines{"in a chunk", "in a legacy head record"}));
  store_.reset();  // moved to the WAL at open: survives without a cut
  Open();
  EXPECT_EQ(All()[R"({app="a"})"], (Lines{"in a chunk", "in a legacy head record"}));
  ASSERT_TRUE(store_->Flush().ok());
  store_.reset();
  Open();
  EXPECT_EQ(All()[R"({app="a"})"], (Lines{"in a chunk", "in a legacy head record"}));
}

}  // namespace
}  // namespace lode
