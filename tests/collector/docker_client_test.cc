// The Docker client's pieces without a daemon: HTTP response parsing with
// chunked transfer encoding, the 8-byte frame demultiplexer, docker_sources
// parsing, positions.
#include "ingest/collector/docker_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest/collector/docker_config.h"
#include "ingest/collector/positions.h"

namespace lode::collector {
namespace {

std::string Frame(int stream, const std::string& payload) {
  std::string f(8, '\0');
  f[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  f[4] = static_cast<char>(n >> 24);
  f[5] = static_cast<char>(n >> 16);
  f[6] = static_cast<char>(n >> 8);
  f[7] = static_cast<char>(n);
  return f + payload;
}

TEST(DockerHttp, ChunkedBodyFedInEverySplit) {
  const std::string body = "hello, chunked world\nsecond line";
  std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  wire += "7\r\n" + body.substr(0, 7) + "\r\n";
  wire += "19;ext=1\r\n" + body.substr(7) + "\r\n";  // 25 bytes
  wire += "0\r\n\r\n";
  for (size_t split = 0; split <= wire.size(); ++split) {
    HttpResponseParser p;
    std::string out;
    ASSERT_TRUE(p.Feed(std::string_view(wire).substr(0, split), &out).ok());
    ASSERT_TRUE(p.Feed(std::string_view(wire).substr(split), &out).ok());
    EXPECT_EQ(out, body) << "split at " << split;
    EXPECT_TRUE(p.complete());
    EXPECT_EQ(p.status(), 200);
    EXPECT_EQ(p.content_type(), "application/vnd.docker.multiplexed-stream");
  }
  // Byte by byte, and incomplete without the last chunk.
  HttpResponseParser p;
  std::string out;
  for (size_t i = 0; i + 5 < wire.size(); ++i) ASSERT_TRUE(p.Feed(wire.substr(i, 1), &out).ok());
  EXPECT_EQ(out, body);
  EXPECT_FALSE(p.complete());
}

TEST(DockerHttp, ContentLengthAndErrors) {
  HttpResponseParser p;
  std::string out;
  const std::string msg = "{\"message\":\"No such container\"}";
  std::string wire =
      "HTTP/1.1 404 Not Found\r\nContent-Length: " + std::to_string(msg.size()) + "\r\n\r\n" + msg;
  ASSERT_TRUE(p.Feed(wire.substr(0, wire.size() - 4), &out).ok());
  EXPECT_FALSE(p.complete());
  ASSERT_TRUE(p.Feed(wire.substr(wire.size() - 4) + "extra", &out).ok());
  EXPECT_TRUE(p.complete());
  EXPECT_EQ(p.status(), 404);
  EXPECT_EQ(out, "{\"message\":\"No such container\"}");

  HttpResponseParser bad;
  EXPECT_FALSE(bad.Feed("SSH-2.0-OpenSSH\r\n\r\n", &out).ok());
  HttpResponseParser badchunk;
  EXPECT_FALSE(
      badchunk.Feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &out).ok());
}

TEST(DockerFrames, DemultiplexesAcrossFeeds) {
  std::string wire = Frame(1, "2026-12-05T07:00:37.005828300Z hello\n") +
                     Frame(2, "2026-12-05T07:00:37.005770862Z err\n") + Frame(1, "") +
                     Frame(1, std::string(70000, 'x'));
  for (size_t split : {size_t{0}, size_t{3}, size_t{8}, size_t{20}, size_t{100}, wire.size()}) {
    FrameDemuxer d;
    std::vector<std::pair<int, std::string>> got;
    auto f = [&](int s, std::string_view p) { got.push_back({s, std::string(p)}); };
    ASSERT_TRUE(d.Feed(std::string_view(wire).substr(0, split), f).ok());
    ASSERT_TRUE(d.Feed(std::string_view(wire).substr(split), f).ok());
    ASSERT_EQ(got.size(), 4u) << split;
    EXPECT_EQ(got[0], std::make_pair(1, std::string("2026-12-05T07:00:37.005828300Z hello\n")));
    EXPECT_EQ(got[1].first, 2);
    EXPECT_EQ(got[2].second, "");
    EXPECT_EQ(got[3].second.size(), 70000u);
    EXPECT_EQ(d.held(), 0u);
  }
  FrameDemuxer d;
  EXPECT_FALSE(d.Feed("2026-12-05T07:00:37Z raw tty text\n", [](int, std::string_view) {}).ok());
}

TEST(DockerHost, UnixSocketsOnly) {
  std::string p;
  ASSERT_TRUE(ParseDockerHost("unix:///var/run/docker.sock", &p).ok());
  EXPECT_EQ(p, "/var/run/docker.sock");
  ASSERT_TRUE(ParseDockerHost("/run/user/1000/docker.sock", &p).ok());
  EXPECT_EQ(p, "/run/user/1000/docker.sock");
  EXPECT_FALSE(ParseDockerHost("tcp://127.0.0.1:2375", &p).ok());
  EXPECT_FALSE(ParseDockerHost("unix://relative.sock", &p).ok());
  EXPECT_FALSE(ParseDockerHost("unix:///" + std::string(200, 'a'), &p).ok());
}

// The errors a person sees for a socket that is missing, refused or not
// theirs (permission denied: a listening socket of root's, mode 0600,
// connected to by uid 65534).
TEST(DockerHost, ConnectErrorsSayWhatIsWrong) {
  char tmpl[] = "/tmp/ldc-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/d.sock";
  std::unique_ptr<DockerConnection> c;
  Status s = DockerConnection::Open(path, "/_ping", 1000, &c);
  EXPECT_EQ(s.message(), "cannot connect to the Docker daemon at unix://" + path +
                             ": no such socket (is dockerd running? is the socket mounted into "
                             "lode's container?)");
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  s = DockerConnection::Open(path, "/_ping", 1000, &c);  // bound, not listening
  EXPECT_NE(s.message().find("connection refused (dockerd is not running)"), std::string::npos)
      << s.message();
  ASSERT_EQ(listen(fd, 4), 0);
  chmod(path.c_str(), 0600);
  chmod(dir.c_str(), 0755);
  if (geteuid() == 0) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(p[0]);
      std::string msg = "setuid failed";
      if (setgid(65534) == 0 && setuid(65534) == 0) {
        std::unique_ptr<DockerConnection> cc;
        msg = DockerConnection::Open(path, "/_ping", 1000, &cc).message();
      }
      (void)!write(p[1], msg.data(), msg.size());
      _exit(0);
    }
    close(p[1]);
    std::string msg;
    char b[512];
    ssize_t n;
    while ((n = read(p[0], b, sizeof b)) > 0) msg.append(b, static_cast<size_t>(n));
    close(p[0]);
    waitpid(pid, nullptr, 0);
    EXPECT_EQ(msg, "cannot connect to the Docker daemon at unix://" + path +
                       ": permission denied (run lode as root or as a member of the socket's "
                       "group, e.g. docker)");
  }
  close(fd);
  unlink(path.c_str());
  rmdir(dir.c_str());
}

