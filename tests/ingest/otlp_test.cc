// OTLP logs ingest (ingest/otlp.h): protobuf and JSON decoding, Loki 3's
// mapping (labels, structured metadata, flattening, names, values,
// timestamps), otlp_config rules, response encoding, and malformed input
// (which must fail with a message, never crash).
#include "ingest/otlp.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <random>

#include "ingest/otlp_json.h"
#include "ingest/otlp_value.h"
#include "ingest/otlp_wire.h"
#include "ingest/zstd_decode.h"
#include "otlp_logs.pb.h"

namespace lode::ingest {
namespace {

constexpr int64_t kNow = 1700000000000000000;

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct FlatEntry {
  int64_t ts;
  std::string line;
  Pairs md;
  bool operator==(const FlatEntry&) const = default;
};
struct FlatStream {
  std::string labels;
  std::vector<FlatEntry> entries;
  bool operator==(const FlatStream&) const = default;
};

std::vector<FlatStream> Flatten(const PushRequest& pr) {
  std::vector<FlatStream> out;
  for (const auto& s : pr.streams) {
    FlatStream fs{LabelsToString(s.labels), {}};
    EXPECT_TRUE(s.labels_text.empty());
    for (const auto& e : s.entries) {
      FlatEntry fe{e.ts, std::string(e.line), {}};
      for (uint32_t i = 0; i < e.n_md; ++i)
        fe.md.push_back({std::string(e.md[i].name), std::string(e.md[i].value)});
      fs.entries.push_back(fe);
    }
    out.push_back(fs);
  }
  return out;
}

void Str(otlp::KeyValue* kv, const std::string& k, const std::string& v) {
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

// A request exercising every mapped field.
otlp::ExportLogsServiceRequest FullRequest() {
  otlp::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  Str(rl->mutable_resource()->add_attributes(), "service.name", "checkout");
  Str(rl->mutable_resource()->add_attributes(), "k8s.pod.name", "pod-7");
  Str(rl->mutable_resource()->add_attributes(), "host.name", "node-1");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("io.lib");
  sl->mutable_scope()->set_version("1.0");
  Str(sl->mutable_scope()->add_attributes(), "scope.attr", "s");
  auto* lr = sl->add_log_records();
  lr->set_time_unix_nano(1700000000123456789ULL);
  lr->set_observed_time_unix_nano(1700000000999999999ULL);
  lr->set_severity_number(17);
  lr->set_severity_text("ERROR");
  lr->mutable_body()->set_string_value("payment failed");
  Str(lr->add_attributes(), "http.method", "POST");
  auto* nested = lr->add_attributes();
  nested->set_key("user");
  auto* kvl = nested->mutable_value()->mutable_kvlist_value();
  Str(kvl->add_values(), "id", "u1");
  auto* inner = kvl->add_values();
  inner->set_key("geo.info");
  auto* in2 = inner->mutable_value()->mutable_kvlist_value()->add_values();
  in2->set_key("country");
  in2->mutable_value()->set_int_value(49);
  lr->set_dropped_attributes_count(2);
  lr->set_flags(1);
  lr->set_trace_id(
      std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  lr->set_span_id(std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
  return req;
}

Status DecodePb(const otlp::ExportLogsServiceRequest& req, const OtlpConfig& cfg, PushRequest* pr,
                OtlpMapStats* st = nullptr) {
  static std::string body;  // the views point into it
  body = req.SerializeAsString();
  OtlpMapStats local;
  return DecodeOtlpProtobuf(body, cfg, kNow, pr, st ? st : &local);
}

std::vector<FlatStream> MapPb(const otlp::ExportLogsServiceRequest& req,
                              const OtlpConfig& cfg = {}) {
  PushRequest pr;
  Status s = DecodePb(req, cfg, &pr);
  EXPECT_TRUE(s.ok()) << s.message();
  return Flatten(pr);
}

std::vector<FlatStream> MapJson(const std::string& body, const OtlpConfig& cfg = {}) {
  PushRequest pr;
  OtlpMapStats st;
  Status s = DecodeOtlpJson(body, cfg, kNow, &pr, &st);
  EXPECT_TRUE(s.ok()) << s.message();
  return Flatten(pr);
}

TEST(OtlpMapTest, LokiDefaultMapping) {
  auto streams = MapPb(FullRequest());
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].labels, "{k8s_pod_name=\"pod-7\", service_name=\"checkout\"}");
  ASSERT_EQ(streams[0].entries.size(), 1u);
  const FlatEntry& e = streams[0].entries[0];
  EXPECT_EQ(e.ts, 1700000000123456789);
  EXPECT_EQ(e.line, "payment failed");
  // Loki's order: log attributes and record fields, resource, then scope.
  Pairs want = {{"http_method", "POST"},
                {"user_id", "u1"},
                {"user_geo_info_country", "49"},
                {"observed_timestamp", "1700000000999999999"},
                {"severity_number", "17"},
                {"severity_text", "ERROR"},
                {"dropped_attributes_count", "2"},
                {"flags", "1"},
                {"trace_id", "5b8efff798038103d269b633813fc60c"},
                {"span_id", "eee19b7ec3c1b174"},
                {"host_name", "node-1"},
                {"scope_attr", "s"},
                {"scope_name", "io.lib"},
                {"scope_version", "1.0"}};
  EXPECT_EQ(e.md, want);
}

TEST(OtlpMapTest, TimestampFallsBackToObservedThenNow) {
  otlp::ExportLogsServiceRequest req;
  auto* sl = req.add_resource_logs()->add_scope_logs();
  sl->add_log_records()->set_observed_time_unix_nano(42);
  sl->add_log_records();
  auto streams = MapPb(req);
  ASSERT_EQ(streams.size(), 1u);
  ASSERT_EQ(streams[0].entries.size(), 2u);
  EXPECT_EQ(streams[0].entries[0].ts, 42);
  EXPECT_TRUE(streams[0].entries[0].md.empty());  // observed_timestamp only when both are set
  EXPECT_EQ(streams[0].entries[1].ts, kNow);
  EXPECT_EQ(streams[0].entries[1].line, "");
}

TEST(OtlpMapTest, ServiceNameDiscoveryAndUnknownService) {
  otlp::ExportLogsServiceRequest req;
  req.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body()->set_string_value(
      "a");
  auto* rl = req.add_resource_logs();
  Str(rl->mutable_resource()->add_attributes(), "k8s.namespace.name", "prod");
  Str(rl->mutable_resource()->add_attributes(), "k8s.container.name", "api");
  Str(rl->mutable_resource()->add_attributes(), "k8s.pod.name", "");  // empty: no label
  rl->add_scope_logs()->add_log_records()->mutable_body()->set_string_value("b");
  auto streams = MapPb(req);
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].labels, "{service_name=\"unknown_service\"}");
  EXPECT_EQ(streams[1].labels,
            "{k8s_container_name=\"api\", k8s_namespace_name=\"prod\", service_name=\"api\"}");
}

TEST(OtlpMapTest, BodyAndAttributeValuesAsLokiFormatsThem) {
  otlp::ExportLogsServiceRequest req;
  auto* sl = req.add_resource_logs()->add_scope_logs();
  auto body = [&](auto set) {
    auto* lr = sl->add_log_records();
    lr->set_time_unix_nano(1);
    set(lr->mutable_body());
  };
  body([](otlp::AnyValue* v) { v->set_int_value(-12); });
  body([](otlp::AnyValue* v) { v->set_double_value(1.5); });
  body([](otlp::AnyValue* v) { v->set_double_value(1e21); });
  body([](otlp::AnyValue* v) { v->set_double_value(1e-7); });
  body([](otlp::AnyValue* v) { v->set_double_value(100); });
  body([](otlp::AnyValue* v) { v->set_bool_value(true); });
  body([](otlp::AnyValue* v) { v->set_bytes_value("hi!?"); });
  body([](otlp::AnyValue* v) {
    auto* kv = v->mutable_kvlist_value();
    auto* z = kv->add_values();
    z->set_key("z");
    z->mutable_value()->set_string_value("<a&b>\n");
    auto* a = kv->add_values();
    a->set_key("a");
    auto* arr = a->mutable_value()->mutable_array_value();
    arr->add_values()->set_int_value(1);
    arr->add_values()->set_double_value(2.5);
    arr->add_values();  // empty: null
    arr->add_values()->set_bytes_value("x");
  });
  body([](otlp::AnyValue* v) { v->set_double_value(std::numeric_limits<double>::quiet_NaN()); });
  body([](otlp::AnyValue* v) {
    auto* x = v->mutable_array_value()->add_values();
    x->set_double_value(std::numeric_limits<double>::infinity());
  });
  auto streams = MapPb(req);
  ASSERT_EQ(streams.size(), 1u);
  std::vector<std::string> lines;
  for (const auto& e : streams[0].entries) lines.push_back(e.line);
  std::vector<std::string> want = {"-12",
                                   "1.5",
                                   "1e+21",
                                   "1e-7",
                                   "100",
                                   "true",
                                   "aGkhPw==",
                                   R"({"a":[1,2.5,null,"eA=="],"z":"\u003ca\u0026b\u003e\n"})",
                                   "json: unsupported value: NaN",
                                   ""};
  EXPECT_EQ(lines, want);
}

// Loki's TestAttributesToLabels cases ("with attributes", "attributes with
// special chars"), as log attributes (structured metadata, in order).
TEST(OtlpMapTest, LokiAttributesToLabelsCases) {
  otlp::ExportLogsServiceRequest req;
  auto* lr = req.add_resource_logs()->add_scope_logs()->add_log_records();
  lr->set_time_unix_nano(1);
  auto add = [&](const std::string& k) {
    auto* kv = lr->add_attributes();
    kv->set_key(k);
    return kv->mutable_value();
  };
  add("empty");
  add("str")->set_string_value("val");
  add("int")->set_int_value(1);
  add("double")->set_double_value(3.14);
  add("bool")->set_bool_value(true);
  add("bytes")->set_bytes_value(std::string("\x01\x02\x03", 3));
  auto* slice = add("slice")->mutable_array_value();
  slice->add_values()->set_int_value(1);
  slice->add_values()->mutable_array_value()->add_values()->set_string_value("foo");
  auto* fizz = slice->add_values()->mutable_kvlist_value()->add_values();
  fizz->set_key("fizz");
  fizz->mutable_value()->set_string_value("buzz");
  auto* nested = add("nested")->mutable_kvlist_value();
  Str(nested->add_values(), "foo", "bar");
  auto* more = nested->add_values();
  more->set_key("more");
  Str(more->mutable_value()->mutable_kvlist_value()->add_values(), "key", "val");
  add("st.r")->set_string_value("val");
  auto* special = add("nest*ed")->mutable_kvlist_value();
  Str(special->add_values(), "fo@o", "bar");
  auto* more2 = special->add_values();
  more2->set_key("m$ore");
  Str(more2->mutable_value()->mutable_kvlist_value()->add_values(), "k_ey", "val");
  auto streams = MapPb(req);
  ASSERT_EQ(streams.size(), 1u);
  Pairs want = {{"empty", ""},
                {"str", "val"},
                {"int", "1"},
                {"double", "3.14"},
                {"bool", "true"},
                {"bytes", "AQID"},
                {"slice", R"([1,["foo"],{"fizz":"buzz"}])"},
                {"nested_foo", "bar"},
                {"nested_more_key", "val"},
                {"st_r", "val"},
                {"nest_ed_fo_o", "bar"},
                {"nest_ed_m_ore_k_ey", "val"}};
  EXPECT_EQ(streams[0].entries[0].md, want);
}

TEST(OtlpMapTest, LabelNamesAreSanitisedAsLokiDoes) {
  OtlpArena arena;
  auto san = [&](std::string_view in) {
    std::string_view out;
    std::string err;
    if (!SanitizeLabelName(in, &arena, &out, &err)) return "ERR: " + err;
    return std::string(out);
  };
  EXPECT_EQ(san("http.method"), "http_method");
  EXPECT_EQ(san("service_name"), "service_name");
  EXPECT_EQ(san("a..b"), "a_b");
  EXPECT_EQ(san("a__b"), "a_b");
  EXPECT_EQ(san("_private"), "_private");
  EXPECT_EQ(san("1st"), "key_1st");
  EXPECT_EQ(san("__name__"), "__name__");
  EXPECT_EQ(san("k8s.pod.name"), "k8s_pod_name");
  EXPECT_EQ(san("caf\xc3\xa9.x"), "caf_x");
  EXPECT_EQ(san(""), "ERR: label name is empty");
  EXPECT_EQ(san("..."), "ERR: normalization for label name \"...\" resulted in invalid name \"_\"");
  // An attribute whose name cannot be sanitised fails the request, as in Loki.
  otlp::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  Str(rl->mutable_resource()->add_attributes(), "..", "x");
  rl->add_scope_logs()->add_log_records();
  PushRequest pr;
  Status s = DecodePb(req, {}, &pr);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("symbolizer lookup"), std::string::npos) << s.message();
  EXPECT_TRUE(pr.streams.empty());
}

