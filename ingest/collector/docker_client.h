// The Docker Engine API over its unix socket: just enough HTTP/1.1 for the
// container collector (docker_source.h).
//
// Every request is a GET on its own connection (`Connection: close`). A
// response body is delimited by Content-Length, by chunked transfer encoding
// (Docker's streaming endpoints: /events, /containers/{id}/logs?follow=1) or
// by the end of the connection. DockerConnection is non-blocking after the
// request is written, so that one thread can poll(2) the events stream and
// the log stream of every container at once.
//
// A log stream of a container without a TTY is multiplexed: each message is
// one frame `[stream, 0, 0, 0, size (4 bytes, big-endian)] payload`, stream 1
// stdout, 2 stderr, 3 an error of the daemon (FrameDemuxer). A TTY
// container's stream is raw bytes, all of them stdout.
//
// Not thread-safe: one thread owns each object.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace lode::collector {

// `unix:///var/run/docker.sock` (or a plain absolute path) → the socket's
// path. Other schemes (tcp://, ssh://) are not supported.
Status ParseDockerHost(const std::string& host, std::string* socket_path);

// Incremental HTTP/1.1 response parser: status line, headers, then the body
// decoded (chunked or not) into the caller's string.
class HttpResponseParser {
 public:
  // Consumes `data`; decoded body bytes are appended to *body. An error means
  // the response is malformed (the connection is useless afterwards).
  Status Feed(std::string_view data, std::string* body);
  // The peer closed the connection: a body without length ends here.
  void OnEof();

  bool headers_done() const { return state_ > kHeaders; }
  bool complete() const { return state_ == kDone; }
  int status() const { return status_; }
  const std::string& content_type() const { return content_type_; }

 private:
  enum State {
    kHeaders,
    kBodyLength,
    kBodyClose,
    kChunkSize,
    kChunkData,
    kChunkCrlf,
    kTrailer,
    kDone
  };
  Status ParseHeaders(std::string_view head);
  State state_ = kHeaders;
  std::string line_;  // bytes of the head or of a chunk-size/trailer line not yet complete
  int status_ = 0;
  std::string content_type_;
  uint64_t remaining_ = 0;  // of the body (Content-Length) or of the current chunk
};

// Splits a multiplexed log stream into frames.
class FrameDemuxer {
 public:
  // Calls frame(stream, payload) for each complete frame in what was fed so
  // far (payload valid during the call). A frame header with a stream byte
  // other than 0..3 is an error (the stream is not multiplexed).
  Status Feed(std::string_view data,
              const std::function<void(int stream, std::string_view payload)>& frame);
  size_t held() const { return buf_.size(); }

 private:
  std::string buf_;
};

// One GET on the socket whose response is read piece by piece.
class DockerConnection {
 public:
  // Connects and writes the request (blocking, at most timeout_ms); the
  // response is then read with ReadSome. Errors say what is wrong with the
  // socket: missing, permission denied, refused.
  static Status Open(const std::string& socket_path, const std::string& target, int timeout_ms,
                     std::unique_ptr<DockerConnection>* out);
  ~DockerConnection();
  DockerConnection(const DockerConnection&) = delete;
  DockerConnection& operator=(const DockerConnection&) = delete;

  int fd() const { return fd_; }
  const HttpResponseParser& response() const { return parser_; }

  // Reads what the socket has now (non-blocking) and appends the decoded
  // body to *body. *done: the response is complete or the peer closed.
  Status ReadSome(std::string* body, bool* done);

 private:
  DockerConnection() = default;
  int fd_ = -1;
  HttpResponseParser parser_;
};

// GET `target` and the whole body (at most max_bytes), within timeout_ms.
Status DockerGet(const std::string& socket_path, const std::string& target, int timeout_ms,
                 size_t max_bytes, int* status, std::string* body);

// Percent-encodes a query-string value.
std::string UrlEncode(std::string_view s);

}  // namespace lode::collector
