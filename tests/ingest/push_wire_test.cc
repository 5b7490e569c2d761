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
      fe.ts =
          static_cast<int64_t>(static_cast<uint64_t>(e.timestamp().seconds()) * 1000000000ULL +
                               static_cast<uint64_t>(static_cast<int64_t>(e.timestamp().nanos())));
      fe.line = e.line();
      for (const auto& p : e.structuredmetadata()) fe.md.push_back({p.name(), p.value()});
      fs.entries.push_back(std::move(fe));
    }
    out->push_back(std::move(fs));
  }
  return true;
}

bool Wire(const std::string& data, std::vector<FlatStream>* out, std::string* error = nullptr) {
  PushRequest req;
  if (!DecodePushRequestWire(data, &req, error)) return false;
  for (const auto& s : req.streams) {
    FlatStream fs;
    fs.labels = std::string(s.labels_text);
    for (const auto& e : s.entries) {
      FlatEntry fe;
      fe.ts = e.ts;
      fe.line = std::string(e.line);
      for (uint32_t i = 0; i < e.n_md; ++i)
        fe.md.push_back({std::string(e.md[i].name), std::string(e.md[i].value)});
      fs.entries.push_back(std::move(fe));
    }
    out->push_back(std::move(fs));
  }
  return true;
}

// Same acceptance and contents as protobuf, except where the wire decoder is
// deliberately stricter (a known field with another wire type, a timestamp
// out of range): then it must say so.
void ExpectSame(const std::string& data, const char* what) {
  std::vector<FlatStream> a, b;
  bool ok_ref = Reference(data, &a);
  std::string strict;
  bool ok_wire = Wire(data, &b, &strict);
  if (ok_ref && !ok_wire && !strict.empty()) {
    EXPECT_TRUE(strict.rfind("proto: wrong wireType", 0) == 0 ||
                strict.rfind("timestamp: ", 0) == 0)
        << strict;
    return;
  }
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
      if (rng() % 4)
        e->mutable_timestamp()->set_seconds(static_cast<int64_t>(rng() % 4000000000ULL) -
                                            1000000000);
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
void Tag(std::string* s, uint32_t field, uint32_t wt) {
  s->push_back(static_cast<char>(field << 3 | wt));
}
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
  Len(&stream, 1, "{a=\"1\"}");
  Len(&stream, 2, entry);
  Tag(&stream, 3, 0);
  stream.push_back(0x11);        // hash
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

namespace lode::ingest {
namespace {

// One stream with one entry whose Timestamp message is `ts` (raw bytes).
std::string RequestWithTimestamp(const std::string& ts) {
  std::string entry, stream, req;
  Len(&entry, 1, ts);
  Len(&entry, 2, "line");
  Len(&stream, 1, "{a=\"1\"}");
  Len(&stream, 2, entry);
  Len(&req, 1, stream);
  return req;
}

std::string Varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}

std::string Timestamp(int64_t seconds, int32_t nanos) {
  std::string ts;
  Tag(&ts, 1, 0);
  ts += Varint(static_cast<uint64_t>(seconds));
  Tag(&ts, 2, 0);
  ts +=
      Varint(static_cast<uint64_t>(static_cast<int64_t>(nanos)));  // negative int32: 10-byte varint
  return ts;
}

TEST(PushWireTest, TimestampsThatDoNotFitInt64NanosecondsAreErrorsNotWrapped) {
  const int64_t kMax = INT64_MAX / 1000000000;  // 9223372036 (year 2262)
  struct Case {
    int64_t seconds;
    int32_t nanos;
    bool ok;
  } cases[] = {
      {0, 0, true},
      {1700000000, 999999999, true},
      {kMax, 854775807, true},   // exactly INT64_MAX
      {kMax, 854775808, false},  // one past
      {kMax + 1, 0, false},
      {INT64_MAX, 0, false},                                 // was stored as "1969"
      {-kMax, -854775808 + 1000000000 - 1000000000, false},  // negative nanos
      {-kMax - 1, 145224192, true},                          // exactly INT64_MIN
      {-kMax - 2, 0, false},
      {INT64_MIN, 0, false},
      {18446744073LL, 0, false},  // wraps to ~now in uint64 arithmetic
      {5, -1, false},
      {5, 1000000000, false},
      {5, INT32_MAX, false},
  };
  for (const auto& c : cases) {
    std::vector<FlatStream> got;
    std::string err;
    bool ok = Wire(RequestWithTimestamp(Timestamp(c.seconds, c.nanos)), &got, &err);
    EXPECT_EQ(ok, c.ok) << c.seconds << "s " << c.nanos << "ns: " << err;
    if (ok) {
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(static_cast<__int128>(got[0].entries[0].ts),
                static_cast<__int128>(c.seconds) * 1000000000 + c.nanos);
    } else {
      EXPECT_EQ(err.rfind("timestamp: seconds:" + std::to_string(c.seconds), 0), 0u) << err;
    }
  }
}

TEST(PushWireTest, KnownFieldWithWrongWireTypeIsAnError) {
  // Each known field of each message, sent with a wire type it does not have.
  struct Case {
    std::string req;
    const char* field;
  };
  std::vector<Case> cases;
  auto entry_with = [](const std::string& entry) {
    std::string stream, req;
    Len(&stream, 1, "{a=\"1\"}");
    Len(&stream, 2, entry);
    Len(&req, 1, stream);
    return req;
  };
  {
    std::string req;
    Tag(&req, 1, 0);
    req.push_back(1);
    cases.push_back({req, "Streams"});
  }
  {
    std::string stream, req;
    Tag(&stream, 1, 0);
    stream.push_back(1);
    Len(&req, 1, stream);
    cases.push_back({req, "Labels"});
  }
  {
    std::string stream, req;
    Tag(&stream, 2, 5);
    stream.append("\0\0\0\0", 4);
    Len(&req, 1, stream);
    cases.push_back({req, "Entries"});
  }
  {
    std::string stream, req;
    Len(&stream, 3, "xx");
    Len(&req, 1, stream);
    cases.push_back({req, "Hash"});
  }
  for (int f = 1; f <= 3; ++f) {
    std::string entry;
    Tag(&entry, static_cast<uint32_t>(f), 0);
    entry.push_back(9);
    cases.push_back({entry_with(entry), f == 1   ? "Timestamp"
                                        : f == 2 ? "Line"
                                                 : "StructuredMetadata"});
  }
  {
    std::string ts;
    Tag(&ts, 1, 1);
    ts.append(8, '\x01');
    cases.push_back({RequestWithTimestamp(ts), "Seconds"});
  }
  {
    std::string ts;
    Len(&ts, 2, "x");
    cases.push_back({RequestWithTimestamp(ts), "Nanos"});
  }
  {
    std::string pair, entry;
    Tag(&pair, 1, 0);
    pair.push_back(1);
    Len(&entry, 3, pair);
    cases.push_back({entry_with(entry), "Name"});
  }
  {
    std::string pair, entry;
    Tag(&pair, 2, 5);
    pair.append("\0\0\0\0", 4);
    Len(&entry, 3, pair);
    cases.push_back({entry_with(entry), "Value"});
  }
  for (const auto& c : cases) {
    std::vector<FlatStream> got;
    std::string err;
    EXPECT_FALSE(Wire(c.req, &got, &err)) << c.field;
    EXPECT_NE(err.find("proto: wrong wireType = "), std::string::npos) << c.field << ": " << err;
    EXPECT_NE(err.find(std::string("for field ") + c.field), std::string::npos)
        << c.field << ": " << err;
  }
}

}  // namespace
}  // namespace lode::ingest