TEST(DockerSourcesConfig, ParsesEveryKey) {
  std::vector<DockerSourceConfig> out;
  Status s = ParseDockerSourcesYaml(R"(
- name: stack
  host: unix:///tmp/d.sock
  filters: {label: ["com.docker.compose.project=aixcl"], status: running}
  labels: {env: prod}
  labels_from_container_labels: {team: org.example.team}
  multiline: {firstline: '^\d{4}-', max_lines: 10, max_wait: 1s}
  timestamp: {field: ts, format: unix_ms}
  refresh: 2s
- name: other
  labels_from_container_labels: [org.example.team, "9lives"]
)",
                                    &out);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].host, "unix:///tmp/d.sock");
  EXPECT_EQ(DockerFiltersJson(out[0].filters),
            R"({"label":["com.docker.compose.project=aixcl"],"status":["running"]})");
  EXPECT_EQ(LabelsToString(out[0].labels), "{env=\"prod\"}");
  ASSERT_EQ(out[0].labels_from_container_labels.size(), 1u);
  EXPECT_EQ(out[0].labels_from_container_labels[0].first, "team");
  EXPECT_TRUE(out[0].has_multiline);
  EXPECT_EQ(out[0].multiline.max_lines, 10u);
  EXPECT_TRUE(out[0].line_timestamp);
  EXPECT_EQ(out[0].timestamp.format, "unix_ms");
  EXPECT_EQ(out[0].refresh_ns, 2000000000LL);
  EXPECT_EQ(out[1].host, "unix:///var/run/docker.sock");
  EXPECT_FALSE(out[1].line_timestamp);
  ASSERT_EQ(out[1].labels_from_container_labels.size(), 2u);
  EXPECT_EQ(out[1].labels_from_container_labels[0].first, "org_example_team");
  EXPECT_EQ(out[1].labels_from_container_labels[1].first, "_lives");
}

