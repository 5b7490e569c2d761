// The push encoder against lode's own decoder: what AppendPushRequest writes
// decodes to the same streams, and concatenated requests to all of them.
#include "ingest/push_encode.h"

#include <gtest/gtest.h>

#include "ingest/push.h"

namespace lode::ingest {
namespace {

TEST(PushEncode, RoundTripsThroughTheDecoder) {
  Labels a = {{"job", "app"}, {"host", "h\"1"}};
  SortLabels(&a);
  Labels b = {{"job", "db"}};
  LabelView md[2] = {{"trace_id", "abc"}, {"user", "x"}};
  std::vector<EntryRef> ea = {{1700000000123456789, "first", nullptr, 0},
                              {0, "epoch zero", nullptr, 0},
                              {1700000001000000000, std::string_view("nul\0byte", 8), md, 2}};
  std::string long_line(300, 'z');
  std::vector<EntryRef> eb = {{5, long_line, nullptr, 0}};
  std::string raw;
  std::vector<StreamEntries> first = {{&a, ea}};
  AppendPushRequest(first, &raw);
  std::vector<StreamEntries> second = {{&b, eb}};
  AppendPushRequest(second, &raw);  // concatenation: one request with both streams
  std::string body;
  SnappyCompress(raw, &body);
  PushRequest req;
  Status s = DecodeProtobufPush(body, &req);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(req.streams.size(), 2u);
  EXPECT_EQ(LabelsToString(req.streams[0].labels), LabelsToString(a));
  ASSERT_EQ(req.streams[0].entries.size(), 3u);
  for (size_t i = 0; i < ea.size(); ++i) {
    EXPECT_EQ(req.streams[0].entries[i].ts, ea[i].ts);
    EXPECT_EQ(req.streams[0].entries[i].line, ea[i].line);
  }
  ASSERT_EQ(req.streams[0].entries[2].n_md, 2u);
  EXPECT_EQ(req.streams[0].entries[2].md[0].name, "trace_id");
  EXPECT_EQ(req.streams[0].entries[2].md[1].value, "x");
  EXPECT_EQ(LabelsToString(req.streams[1].labels), "{job=\"db\"}");
  EXPECT_EQ(req.streams[1].entries[0].line, std::string(300, 'z'));
  EXPECT_EQ(req.streams[1].entries[0].ts, 5);
}

}  // namespace
}  // namespace lode::ingest
