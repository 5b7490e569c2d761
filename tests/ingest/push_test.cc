#include "ingest/push.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include "push.pb.h"

namespace lode::ingest {
namespace {

std::string Proto(const std::string& labels, const std::string& line, int64_t ts,
                  std::vector<std::pair<std::string, std::string>> md = {}) {
  logproto::PushRequest req;
  auto* s = req.add_streams();
  s->set_labels(labels);
  auto* e = s->add_entries();
  e->mutable_timestamp()->set_seconds(ts / 1000000000);
  e->mutable_timestamp()->set_nanos(static_cast<int32_t>(ts % 1000000000));
  e->set_line(line);
  for (auto& [k, v] : md) {
    auto* p = e->add_structuredmetadata();
    p->set_name(k);
    p->set_value(v);
  }
  std::string raw = req.SerializeAsString(), out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

TEST(PushDecodeTest, ProtobufWithMetadataAndInvalidUtf8) {
  PushRequest r;
  std::string line = "bad \xff utf8";
  ASSERT_TRUE(DecodeProtobufPush(
                  Proto(R"({b="2", a="1"})", line, 1700000000123456789, {{"trace_id", "t1"}}), &r)
                  .ok());
  ASSERT_EQ(r.streams.size(), 1u);
  EXPECT_EQ(LabelsToString(r.streams[0].labels), R"({a="1", b="2"})");
  ASSERT_EQ(r.streams[0].entries.size(), 1u);
  EXPECT_EQ(r.streams[0].entries[0].ts, 1700000000123456789);
  EXPECT_EQ(r.streams[0].entries[0].line, line);
  ASSERT_EQ(r.streams[0].entries[0].n_md, 1u);
  EXPECT_EQ(r.streams[0].entries[0].md[0].value, "t1");
}

TEST(PushDecodeTest, RejectsCorruptBodies) {
  PushRequest r;
  EXPECT_FALSE(DecodeProtobufPush("not snappy", &r).ok());
  std::string junk;
  snappy::Compress("\x0a\xff\xff\xff", 4, &junk);
  EXPECT_FALSE(DecodeProtobufPush(junk, &r).ok());
  EXPECT_FALSE(DecodeJsonPush("{", &r).ok());
  EXPECT_FALSE(
      DecodeJsonPush(R"({"streams":[{"stream":{"a":"b"},"values":[["notanumber","x"]]}]})", &r)
          .ok());
  // "stream" that is neither an object nor a label string (fuzz find: it used
  // to read the label text of an earlier stream, or of none).
  for (const char* body :
       {R"({"streams":[{"stream":[["1","x"]],"values":[["1","x"]]}]})",
        R"({"streams":[{"stream":{"a":"b"},"values":[["1","x"]]},{"stream":7,"values":[["1","y"]]}]})"}) {
    Status s = DecodeJsonPush(body, &r);
    EXPECT_FALSE(s.ok()) << body;
    EXPECT_NE(s.message().find("\"stream\" must be an object"), std::string::npos) << s.message();
  }
}

TEST(PushDecodeTest, InvalidStreamsAreReportedAndDropped) {
  PushRequest r;
  ASSERT_TRUE(DecodeJsonPush(R"({"streams":[
      {"stream":{"app":"ok"},"values":[["1","a",{"k":"v"}]]},
      {"stream":{},"values":[["2","b"]]},
      {"stream":{"9x":"y"},"values":[["3","c"]]}]})",
                             &r)
                  .ok());
  ASSERT_EQ(r.streams.size(), 1u);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0], "error at least one label pair is required per stream");
  EXPECT_NE(r.errors[1].find("9x"), std::string::npos);
  EXPECT_EQ(r.streams[0].entries[0].md[0].name, "k");
}

TEST(PushDecodeTest, DuplicateLabelNamesUseLokisMessage) {
  PushRequest r;
  ASSERT_TRUE(DecodeProtobufPush(Proto(R"({a="1", a="2"})", "x", 1), &r).ok());
  EXPECT_TRUE(r.streams.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], R"(stream '{a="1", a="2"}' has duplicate label name: 'a')");
}

TEST(PushValidateTest, LimitsAndAges) {
  PushRequest r;
  const int64_t now = 1700000000LL * 1000000000;
  ASSERT_TRUE(DecodeJsonPush(R"({"streams":[{"stream":{"app":"a"},"values":[
      ["1700000000000000000","fine"],
      ["1000000000000000000","too old"],
      ["1800000000000000000","too new"],
      ["1700000000000000001","0123456789abc"]]}]})",
                             &r)
                  .ok());
  PushLimits l;
  l.max_line_size = 10;
  std::vector<std::string> errs;
  Validate(l, now, &r, &errs);
  ASSERT_EQ(r.streams.size(), 1u);
  ASSERT_EQ(r.streams[0].entries.size(), 1u);
  EXPECT_EQ(r.streams[0].entries[0].line, "fine");
  ASSERT_EQ(errs.size(), 3u);
  EXPECT_NE(errs[0].find("timestamp too old"), std::string::npos);
  EXPECT_NE(errs[1].find("timestamp too new"), std::string::npos);
  EXPECT_NE(errs[2].find("Max entry size '10' bytes exceeded"), std::string::npos);
  l.max_line_size_truncate = true;
  PushRequest r2;
  ASSERT_TRUE(
      DecodeJsonPush(
          R"({"streams":[{"stream":{"app":"a"},"values":[["1700000000000000001","0123456789abc"]]}]})",
          &r2)
          .ok());
  errs.clear();
  Validate(l, now, &r2, &errs);
  EXPECT_TRUE(errs.empty());
  EXPECT_EQ(r2.streams[0].entries[0].line, "0123456789");
}

TEST(PushDecodeTest, GunzipRoundTripAndLimit) {
  std::string out;
  EXPECT_FALSE(Gunzip("not gzip", 1 << 20, &out).ok());
}

}  // namespace
}  // namespace lode::ingest
