// End-to-end OTLP logs ingest: the real binary receives POST /otlp/v1/logs in
// protobuf and JSON (plain and gzip), answers as OTLP/HTTP specifies, and
// the logs come back through LogQL with Loki 3's labels and structured
// metadata. Malformed requests are refused whole; per-tenant otlp_config and
// rate limits apply.
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "otlp_logs.pb.h"
#include "server/config.h"
#include "tests/e2e/lode_process.h"

namespace lode::testing {
namespace {

using json = nlohmann::json;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

const char* kConfig = R"(
auth_enabled: true
limits_config:
  otlp_config:
    scope_attributes:
      - action: drop
        attributes: [noise]
overrides:
  custom:
    otlp_config:
      resource_attributes:
        ignore_defaults: true
        attributes_config:
          - action: index_label
            regex: team\..*
          - action: drop
            attributes: [host.name]
      log_attributes:
        - action: index_label
          attributes: [tier]
  slow:
    ingestion_rate_mb: 0.0001
    ingestion_burst_size_mb: 0.0001
)";

class OtlpE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lode-otlp-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/lode.yaml") << kConfig;
    lode_ = std::make_unique<LodeProcess>(std::vector<std::string>{"--config", dir_ + "/lode.yaml"},
                                          dir_);
    ASSERT_TRUE(lode_->Ready()) << "lode did not start";
  }
  void TearDown() override {
    lode_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResult PostOtlp(const std::string& tenant, const std::string& body, const std::string& ctype,
                      bool gzip = false) {
    std::map<std::string, std::string> h = {{"Content-Type", ctype}, {"X-Scope-OrgID", tenant}};
    if (gzip) h["Content-Encoding"] = "gzip";
    return lode_->Post("/otlp/v1/logs", gzip ? Gzip(body) : body, h);
  }

  // Log query over the last hour; returns data.result.
  json Query(const std::string& tenant, const std::string& q) {
    HttpResult r = lode_->Get(
        "/loki/api/v1/query_range?query=" + Q(q) + "&since=2h&limit=1000",
        {{"X-Scope-OrgID", tenant}, {"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
    EXPECT_EQ(r.status, 200) << r.body;
    json j = json::parse(r.body, nullptr, false);
    return j.is_discarded() ? json::array() : j["data"]["result"];
  }

  std::string dir_;
  std::unique_ptr<LodeProcess> lode_;
};

lode::otlp::ExportLogsServiceRequest Request(int64_t ts) {
  lode::otlp::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto attr = [](lode::otlp::KeyValue* kv, const std::string& k, const std::string& v) {
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
  };
  attr(rl->mutable_resource()->add_attributes(), "service.name", "checkout");
  attr(rl->mutable_resource()->add_attributes(), "deployment.environment", "prod");
  attr(rl->mutable_resource()->add_attributes(), "host.name", "node-1");
  attr(rl->mutable_resource()->add_attributes(), "team.name", "payments");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("checkout.logger");
  attr(sl->mutable_scope()->add_attributes(), "noise", "x");
  for (int i = 0; i < 3; ++i) {
    auto* lr = sl->add_log_records();
    lr->set_time_unix_nano(static_cast<uint64_t>(ts + i));
    lr->set_severity_number(i == 2 ? 17 : 9);
    lr->set_severity_text(i == 2 ? "ERROR" : "INFO");
    lr->mutable_body()->set_string_value("order " + std::to_string(i));
    attr(lr->add_attributes(), "tier", "gold");
    std::string trace(16, static_cast<char>(0x10 + i));
    lr->set_trace_id(trace);
    lr->set_span_id(std::string(8, '\x01'));
  }
  return req;
}

TEST_F(OtlpE2ETest, ProtobufRoundTripWithTraceIdFilter) {
  HttpResult r =
      PostOtlp("t1", Request(NowNs() - 1000000000).SerializeAsString(), "application/x-protobuf");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/x-protobuf");
  EXPECT_EQ(r.body, "");  // an empty ExportLogsServiceResponse
  json res =
      Query("t1", R"({service_name="checkout"} | trace_id="11111111111111111111111111111111")");
  ASSERT_EQ(res.size(), 1u) << res.dump();
  EXPECT_EQ(res[0]["stream"],
            json({{"deployment_environment", "prod"}, {"service_name", "checkout"}}));
  ASSERT_EQ(res[0]["values"].size(), 1u);
  EXPECT_EQ(res[0]["values"][0][1], "order 1");
  json md = res[0]["values"][0][2]["structuredMetadata"];
  EXPECT_EQ(md["trace_id"], "11111111111111111111111111111111");
  EXPECT_EQ(md["span_id"], "0101010101010101");
  EXPECT_EQ(md["severity_text"], "INFO");
  EXPECT_EQ(md["severity_number"], "9");
  EXPECT_EQ(md["host_name"], "node-1");
  EXPECT_EQ(md["team_name"], "payments");
  EXPECT_EQ(md["tier"], "gold");
  EXPECT_EQ(md["scope_name"], "checkout.logger");
  EXPECT_FALSE(md.contains("noise"));  // dropped by limits_config.otlp_config
  // severity_number drives detected_level as in Loki.
  res = Query("t1", R"({service_name="checkout"} | detected_level="error")");
  ASSERT_EQ(res.size(), 1u) << res.dump();
  EXPECT_EQ(res[0]["values"][0][1], "order 2");
  // Tenants are separate.
  EXPECT_EQ(Query("t2", R"({service_name="checkout"})").size(), 0u);
}

TEST_F(OtlpE2ETest, JsonAndGzip) {
  int64_t ts = NowNs() - 2000000000;
  std::string body =
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},
    "scopeLogs":[{"logRecords":[
      {"timeUnixNano":")" +
      std::to_string(ts) +
      R"(","body":{"stringValue":"plain json"},"traceId":"0af7651916cd43dd8448eb211c80319c"},
      {"observedTimeUnixNano":")" +
      std::to_string(ts + 1) +
      R"(","body":{"kvlistValue":{"values":[{"key":"msg","value":{"stringValue":"structured"}},{"key":"code","value":{"intValue":"7"}}]}}}]}]}]})";
  HttpResult r = PostOtlp("t1", body, "application/json", /*gzip=*/true);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.body, "{}");
  json res = Query("t1", R"({service_name="web"})");
  ASSERT_EQ(res.size(), 1u) << res.dump();
  ASSERT_EQ(res[0]["values"].size(), 2u);
  EXPECT_EQ(res[0]["values"][0][0], std::to_string(ts + 1));
  EXPECT_EQ(res[0]["values"][0][1], R"({"code":7,"msg":"structured"})");
  EXPECT_EQ(res[0]["values"][1][1], "plain json");
  res = Query("t1", R"({service_name="web"} | trace_id="0af7651916cd43dd8448eb211c80319c")");
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0]["values"].size(), 1u);
  // Plain (not gzip) JSON and gzip protobuf work too.
  r = PostOtlp(
      "t1", R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"now"}}]}]}]})",
      "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  res = Query("t1", R"({service_name="unknown_service"})");
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0]["values"][0][1], "now");
  r = PostOtlp("t3", Request(ts).SerializeAsString(), "application/x-protobuf", /*gzip=*/true);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Query("t3", R"({service_name="checkout"})")[0]["values"].size(), 3u);
  // zstd, as the Collector's `compression: zstd` sends it.
  std::string raw = Request(ts + 100).SerializeAsString();
  std::string z(ZSTD_compressBound(raw.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 3));
  r = lode_->Post("/otlp/v1/logs", z,
                  {{"Content-Type", "application/x-protobuf"},
                   {"Content-Encoding", "zstd"},
                   {"X-Scope-OrgID", "t3"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Query("t3", R"({service_name="checkout"})")[0]["values"].size(), 6u);
}

TEST_F(OtlpE2ETest, MalformedRequestsStoreNothing) {
  int64_t ts = NowNs() - 1000000000;
  std::string good = Request(ts).SerializeAsString();
  // Truncated protobuf: 400 with a google.rpc.Status body.
  HttpResult r = PostOtlp("t1", good.substr(0, good.size() - 3), "application/x-protobuf");
  ASSERT_EQ(r.status, 400) << r.body;
  lode::otlp::Status st;
  ASSERT_TRUE(st.ParseFromString(r.body));
  EXPECT_EQ(st.code(), 3);
  EXPECT_NE(st.message().find("failed to parse OTLP request: invalid protobuf"), std::string::npos)
      << st.message();
  // A valid first record does not get stored when a later one is malformed.
  auto req = Request(ts);
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(2)->set_span_id("xyz");
  r = PostOtlp("t1", req.SerializeAsString(), "application/x-protobuf");
  ASSERT_EQ(r.status, 400) << r.body;
  // Bad JSON and a bad hex trace id: 400 with a JSON Status.
  r = PostOtlp("t1", R"({"resourceLogs":[)", "application/json");
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"], "failed to parse OTLP request: invalid JSON");
  r = PostOtlp(
      "t1",
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"a"}},{"traceId":"nothex"}]}]}]})",
      "application/json");
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"],
            "failed to parse OTLP request: invalid traceId \"nothex\": want 32 hex digits");
  // Corrupt gzip; unsupported types.
  r = lode_->Post("/otlp/v1/logs", "not gzip",
                  {{"Content-Type", "application/json"},
                   {"Content-Encoding", "gzip"},
                   {"X-Scope-OrgID", "t1"}});
  EXPECT_EQ(r.status, 400);
  r = PostOtlp("t1", "x", "text/plain");
  EXPECT_EQ(r.status, 415);
  r = lode_->Post("/otlp/v1/logs", good, {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 401);  // auth_enabled: no tenant
  EXPECT_EQ(Query("t1", R"({service_name=~".+"})").size(), 0u);
}

