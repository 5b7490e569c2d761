// The hand-written push decoder (ingest/push_wire.h) against the generated
// protobuf parser: same acceptance and same contents on random requests, on
// every prefix of a request, and with unknown fields, groups and repeated
// singular fields.
#include "ingest/push_wire.h"

#include <gtest/gtest.h>

#include <random>

#include "push.pb.h"

namespace lode::ingest {
namespace {

struct FlatEntry {
  int64_t ts;
  std::string line;
  std::vector<std::pair<std::string, std::string>> md;
  bool operator==(const FlatEntry&) const = default;
};
struct FlatStream {
  std::string labels;
  std::vector<FlatEntry> entries;
  bool operator==(const FlatStream&) const = default;
};

// Decodes with the generated code; false when protobuf rejects the bytes.
bool Reference(const std::string& data, std::vector<FlatStream>* out) {
  logproto::PushRequest req;
  if (!req.ParseFromString(data)) return false;
  for (const auto& s : req.streams()) {
    FlatStream fs;
    fs.labels = s.labels();
    for (const auto& e : s.entries()) {
      FlatEntry fe;
      fe.ts = static_cast<int64_t>(static_cast<uint64_t>(e.timestamp().seconds()) * 1000000000ULL +
                                   static_cast<uint64_t>(static_cast<int64_t>(e.timestamp().nanos())));
      fe.line = e.line();
      for (const auto& p : e.structuredmetadata()) fe.md.push_back({p.name(), p.value()});
      fs.entries.push_back(std::move(fe));
    }
    out->push_back(std::move(fs));
  }
  return true;
}

bool Wire(const std::string& data, std::vector<FlatStream>* out) {
  PushRequest req;
  if (!DecodePushRequestWire(data, &req)) return false;
  for (const auto& s : req.streams) {
    FlatStream fs;
    fs.labels = std::string(s.labels_text);
    for (const auto& e : s.entries) {
      FlatEntry fe;
      fe.ts = e.ts;
      fe.line = std::string(e.line);
      for (uint32_t i = 0; i < e.n_md; ++i) fe.md.push_back({std::string(e.md[i].name), std::string(e.md[i].value)});
      fs.entries.push_back(std::move(fe));
    }
    out->push_back(std::move(fs));
  }
  return true;
}

void ExpectSame(const std::string& data, const char* what) {
  std::vector<FlatStream> a, b;
  bool ok_ref = Reference(data, &a);
  bool ok_wire = Wire(data, &b);
  ASSERT_EQ(ok_ref, ok_wire) << what;
  if (ok_ref) {
    EXPECT_EQ(a, b) << what;
  }
}

std::string RandomBytes(std::mt19937_64& rng, size_t max_len) {
  std::string s(rng() % (max_len + 1), '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string RandomRequest(std::mt19937_64& rng) {
  logproto::PushRequest req;
  int streams = static_cast<int>(rng() % 4);
  for (int i = 0; i < streams; ++i) {
    auto* s = req.add_streams();
    s->set_labels("{app=\"a" + std::to_string(rng() % 100) + "\"}");
    if (rng() % 2) s->set_hash(rng());
    int entries = static_cast<int>(rng() % 5);
    for (int j = 0; j < entries; ++j) {
      auto* e = s->add_entries();
      if (rng() % 4) e->mutable_timestamp()->set_seconds(static_cast<int64_t>(rng() % 4000000000ULL) - 1000000000);
      if (rng() % 4) e->mutable_timestamp()->set_nanos(static_cast<int32_t>(rng() % 1000000000));
      e->set_line(RandomBytes(rng, 300));
      int md = static_cast<int>(rng() % 3);
      for (int k = 0; k < md; ++k) {
        auto* p = e->add_structuredmetadata();
        p->set_name(RandomBytes(rng, 10));
        p->set_value(RandomBytes(rng, 20));
      }
    }
  }
  return req.SerializeAsString();
}

TEST(PushWireTest, RandomRequestsMatchGeneratedParser) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 500; ++i) ExpectSame(RandomRequest(rng), "random request");
}

TEST(PushWireTest, EveryPrefixAndCorruptionMatchesGeneratedParser) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::string data = RandomRequest(rng);
    for (size_t n = 0; n <= data.size(); ++n) ExpectSame(data.substr(0, n), "prefix");
    for (int k = 0; k < 200 && !data.empty(); ++k) {
      std::string bad = data;
      bad[rng() % bad.size()] = static_cast<char>(rng());
      ExpectSame(bad, "corrupted byte");
    }
  }
}