TEST(DockerSourcesConfig, ErrorsNameTheKey) {
  std::vector<DockerSourceConfig> out;
  auto err = [&](const std::string& yaml) {
    Status s = ParseDockerSourcesYaml(yaml, &out);
    return s.ok() ? std::string("OK") : s.message();
  };
  EXPECT_EQ(
      err("- {host: tcp://h:2375}"),
      "config: docker_sources[0].host: docker host \"tcp://h:2375\": only unix:// sockets are "
      "supported");
  EXPECT_EQ(err("- {labels: {container: x}}"),
            "config: docker_sources[0].labels: label \"container\" is set by the collector");
  EXPECT_EQ(err("- {name: a}\n- {name: a}"),
            "config: docker_sources[1].name: source name \"a\" is already used");
  EXPECT_EQ(err("- {multiline: {firstline: '('}}")
                .rfind("config: docker_sources[0].multiline.firstline: invalid regex", 0),
            0u);
  EXPECT_EQ(err("- {timestamp: read_time}"),
            "config: docker_sources[0].timestamp: want docker, auto or {field, format}, got "
            "\"read_time\"");
  EXPECT_EQ(err("- {refresh: 10ms}"),
            "config: docker_sources[0].refresh: invalid duration \"10ms\" (at least 1s)");
  EXPECT_EQ(err("- {bogus: 1}"), "config: docker_sources[0].bogus: unknown key");
  EXPECT_EQ(err("{a: 1}"), "config: docker_sources: expected a list of sources");
}

TEST(DockerPositions, RoundTripAndDistinctFromFiles) {
  DockerPosition p;
  p.out = {1796454037005828300LL, 2};
  p.err = {1796454037005770862LL, 1};
  p.name = "aixcl-postgres-1";
  std::string id(64, 'a');
  std::string key = DockerPositionKey("docker", id);
  EXPECT_EQ(key, "collector/docker/docker/" + id);
  std::string source, cid;
  DockerPosition q;
  ASSERT_TRUE(DecodeDockerPosition(key, EncodeDockerPosition(p), &source, &cid, &q));
  EXPECT_EQ(source, "docker");
  EXPECT_EQ(cid, id);
  EXPECT_EQ(q.out, p.out);
  EXPECT_EQ(q.err, p.err);
  EXPECT_EQ(q.name, p.name);
  // The file collector reads the same prefix and must not take it for a file.
  std::string fsource;
  FileKey fk;
  Position fp;
  EXPECT_FALSE(DecodePosition(key, EncodeDockerPosition(p), &fsource, &fk, &fp));
  EXPECT_FALSE(
      DecodeDockerPosition(PositionKey("docker", FileKey{1, 2}), "1 0 0 0 0 x", &source, &cid, &q));
  // Stream positions order by timestamp, then count.
  EXPECT_TRUE((DockerStreamPosition{5, 9}) < (DockerStreamPosition{6, 0}));
  EXPECT_TRUE((DockerStreamPosition{5, 1}) < (DockerStreamPosition{5, 2}));
}

}  // namespace
}  // namespace lode::collector