OtlpAttributesRule Rule(OtlpAction a, std::vector<std::string> attrs, std::string regex = "") {
  OtlpAttributesRule r;
  r.action = a;
  r.attributes = std::move(attrs);
  r.regex = std::move(regex);
  EXPECT_EQ(CompileOtlpRule(&r), "");
  return r;
}

TEST(OtlpMapTest, OtlpConfigRules) {
  OtlpConfig cfg;
  cfg.ignore_defaults = true;
  cfg.resource_rules = {Rule(OtlpAction::kDrop, {"host.name"}),
                        Rule(OtlpAction::kIndexLabel, {}, "k8s\\.pod\\..*"),
                        Rule(OtlpAction::kStructuredMetadata, {"service.name"})};
  cfg.scope_rules = {Rule(OtlpAction::kDrop, {"scope.attr"})};
  cfg.log_rules = {Rule(OtlpAction::kIndexLabel, {"http.method"}),
                   Rule(OtlpAction::kDrop, {}, "us.*")};
  cfg.severity_text_as_label = true;
  auto streams = MapPb(FullRequest(), cfg);
  ASSERT_EQ(streams.size(), 2u);
  // The resource's stream exists (as in Loki) but the record went to the one
  // with its log attribute and severity_text labels.
  EXPECT_EQ(streams[0].labels, "{k8s_pod_name=\"pod-7\"}");
  EXPECT_TRUE(streams[0].entries.empty());
  EXPECT_EQ(streams[1].labels,
            "{http_method=\"POST\", k8s_pod_name=\"pod-7\", severity_text=\"ERROR\"}");
  ASSERT_EQ(streams[1].entries.size(), 1u);
  Pairs want = {{"observed_timestamp", "1700000000999999999"},
                {"severity_number", "17"},
                {"severity_text", "ERROR"},
                {"dropped_attributes_count", "2"},
                {"flags", "1"},
                {"trace_id", "5b8efff798038103d269b633813fc60c"},
                {"span_id", "eee19b7ec3c1b174"},
                {"service_name", "checkout"},
                {"scope_name", "io.lib"},
                {"scope_version", "1.0"}};
  EXPECT_EQ(streams[1].entries[0].md, want);
  // Defaults come first unless ignored: service.name stays an index label.
  cfg.ignore_defaults = false;
  streams = MapPb(FullRequest(), cfg);
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].labels, "{k8s_pod_name=\"pod-7\", service_name=\"checkout\"}");
}

