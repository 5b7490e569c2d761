#include "ingest/collector/log_sources.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest/collector/generators.h"
#include "ingest/collector/positions.h"

namespace lode::collector {
namespace {

TEST(LogSources, ParsesTheIssueExampleWithRelativePaths) {
  std::vector<LogSource> out;
  Status s = ParseLogSourcesYaml(R"(log_sources:
  - name: data-store
    path: ../data-store/logs
    labels: {miniapp: stock-miniapp, module: data-store, environment: development}
    patterns: ["*.log", "prompt_manager*.log"]
)",
                                 "/apps/x/log-sources.yml", "/apps/x", &out);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "data-store");
  EXPECT_EQ(out[0].path, "/apps/data-store/logs");
  ASSERT_EQ(out[0].labels.size(), 3u);
  EXPECT_EQ(out[0].labels[0].name, "environment");  // sorted
  EXPECT_EQ(out[0].patterns.size(), 2u);
  EXPECT_FALSE(out[0].start_at_end);
  EXPECT_EQ(out[0].timestamp.mode, TimestampOptions::Mode::kAuto);
}

TEST(LogSources, OptionalKeys) {
  std::vector<LogSource> out;
  Status s = ParseLogSourcesYaml(R"(log_sources:
  - name: a
    path: /var/log/a
    exclude: ["*.gz"]
    start_at: end
    labels_from_path: '(?P<service>[^/]+)\.log$'
    multiline: {firstline: '^\d{4}-', max_lines: 50, max_wait: 500ms}
    timestamp: {field: ts, format: unix_ms}
)",
                                 "f.yml", "/", &out);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(out[0].start_at_end);
  EXPECT_TRUE(out[0].has_multiline);
  EXPECT_EQ(out[0].multiline.max_lines, 50u);
  EXPECT_EQ(out[0].multiline.max_wait_ns, 500000000);
  EXPECT_EQ(out[0].timestamp.mode, TimestampOptions::Mode::kField);
  EXPECT_EQ(out[0].timestamp.format, "unix_ms");
}

void ExpectError(const std::string& yaml, const std::string& want) {
  std::vector<LogSource> out;
  Status s = ParseLogSourcesYaml(yaml, "/etc/ls.yml", "/etc", &out);
  ASSERT_FALSE(s.ok()) << yaml;
  EXPECT_NE(s.message().find(want), std::string::npos) << s.message();
}

TEST(LogSources, ErrorsNamePathLineAndKey) {
  ExpectError("log_sources:\n  - name: a\n    path: x\n    labels: {my-label: v}\n",
              "/etc/ls.yml:4: log_sources[0].labels: invalid label name \"my-label\"");
  ExpectError("log_sources:\n  - name: a\n    path: x\n    colour: red\n",
              "/etc/ls.yml:4: log_sources[0].colour: unknown key");
  ExpectError("log_sources:\n  - name: a\n", "log_sources[0].path: missing");
  ExpectError("log_sources:\n  - name: a\n    path: x\n    start_at: middle\n",
              ":4: log_sources[0].start_at");
  ExpectError("log_sources:\n  - name: a\n    path: x\n    multiline: {firstline: '(('}\n",
              "log_sources[0].multiline.firstline: invalid regex");
  ExpectError("log_sources:\n  - name: a\n    path: x\n  - name: a\n    path: y\n",
              "source name \"a\" is already used");
  ExpectError("log_sources: [\n", "/etc/ls.yml:");
  ExpectError("sources: []\n", "sources: unknown key");
  ExpectError("log_sources:\n  - name: a\n    path: x\n    labels_from_path: 'x(.*)'\n",
              "no named group");
}

TEST(LogSources, HttpJson) {
  std::vector<LogSource> out;
  Status s = ParseLogSourcesJson(
      R"([{"name": "h", "type": "file", "path": "/var/log/h", "labels": {"app": "h"}, "patterns": ["*.log"]}])",
      "http://x/", &out);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(out[0].path, "/var/log/h");
  out.clear();
  EXPECT_FALSE(
      ParseLogSourcesJson(R"([{"name": "h", "type": "docker", "path": "/x"}])", "u", &out).ok());
  EXPECT_FALSE(ParseLogSourcesJson(R"([{"name": "h", "path": "relative"}])", "u", &out).ok());
}

TEST(Positions, RoundTrip) {
  Position p;
  p.offset = 12345;
  p.fp = {1024, 0xdeadbeefcafe};
  p.mtime_ns = 1700000000123456789;
  p.path = "/var/log/a b.log";
  std::string key = PositionKey("src.1", {66306, 131});
  std::string source;
  FileKey fk;
  Position q;
  ASSERT_TRUE(DecodePosition(key, EncodePosition(p), &source, &fk, &q));
  EXPECT_EQ(source, "src.1");
  EXPECT_EQ(fk.dev, 66306u);
  EXPECT_EQ(fk.ino, 131u);
  EXPECT_EQ(q.offset, p.offset);
  EXPECT_EQ(q.fp.hash, p.fp.hash);
  EXPECT_EQ(q.mtime_ns, p.mtime_ns);
  EXPECT_EQ(q.path, p.path);
  EXPECT_FALSE(DecodePosition(key, "garbage", &source, &fk, &q));
}

TEST(Generators, PromtailConfigAndComposeVolumes) {
  std::vector<LogSource> out;
  ASSERT_TRUE(
      ParseLogSourcesYaml("log_sources:\n  - name: a\n    path: /srv/a/logs\n    labels: {app: a}\n"
                          "    patterns: ['*.log', 'x*.txt']\n  - name: b\n    path: /srv/b\n",
                          "f", "/", &out)
          .ok());
  std::string p = PromtailConfig(out, {});
  EXPECT_NE(p.find("job_name: \"a\""), std::string::npos) << p;
  EXPECT_NE(p.find("__path__: \"/srv/a/logs/*.log\""), std::string::npos) << p;
  EXPECT_NE(p.find("__path__: \"/srv/a/logs/x*.txt\""), std::string::npos) << p;
  EXPECT_NE(p.find("app: \"a\""), std::string::npos) << p;
  GeneratorOptions g;
  g.container_root = "/logs";
  std::string v = ComposeVolumes(out, g);
  EXPECT_NE(v.find("- /srv/a/logs:/logs/a:ro"), std::string::npos) << v;
  EXPECT_NE(v.find("- /srv/b:/logs/b:ro"), std::string::npos) << v;
}

}  // namespace
}  // namespace lode::collector
