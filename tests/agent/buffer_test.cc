// The agent's journal (agent/buffer.h) on its own: what Commit writes is
// read back whole and in order after a reopen, a record whose checksum does
// not match is cut at start, and journals written before CRC-32C (zlib's
// crc32) are still read.
#include "agent/buffer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>

#include "base/coding.h"
#include "ingest/push_encode.h"
#include "tests/collector/collector_harness.h"

namespace lode::agent {
namespace {

using lode::testing::TempDir;

struct Batch {
  Labels labels;
  std::vector<std::string> lines;
  int64_t first_ts = 0;
  std::string position;
  // Views into this batch's own lines.
  std::vector<EntryRef> Entries() const {
    std::vector<EntryRef> out;
    for (size_t i = 0; i < lines.size(); ++i)
      out.push_back({first_ts + static_cast<int64_t>(i), lines[i], nullptr, 0});
    return out;
  }
};

Batch MakeBatch(int n, int first) {
  Batch b;
  b.labels = {{"job", "app"}};
  for (int i = 0; i < n; ++i)
    b.lines.push_back("level=info n=" + std::to_string(first + i) + " msg=\"" +
                      std::string(100 + i % 50, 'x') + "\"");
  b.first_ts = 1700000000000000000LL + first;
  b.position = "offset=" + std::to_string(first + n);
  return b;
}

std::string Proto(const Batch& b) {
  std::string out;
  ingest::AppendPushStream(LabelsToString(b.labels), b.Entries(), &out);
  return out;
}

Status Commit(Buffer* buf, const Batch& b) {
  std::vector<EntryRef> entries = b.Entries();
  StreamEntries s{&b.labels, entries};
  std::pair<std::string, std::string> state[] = {{"pos/app", b.position}};
  return buf->Commit("", std::span<const StreamEntries>(&s, 1), state);
}

std::unique_ptr<Buffer> OpenBuffer(const std::string& dir) {
  BufferOptions o;
  o.dir = dir;
  o.log = [](const std::string&) {};
  std::unique_ptr<Buffer> b;
  EXPECT_TRUE(Buffer::Open(o, &b).ok());
  return b;
}

std::string Position(Buffer* buf) {
  std::vector<std::pair<std::string, std::string>> kv;
  EXPECT_TRUE(buf->ReadState("pos/", &kv).ok());
  return kv.size() == 1 ? kv[0].second : "";
}

std::string SegmentFile(const std::string& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir + "/journal"))
    return e.path().string();
  return "";
}

TEST(AgentBuffer, RecordsAreReadBackWholeAfterReopenAndATornOneIsCut) {
  TempDir d;
  std::vector<Batch> batches = {MakeBatch(3000, 0), MakeBatch(10, 3000), MakeBatch(2000, 3010)};
  {
    auto buf = OpenBuffer(d.path());
    for (const auto& b : batches) ASSERT_TRUE(Commit(buf.get(), b).ok());
  }
  auto buf = OpenBuffer(d.path());
  EXPECT_EQ(Position(buf.get()), "offset=5010");
  std::vector<Record> records;
  Bytes protos;
  ASSERT_TRUE(buf->Read(0, 64 << 20, &records, &protos).ok());
  ASSERT_EQ(records.size(), 3u);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].lines, batches[i].lines.size());
    EXPECT_EQ(protos.view().substr(records[i].proto_at, records[i].proto_size), Proto(batches[i]));
  }
  // A size limit stops before a record that does not fit, and the next read
  // continues there.
  std::vector<Record> first;
  Bytes p1;
  ASSERT_TRUE(buf->Read(0, records[0].size + 1, &first, &p1).ok());
  ASSERT_EQ(first.size(), 1u);
  std::vector<Record> rest;
  Bytes p2;
  ASSERT_TRUE(buf->Read(1, 64 << 20, &rest, &p2).ok());
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(p2.view().substr(rest[1].proto_at, rest[1].proto_size), Proto(batches[2]));
  // The first one delivered: the head (written in place) moves past it.
  ASSERT_TRUE(buf->Remove({records[0]}).ok());
  buf.reset();
  buf = OpenBuffer(d.path());
  EXPECT_EQ(buf->first_seq(), 1u);
  buf.reset();

  // One flipped byte in the last record's lines: its checksum fails at the
  // next start, so it and its position are cut, the others stay.
  std::string seg = SegmentFile(d.path());
  int fd = open(seg.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  off_t at = static_cast<off_t>(records[2].end_offset - 100);
  char c;
  ASSERT_EQ(pread(fd, &c, 1, at), 1);
  c ^= 1;
  ASSERT_EQ(pwrite(fd, &c, 1, at), 1);
  close(fd);
  buf = OpenBuffer(d.path());
  EXPECT_EQ(Position(buf.get()), "offset=3010");
  records.clear();
  protos.clear();
  ASSERT_TRUE(buf->Read(0, 64 << 20, &records, &protos).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].seq, 1u);
  EXPECT_EQ(std::filesystem::file_size(seg), records.back().end_offset);
}

