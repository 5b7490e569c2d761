// Local rule storage, the remote-write encoding and the notifier's bounded
// queue (ruler/rule_store.h, remote_write.h, notifier.h).

#include <gtest/gtest.h>
#include <snappy.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "ruler/notifier.h"
#include "ruler/remote_write.h"
#include "ruler/rule_store.h"

namespace lode::ruler {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/lode-ruler-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

RuleGroup Group1(const std::string& name) {
  RuleGroup g;
  EXPECT_TRUE(ParseRuleGroup("name: " + name + "\nrules:\n  - alert: A\n    expr: vector(1) > 0\n",
                             "ns", &g)
                  .ok());
  return g;
}

TEST(RuleStoreTest, SetLoadDelete) {
  TempDir d;
  RuleStore st(d.path);
  ASSERT_TRUE(st.SetGroup("t1", "ns1", Group1("a")).ok());
  ASSERT_TRUE(st.SetGroup("t1", "ns1", Group1("b")).ok());
  ASSERT_TRUE(st.SetGroup("t1", "ns1", Group1("a")).ok());  // replaces
  ASSERT_TRUE(st.SetGroup("t2", "other", Group1("c")).ok());
  EXPECT_TRUE(std::filesystem::exists(d.path + "/t1/ns1.yaml"));
  auto nss = st.Load("t1", nullptr);
  ASSERT_EQ(nss.size(), 1u);
  ASSERT_EQ(nss["ns1"].groups.size(), 2u);
  EXPECT_EQ(nss["ns1"].groups[0].name, "a");
  EXPECT_EQ(st.LoadAll(nullptr).size(), 2u);
  EXPECT_TRUE(st.DeleteGroup("t1", "ns1", "a").ok());
  EXPECT_EQ(st.DeleteGroup("t1", "ns1", "a").code(), Status::Code::kNotFound);
  EXPECT_TRUE(st.DeleteGroup("t1", "ns1", "b").ok());
  EXPECT_FALSE(std::filesystem::exists(d.path + "/t1/ns1.yaml"));  // emptied namespace removed
  EXPECT_TRUE(st.DeleteNamespace("t2", "other").ok());
  EXPECT_EQ(st.DeleteNamespace("t2", "other").code(), Status::Code::kNotFound);
  EXPECT_FALSE(st.SetGroup("t1", "../x", Group1("a")).ok());
  EXPECT_FALSE(st.SetGroup("t1", ".hidden", Group1("a")).ok());
}

TEST(RuleStoreTest, BadFileIsReportedOthersLoad) {
  TempDir d;
  std::filesystem::create_directories(d.path + "/t");
  std::ofstream(d.path + "/t/bad.yaml")
      << "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: '{a=\"b\"}'\n";
  std::ofstream(d.path + "/t/good.yml")
      << "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: vector(1)\n";
  std::ofstream(d.path + "/t/notes.txt") << "ignored";
  std::vector<LoadError> errors;
  auto nss = RuleStore(d.path).Load("t", &errors);
  EXPECT_EQ(nss.size(), 1u);
  EXPECT_TRUE(nss.count("good"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find(
                "bad.yaml: group \"g\", rule \"A\": expression must be a metric query"),
            std::string::npos);
}

TEST(RuleStoreTest, GroupsPerNamespaceBound) {
  TempDir d;
  RuleStore st(d.path);
  for (size_t i = 0; i < kMaxGroupsPerNamespace; ++i)
    ASSERT_TRUE(st.SetGroup("t", "ns", Group1("g" + std::to_string(i))).ok());
  Status s = st.SetGroup("t", "ns", Group1("one-too-many"));
  EXPECT_EQ(s.message(), "per-user rule groups per namespace limit (limit: 100) exceeded");
  EXPECT_EQ(st.Load("t", nullptr)["ns"].groups.size(), kMaxGroupsPerNamespace);
}

TEST(RuleStoreTest, RulesPerGroupBound) {
  TempDir d;
  RuleStore st(d.path);
  RuleGroup g = Group1("big");
  g.rules.resize(kMaxRulesPerGroup + 1, g.rules[0]);
  EXPECT_EQ(st.SetGroup("t", "ns", g).message(),
            "per-user rules per rule group limit (limit: 1000 actual: 1001) exceeded");
  EXPECT_TRUE(st.Load("t", nullptr).empty());  // nothing stored
}

TEST(RemoteWriteTest, QueueIsBoundedAndCountsDrops) {
  RemoteWriteOptions o;
  o.url = "http://127.0.0.1:1/api/v1/write";  // nothing listens
  o.queue_capacity = 2;
  o.max_retries = 0;
  o.timeout_ms = 200;
  std::unique_ptr<RemoteWriter> w;
  ASSERT_TRUE(RemoteWriter::Create(o, &w).ok());
  w->Append(std::vector<RecordedSample>(5));
  EXPECT_EQ(w->Stats().dropped, 3u);
  for (int i = 0; i < 40 && w->Stats().failed < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(w->Stats().failed, 2u);  // the connection error, no retries left
  EXPECT_EQ(w->Stats().sent, 0u);
}

TEST(RemoteWriteTest, EncodesWriteRequest) {
  RecordedSample s;
  s.labels = {{"__name__", "m"}, {"a", "b"}};
  s.value = 1.5;
  s.ts_ns = 2000000000;
  std::string pb = RemoteWriter::EncodeWriteRequest({s});
  // WriteRequest{timeseries: {labels: [{__name__,m},{a,b}], samples: [{1.5, 2000}]}}
  std::string want = std::string("\x0a\x25", 2) + "\x0a\x0d\x0a\x08__name__\x12\x01m" +
                     "\x0a\x06\x0a\x01"
                     "a"
                     "\x12\x01"
                     "b" +
                     std::string("\x12\x0c\x09\x00\x00\x00\x00\x00\x00\xf8\x3f\x10\xd0\x0f", 14);
  EXPECT_EQ(pb, want);
}

TEST(NotifierTest, QueueIsBoundedAndCountsDrops) {
  NotifierOptions o;
  o.urls = {"http://127.0.0.1:1"};  // nothing listens
  o.queue_capacity = 2;
  o.timeout_ms = 200;
  std::unique_ptr<Notifier> n;
  ASSERT_TRUE(Notifier::Create(o, &n).ok());
  std::vector<Alert> alerts(5);
  n->Send(alerts, "");
  EXPECT_EQ(n->Stats().dropped, 3u);
  EXPECT_EQ(n->Stats().sent, 0u);
}

TEST(NotifierTest, AlertJson) {
  Alert a;
  a.labels = {{"alertname", "A"}, {"service", "api"}};
  a.annotations = {{"summary", "s"}};
  a.state = AlertState::kFiring;
  a.fired_at_ns = 1714557600000000000;
  a.valid_until_ns = 1714557840000000000;
  EXPECT_EQ(
      Notifier::AlertJson(a, "http://g/explore"),
      "{\"annotations\":{\"summary\":\"s\"},\"endsAt\":\"2024-05-01T10:04:00.000Z\","
      "\"generatorURL\":"
      "\"http://g/explore\",\"labels\":{\"alertname\":\"A\",\"service\":\"api\"},\"startsAt\":"
      "\"2024-05-01T10:00:00.000Z\"}");
  a.state = AlertState::kInactive;
  a.resolved_at_ns = 1714557660000000000;
  EXPECT_NE(Notifier::AlertJson(a, "").find("\"endsAt\":\"2024-05-01T10:01:00.000Z\""),
            std::string::npos);
}

TEST(HttpClientTest, ParsesUrls) {
  HttpUrl u;
  ASSERT_TRUE(ParseHttpUrl("http://am:9093/base", &u).ok());
  EXPECT_EQ(u.host, "am");
  EXPECT_EQ(u.port, "9093");
  EXPECT_EQ(u.path, "/base");
  EXPECT_EQ(ParseHttpUrl("https://x", &u).code(), Status::Code::kUnsupported);
  EXPECT_FALSE(ParseHttpUrl("ftp://x", &u).ok());
}

}  // namespace
}  // namespace lode::ruler