TEST(OtlpMapTest, EmptyLabelSetRejectsTheResourceRecords) {
  OtlpConfig cfg;
  cfg.resource_rules = {};
  cfg.ignore_defaults = true;  // service.name present (so no unknown_service) but not a label
  otlp::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  Str(rl->mutable_resource()->add_attributes(), "service.name", "x");
  rl->add_scope_logs()->add_log_records();
  rl->mutable_scope_logs(0)->add_log_records();
  PushRequest pr;
  OtlpMapStats st;
  ASSERT_TRUE(DecodePb(req, cfg, &pr, &st).ok());
  EXPECT_EQ(st.records, 2u);
  EXPECT_EQ(st.rejected, 2u);
  EXPECT_TRUE(pr.streams.empty());
  ASSERT_EQ(pr.errors.size(), 1u);
  EXPECT_EQ(pr.errors[0], "error at least one label pair is required per stream");
}

// The OTLP/JSON form of FullRequest maps to the same streams.
const char* kFullJson = R"({"resourceLogs":[{"resource":{"attributes":[
  {"key":"service.name","value":{"stringValue":"checkout"}},
  {"key":"k8s.pod.name","value":{"stringValue":"pod-7"}},
  {"key":"host.name","value":{"stringValue":"node-1"}}]},
 "scopeLogs":[{"scope":{"name":"io.lib","version":"1.0","attributes":[{"key":"scope.attr","value":{"stringValue":"s"}}]},
  "logRecords":[{"timeUnixNano":"1700000000123456789","observedTimeUnixNano":1700000000999999999,
   "severityNumber":17,"severityText":"ERROR","body":{"stringValue":"payment failed"},
   "attributes":[{"key":"http.method","value":{"stringValue":"POST"}},
    {"key":"user","value":{"kvlistValue":{"values":[{"key":"id","value":{"stringValue":"u1"}},
      {"key":"geo.info","value":{"kvlistValue":{"values":[{"key":"country","value":{"intValue":"49"}}]}}}]}}}],
   "droppedAttributesCount":2,"flags":1,
   "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174"}]}]}]})";