TEST_F(OtlpE2ETest, PartialSuccessNamesRejectedRecords) {
  auto req = Request(NowNs() - 1000000000);
  // 30 days old: rejected by reject_old_samples (7d).
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->set_time_unix_nano(
      static_cast<uint64_t>(NowNs() - 30LL * 86400 * 1000000000));
  HttpResult r = PostOtlp("t1", req.SerializeAsString(), "application/x-protobuf");
  ASSERT_EQ(r.status, 200) << r.body;
  lode::otlp::ExportLogsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_log_records(), 1);
  EXPECT_NE(resp.partial_success().error_message().find("timestamp too old"), std::string::npos)
      << resp.partial_success().error_message();
  EXPECT_EQ(Query("t1", R"({service_name="checkout"})")[0]["values"].size(), 2u);
  // The JSON encoding of the same answer.
  r = PostOtlp(
      "t1",
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1000","body":{"stringValue":"old"}}]}]}]})",
      "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["partialSuccess"]["rejectedLogRecords"], "1");
  EXPECT_NE(j["partialSuccess"]["errorMessage"].get<std::string>().find("timestamp too old"),
            std::string::npos);
}

TEST_F(OtlpE2ETest, TenantOtlpConfigOverride) {
  HttpResult r = PostOtlp("custom", Request(NowNs() - 1000000000).SerializeAsString(),
                          "application/x-protobuf");
  ASSERT_EQ(r.status, 200) << r.body;
  // ignore_defaults: service.name is metadata; team.* and the tier log
  // attribute are labels; host.name is dropped.
  json res = Query("custom", R"({team_name="payments"})");
  ASSERT_EQ(res.size(), 1u) << res.dump();
  EXPECT_EQ(res[0]["stream"], json({{"team_name", "payments"}, {"tier", "gold"}}));
  json md = res[0]["values"][0][2]["structuredMetadata"];
  EXPECT_EQ(md["service_name"], "checkout");
  EXPECT_FALSE(md.contains("host_name"));
  EXPECT_TRUE(md.contains("noise"));  // the override replaces the whole otlp_config
}