// Appends a tag and a value for the hand-made messages below.
void Tag(std::string* s, uint32_t field, uint32_t wt) { s->push_back(static_cast<char>(field << 3 | wt)); }
void Len(std::string* s, uint32_t field, const std::string& v) {
  Tag(s, field, 2);
  s->push_back(static_cast<char>(v.size()));
  s->append(v);
}

TEST(PushWireTest, UnknownFieldsGroupsAndRepeatedSingularFields) {
  std::string ts1, ts2, entry, stream, req;
  Tag(&ts1, 1, 0);
  ts1.push_back(5);  // seconds = 5
  Tag(&ts2, 2, 0);
  ts2.push_back(7);  // nanos = 7: merges with the first timestamp
  Len(&entry, 1, ts1);
  Len(&entry, 2, "first");
  Tag(&entry, 9, 5);
  entry.append("\x01\x02\x03\x04", 4);  // unknown fixed32
  Len(&entry, 1, ts2);
  Len(&entry, 2, "second");  // last line wins
  Tag(&entry, 10, 3);        // unknown group holding a nested group
  Tag(&entry, 11, 0);
  entry.push_back(1);
  Tag(&entry, 12, 3);
  Tag(&entry, 12, 4);
  Tag(&entry, 10, 4);
  Tag(&entry, 2, 0);  // known field number, wrong wire type: skipped
  entry.push_back(9);
  Len(&stream, 1, "{a=\"1\"}");
  Len(&stream, 2, entry);
  Tag(&stream, 3, 1);
  stream.append(8, '\x11');  // hash as fixed64 (wrong type, skipped)
  Len(&stream, 1, "{a=\"2\"}");  // last labels win
  Len(&req, 1, stream);
  Tag(&req, 7, 0);
  req.push_back(0x7f);
  ExpectSame(req, "hand-made");
  std::vector<FlatStream> got;
  ASSERT_TRUE(Wire(req, &got));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels, "{a=\"2\"}");
  ASSERT_EQ(got[0].entries.size(), 1u);
  EXPECT_EQ(got[0].entries[0].line, "second");
  EXPECT_EQ(got[0].entries[0].ts, 5000000007);

  std::string unbalanced = req;
  Tag(&unbalanced, 4, 3);  // group never closed
  ExpectSame(unbalanced, "unbalanced group");
  EXPECT_FALSE(Wire(unbalanced, &got));
  std::string stray_end = req;
  Tag(&stray_end, 4, 4);
  ExpectSame(stray_end, "stray end group");
  EXPECT_FALSE(Wire(stray_end, &got));
}

TEST(PushWireTest, MetadataViewsPointIntoTheInput) {
  logproto::PushRequest r;
  auto* s = r.add_streams();
  s->set_labels("{a=\"1\"}");
  for (int i = 0; i < 100; ++i) {  // enough to make the metadata vector grow
    auto* e = s->add_entries();
    e->set_line("l" + std::to_string(i));
    auto* p = e->add_structuredmetadata();
    p->set_name("k");
    p->set_value("v" + std::to_string(i));
  }
  std::string data = r.SerializeAsString();
  PushRequest req;
  ASSERT_TRUE(DecodePushRequestWire(data, &req));
  ASSERT_EQ(req.streams[0].entries.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    const EntryRef& e = req.streams[0].entries[i];
    ASSERT_EQ(e.n_md, 1u);
    EXPECT_EQ(e.md[0].value, "v" + std::to_string(i));
    EXPECT_GE(e.line.data(), data.data());
    EXPECT_LT(e.line.data(), data.data() + data.size());
  }
}

}  // namespace
}  // namespace lode::ingest