TEST(OtlpJsonTest, SameStreamsAsProtobuf) { EXPECT_EQ(MapJson(kFullJson), MapPb(FullRequest())); }

TEST(OtlpJsonTest, SnakeCaseNamesEnumNamesAndNumbers) {
  auto streams = MapJson(R"({"resource_logs":[{"scope_logs":[{"log_records":[
    {"time_unix_nano":5,"severity_number":"SEVERITY_NUMBER_WARN","body":{"double_value":"Infinity"}},
    {"timeUnixNano":"6","severityNumber":"13","body":{"bytesValue":"aGkhPw"}},
    {"timeUnixNano":"7","unknownField":{"x":1},"body":{"arrayValue":{}}}]}]}]})");
  ASSERT_EQ(streams.size(), 1u);
  ASSERT_EQ(streams[0].entries.size(), 3u);
  EXPECT_EQ(streams[0].entries[0].ts, 5);
  EXPECT_EQ(streams[0].entries[0].md, (Pairs{{"severity_number", "13"}}));
  EXPECT_EQ(streams[0].entries[0].line, "json: unsupported value: +Inf");
  EXPECT_EQ(streams[0].entries[1].md, (Pairs{{"severity_number", "13"}}));
  EXPECT_EQ(streams[0].entries[1].line, "aGkhPw==");
  EXPECT_EQ(streams[0].entries[2].line, "[]");
  EXPECT_TRUE(MapJson("{}").empty());
}