TEST_F(OtlpE2ETest, RateLimitedRequestIs429AndStoresNothing) {
  auto req = Request(NowNs() - 1000000000);
  auto* lr = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
  lr->mutable_body()->set_string_value(std::string(4000, 'x'));
  HttpResult r = PostOtlp("slow", req.SerializeAsString(), "application/x-protobuf");
  ASSERT_EQ(r.status, 429) << r.body;
  lode::otlp::Status st;
  ASSERT_TRUE(st.ParseFromString(r.body));
  EXPECT_NE(st.message().find("Ingestion rate limit exceeded"), std::string::npos) << st.message();
  EXPECT_EQ(Query("slow", R"({service_name="checkout"})").size(), 0u);
}

TEST(OtlpConfigTest, YamlKeysAndErrors) {
  server::Config c;
  ASSERT_TRUE(server::ApplyConfigYaml(kConfig, &c).ok());
  EXPECT_EQ(c.LimitsFor("anyone").otlp.scope_rules.size(), 1u);
  const auto& custom = c.LimitsFor("custom").otlp;
  EXPECT_TRUE(custom.ignore_defaults);
  EXPECT_EQ(custom.ResourceAction("team.x"), ingest::OtlpAction::kIndexLabel);
  EXPECT_EQ(custom.ResourceAction("host.name"), ingest::OtlpAction::kDrop);
  EXPECT_EQ(custom.ResourceAction("service.name"), ingest::OtlpAction::kStructuredMetadata);
  EXPECT_EQ(c.LimitsFor("anyone").otlp.ResourceAction("service.name"),
            ingest::OtlpAction::kIndexLabel);
  auto err = [](const std::string& y) {
    server::Config cfg;
    Status s = server::ApplyConfigYaml(y, &cfg);
    return s.ok() ? std::string("OK") : s.message();
  };
  EXPECT_EQ(err("limits_config:\n  otlp_config:\n    scope_attributes:\n      - action: "
                "index_label\n        attributes: [a]\n"),
            "config: limits_config.otlp_config.scope_attributes[0]: index_label action is only "
            "supported for "
            "resource_attributes");
  EXPECT_EQ(err("limits_config:\n  otlp_config:\n    log_attributes:\n      - action: keep\n       "
                " attributes: [a]\n"),
            "config: limits_config.otlp_config.log_attributes[0]: unsupported action, it must be "
            "one of: drop, "
            "index_label, structured_metadata");
  EXPECT_EQ(err("limits_config:\n  otlp_config:\n    log_attributes:\n      - action: drop\n"),
            "config: limits_config.otlp_config.log_attributes[0]: attributes or regex must be set");
  EXPECT_EQ(err("limits_config:\n  otlp_config:\n    log_attributes:\n      - regex: '('\n"),
            "config: limits_config.otlp_config.log_attributes[0].regex: invalid regex \"(\": "
            "missing ): (");
  EXPECT_EQ(err("overrides:\n  t:\n    otlp_config:\n      bogus: 1\n"),
            "config: unknown key \"overrides.t.otlp_config.bogus\"");
}

}  // namespace
}  // namespace lode::testing