TEST(AgentBuffer, JournalWithZlibCrc32FromBeforeIsRead) {
  TempDir d;
  // Records and a head as the agent wrote them before CRC-32C (format in
  // buffer.h); the head says the first record was delivered.
  Batch a = MakeBatch(20, 0), b = MakeBatch(500, 20);
  std::string journal, proto = Proto(b);
  for (const Batch* x : {&a, &b}) {
    std::string payload;
    PutVarint(&payload, x == &a ? 0 : 1);  // seq
    PutVarint(&payload, 1700000000000000000ULL);
    PutVarint(&payload, x->lines.size());
    uint64_t line_bytes = 0;
    for (const auto& l : x->lines) line_bytes += l.size();
    PutVarint(&payload, line_bytes);
    PutVarint(&payload, static_cast<uint64_t>(x->first_ts));
    PutVarint(&payload, static_cast<uint64_t>(x->first_ts) + x->lines.size() - 1);
    PutVarint(&payload, 1);
    PutLengthPrefixed(&payload, LabelsToString(x->labels));
    PutVarint(&payload, 1);
    PutLengthPrefixed(&payload, "pos/app");
    PutLengthPrefixed(&payload, x->position);
    payload += Proto(*x);
    uint32_t len = static_cast<uint32_t>(payload.size());
    uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(payload.data()),
                                               static_cast<uInt>(payload.size())));
    std::string record(8, '\0');
    for (int i = 0; i < 4; ++i) {
      record[i] = static_cast<char>(len >> (8 * i));
      record[4 + i] = static_cast<char>(crc >> (8 * i));
    }
    journal += record + payload;
    if (x == &a) {
      std::string head;
      PutVarint(&head, 1);
      PutVarint(&head, 0);
      PutVarint(&head, journal.size());
      lode::testing::WriteFile(d / "head", head);
    }
  }
  lode::testing::WriteFile(d / "journal/00000000000000000000.seg", journal);

  auto buf = OpenBuffer(d.path());
  EXPECT_EQ(Position(buf.get()), b.position);
  std::vector<Record> records;
  Bytes protos;
  ASSERT_TRUE(buf->Read(0, 64 << 20, &records, &protos).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].seq, 1u);
  EXPECT_EQ(records[0].lines, b.lines.size());
  EXPECT_EQ(protos.view().substr(records[0].proto_at, records[0].proto_size), proto);
  // New records go after it.
  Batch next = MakeBatch(5, 520);
  ASSERT_TRUE(Commit(buf.get(), next).ok());
  buf.reset();
  buf = OpenBuffer(d.path());
  EXPECT_EQ(Position(buf.get()), next.position);
  records.clear();
  protos.clear();
  ASSERT_TRUE(buf->Read(0, 64 << 20, &records, &protos).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(protos.view().substr(records[1].proto_at, records[1].proto_size), Proto(next));
}

}  // namespace
}  // namespace lode::agent