std::string JsonError(const std::string& body) {
  PushRequest pr;
  OtlpMapStats st;
  Status s = DecodeOtlpJson(body, {}, kNow, &pr, &st);
  EXPECT_TRUE(pr.streams.empty());
  return s.ok() ? "OK" : s.message();
}

TEST(OtlpJsonTest, BadInputFailsWithAMessage) {
  EXPECT_EQ(JsonError("{\"resourceLogs\":["), "failed to parse OTLP request: invalid JSON");
  EXPECT_EQ(JsonError("[]"), "failed to parse OTLP request: request is not a JSON object");
  EXPECT_EQ(JsonError(R"({"resourceLogs":{}})"),
            "failed to parse OTLP request: resourceLogs is not an array");
  EXPECT_EQ(JsonError(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]})"),
            "failed to parse OTLP request: invalid traceId \"xyz\": want 32 hex digits");
  EXPECT_EQ(
      JsonError(
          R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"spanId":"zzzzzzzzzzzzzzzz"}]}]}]})"),
      "failed to parse OTLP request: invalid spanId \"zzzzzzzzzzzzzzzz\": not hex");
  EXPECT_EQ(
      JsonError(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"12x"}]}]}]})"),
      "failed to parse OTLP request: timeUnixNano: invalid integer \"12x\"");
  EXPECT_EQ(JsonError(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":-1}]}]}]})"),
            "failed to parse OTLP request: timeUnixNano: negative value");
  EXPECT_EQ(
      JsonError(
          R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":3}}]}]}]})"),
      "failed to parse OTLP request: stringValue is not a string");
  EXPECT_EQ(
      JsonError(
          R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"bytesValue":"!!"}}]}]}]})"),
      "failed to parse OTLP request: bytesValue is not base64");
  EXPECT_EQ(JsonError(R"({"resourceLogs":[{"resource":{"attributes":[1]}}]})"),
            "failed to parse OTLP request: attribute is not an object");
  std::string deep = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)";
  for (int i = 0; i < 200; ++i) deep += R"({"arrayValue":{"values":[)";
  deep += "{}";
  for (int i = 0; i < 200; ++i) deep += "]}}";
  deep += "}]}]}]}";
  EXPECT_EQ(JsonError(deep), "failed to parse OTLP request: AnyValue nested too deeply");
}

std::string WireError(const std::string& data) {
  OtlpLogs logs;
  std::string err;
  return DecodeOtlpLogsWire(data, &logs, &err) ? "OK" : err;
}

TEST(OtlpWireTest, MalformedInputFailsCleanly) {
  EXPECT_EQ(WireError(""), "OK");
  EXPECT_EQ(WireError("\x0a"), "truncated ExportLogsServiceRequest");
  EXPECT_EQ(WireError("\x0a\x05\x12\x03"), "truncated ExportLogsServiceRequest");
  EXPECT_EQ(WireError(std::string("\x78\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12)),
            "truncated ExportLogsServiceRequest");  // varint over 10 bytes
  EXPECT_EQ(WireError("\x08\x01"), "wrong wire type for ExportLogsServiceRequest.resource_logs");
  // ResourceLogs { ScopeLogs { LogRecord { time_unix_nano as a varint } } }
  EXPECT_EQ(WireError(std::string("\x0a\x06\x12\x04\x12\x02\x08\x01", 8)),
            "wrong wire type for LogRecord.time_unix_nano");
  EXPECT_EQ(WireError(std::string("\x0a\x06\x12\x04\x12\x02\x6f\x01", 8)),
            "truncated LogRecord");  // wire type 7
  EXPECT_EQ(WireError(std::string("\x00\x01", 2)),
            "truncated ExportLogsServiceRequest");  // field 0
  // Unknown fields, including groups, are skipped.
  EXPECT_EQ(WireError(std::string("\x78\x05\x7b\x08\x01\x7c", 6)), "OK");
  // A trace id that is not 16 bytes fails the mapping.
  otlp::ExportLogsServiceRequest req;
  req.add_resource_logs()->add_scope_logs()->add_log_records()->set_trace_id("short");
  PushRequest pr;
  Status s = DecodePb(req, {}, &pr);
  EXPECT_EQ(s.message(), "invalid trace_id: 5 bytes, want 16");
  // Nesting past the limit.
  otlp::AnyValue v;
  otlp::AnyValue* cur = &v;
  for (int i = 0; i < 150; ++i) cur = cur->mutable_array_value()->add_values();
  otlp::ExportLogsServiceRequest deep;
  *deep.add_resource_logs()->add_scope_logs()->add_log_records()->mutable_body() = v;
  EXPECT_EQ(WireError(deep.SerializeAsString()), "AnyValue nested too deeply");
}

// Every prefix of a valid request: the same acceptance as the generated
// parser, and random corruptions never crash.
TEST(OtlpWireTest, PrefixesAndCorruptionsMatchOrFailCleanly) {
  std::string data = FullRequest().SerializeAsString();
  for (size_t n = 0; n <= data.size(); ++n) {
    std::string p = data.substr(0, n);
    otlp::ExportLogsServiceRequest ref;
    EXPECT_EQ(WireError(p) == "OK", ref.ParseFromString(p)) << "prefix " << n;
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string c = data;
    for (int k = 0; k < 3; ++k) c[rng() % c.size()] = static_cast<char>(rng());
    PushRequest pr;
    OtlpMapStats st;
    Status s = DecodeOtlpProtobuf(c, {}, kNow, &pr, &st);
    if (s.ok()) {
      for (const auto& ps : pr.streams)
        for (const auto& e : ps.entries) ASSERT_LE(e.n_md, 64u);
    }
  }
}

TEST(OtlpWireTest, MetadataExpansionIsBounded) {
  // 1100 resource attributes copied to each of 4000 records: 4.4M pairs.
  otlp::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  for (int i = 0; i < 1100; ++i)
    Str(rl->mutable_resource()->add_attributes(), "a" + std::to_string(i), "v");
  auto* sl = rl->add_scope_logs();
  for (int i = 0; i < 4000; ++i) sl->add_log_records()->set_time_unix_nano(1);
  PushRequest pr;
  Status s = DecodePb(req, {}, &pr);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("structured metadata entries"), std::string::npos) << s.message();
  EXPECT_TRUE(pr.streams.empty());
}

TEST(OtlpZstdTest, DecodesBoundsAndRejectsCorruptData) {
  std::string raw = FullRequest().SerializeAsString();
  std::string z(ZSTD_compressBound(raw.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 3));
  std::string out;
  ASSERT_TRUE(ZstdDecode(z, 1 << 20, &out).ok());
  EXPECT_EQ(out, raw);
  EXPECT_EQ(ZstdDecode(z, 10, &out).message(),
            "request body too large: more than 10 bytes after decompression");
  EXPECT_EQ(ZstdDecode(z.substr(0, z.size() - 4), 1 << 20, &out).message(),
            "zstd: unexpected end of data");
  EXPECT_FALSE(ZstdDecode("not zstd at all", 1 << 20, &out).ok());
}

TEST(OtlpResponseTest, ProtobufAndJson) {
  EXPECT_EQ(OtlpResponseProtobuf(0, ""), "");
  otlp::ExportLogsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(OtlpResponseProtobuf(3, "too old")));
  EXPECT_EQ(resp.partial_success().rejected_log_records(), 3);
  EXPECT_EQ(resp.partial_success().error_message(), "too old");
  EXPECT_EQ(OtlpResponseJson(0, ""), "{}");
  EXPECT_EQ(OtlpResponseJson(3, "too \"old\""),
            R"({"partialSuccess":{"errorMessage":"too \"old\"","rejectedLogRecords":"3"}})");
  otlp::Status st;
  ASSERT_TRUE(st.ParseFromString(OtlpStatusProtobuf(3, "bad")));
  EXPECT_EQ(st.code(), 3);
  EXPECT_EQ(st.message(), "bad");
  EXPECT_EQ(OtlpStatusJson(3, "bad"), R"({"code":3,"message":"bad"})");
}

}  // namespace
}  // namespace lode::ingest
