#include "ingest/collector/docker_client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace lode::collector {

namespace {

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The socket's error in words a person can act on.
Status ConnectError(const std::string& path, int err) {
  std::string why;
  switch (err) {
    case ENOENT:
      why = "no such socket (is dockerd running? is the socket mounted into lode's container?)";
      break;
    case EACCES:
    case EPERM:
      why =
          "permission denied (run lode as root or as a member of the socket's group, e.g. docker)";
      break;
    case ECONNREFUSED:
      why = "connection refused (dockerd is not running)";
      break;
    default:
      why = std::strerror(err);
  }
  return Status::Unavailable("cannot connect to the Docker daemon at unix://" + path + ": " + why);
}

}  // namespace

Status ParseDockerHost(const std::string& host, std::string* socket_path) {
  const std::string unix_scheme = "unix://";
  std::string p = host;
  if (p.rfind(unix_scheme, 0) == 0) {
    p = p.substr(unix_scheme.size());
  } else if (p.find("://") != std::string::npos) {
    return Status::InvalidArgument("docker host \"" + host +
                                   "\": only unix:// sockets are supported");
  }
  if (p.empty() || p[0] != '/')
    return Status::InvalidArgument("docker host \"" + host + "\": want unix:///absolute/path");
  if (p.size() >= sizeof(sockaddr_un::sun_path))
    return Status::InvalidArgument("docker host \"" + host + "\": socket path too long");
  *socket_path = p;
  return Status::OK();
}

Status HttpResponseParser::ParseHeaders(std::string_view head) {
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // HTTP/1.1 200 OK
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/")
    return Status::IOError("docker: malformed HTTP status line");
  size_t sp = status_line.find(' ');
  status_ = std::atoi(std::string(status_line.substr(sp + 1, 3)).c_str());
  if (status_ < 100) return Status::IOError("docker: malformed HTTP status line");
  bool chunked = false, has_length = false;
  uint64_t length = 0;
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string_view::npos) e = head.size();
    std::string_view line = head.substr(pos, e - pos);
    pos = e + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "transfer-encoding") {
      chunked = Lower(value).find("chunked") != std::string::npos;
    } else if (name == "content-length") {
      has_length = true;
      length = std::strtoull(std::string(value).c_str(), nullptr, 10);
    } else if (name == "content-type") {
      content_type_ = std::string(value);
    }
  }
  if (chunked) {
    state_ = kChunkSize;
  } else if (has_length) {
    remaining_ = length;
    state_ = length ? kBodyLength : kDone;
  } else if (status_ == 204 || status_ == 304) {
    state_ = kDone;
  } else {
    state_ = kBodyClose;
  }
  return Status::OK();
}

Status HttpResponseParser::Feed(std::string_view data, std::string* body) {
  while (!data.empty() && state_ != kDone) {
    switch (state_) {
      case kHeaders: {
        size_t old = line_.size();
        line_.append(data);
        size_t end = line_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
        if (end == std::string::npos) {
          if (line_.size() > 64 * 1024) return Status::IOError("docker: HTTP head too large");
          return Status::OK();
        }
        std::string head = line_.substr(0, end);
        size_t used = end + 4 - old;  // bytes of `data` that belong to the head
        line_.clear();
        LODE_RETURN_IF_ERROR(ParseHeaders(head));
        data.remove_prefix(used);
        break;
      }
      case kBodyLength: {
        size_t n = data.size() < remaining_ ? data.size() : static_cast<size_t>(remaining_);
        body->append(data.data(), n);
        data.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) state_ = kDone;
        break;
      }
      case kBodyClose:
        body->append(data);
        data = {};
        break;
      case kChunkSize:
      case kTrailer: {
        size_t nl = data.find('\n');
        if (nl == std::string_view::npos) {
          line_.append(data);
          if (line_.size() > 4096) return Status::IOError("docker: malformed chunked encoding");
          return Status::OK();
        }
        line_.append(data.substr(0, nl));
        data.remove_prefix(nl + 1);
        std::string line = std::string(Trim(line_));
        line_.clear();
        if (state_ == kTrailer) {
          if (line.empty()) state_ = kDone;  // the blank line after the trailers
          break;
        }
        char* end = nullptr;
        remaining_ = std::strtoull(line.c_str(), &end, 16);  // extensions after ';' ignored
        if (end == line.c_str()) return Status::IOError("docker: malformed chunk size");
        state_ = remaining_ ? kChunkData : kTrailer;
        break;
      }
      case kChunkData: {
        size_t n = data.size() < remaining_ ? data.size() : static_cast<size_t>(remaining_);
        body->append(data.data(), n);
        data.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) state_ = kChunkCrlf;
        break;
      }
      case kChunkCrlf: {
        size_t nl = data.find('\n');
        if (nl == std::string_view::npos) return Status::OK();  // the CR alone
        data.remove_prefix(nl + 1);
        state_ = kChunkSize;
        break;
      }
      case kDone:
        break;
    }
  }
  return Status::OK();
}

void HttpResponseParser::OnEof() {
  if (state_ == kBodyClose) state_ = kDone;
}

Status FrameDemuxer::Feed(std::string_view data,
                          const std::function<void(int stream, std::string_view payload)>& frame) {
  buf_.append(data);
  size_t pos = 0;
  while (buf_.size() - pos >= 8) {
    const auto* h = reinterpret_cast<const unsigned char*>(buf_.data() + pos);
    if (h[0] > 3 || h[1] || h[2] || h[3]) {
      buf_.clear();
      return Status::IOError("docker: malformed log stream frame header");
    }
    uint32_t size = (uint32_t{h[4]} << 24) | (uint32_t{h[5]} << 16) | (uint32_t{h[6]} << 8) | h[7];
    if (buf_.size() - pos - 8 < size) break;
    frame(h[0], std::string_view(buf_.data() + pos + 8, size));
    pos += 8 + size;
  }
  buf_.erase(0, pos);
  return Status::OK();
}

DockerConnection::~DockerConnection() {
  if (fd_ >= 0) close(fd_);
}

Status DockerConnection::Open(const std::string& socket_path, const std::string& target,
                              int timeout_ms, std::unique_ptr<DockerConnection>* out) {
  std::unique_ptr<DockerConnection> c(new DockerConnection());
  c->fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->fd_ < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path)
    return Status::InvalidArgument("docker socket path too long: " + socket_path);
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  if (connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return ConnectError(socket_path, errno);
  fcntl(c->fd_, F_SETFL, fcntl(c->fd_, F_GETFL) | O_NONBLOCK);
  std::string req = "GET " + target +
                    " HTTP/1.1\r\nHost: docker\r\nUser-Agent: lode-collector\r\n"
                    "Accept: application/json\r\nConnection: close\r\n\r\n";
  int64_t deadline = MonoMs() + timeout_ms;
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(c->fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return Status::IOError("docker: writing the request: " + std::string(std::strerror(errno)));
    int left = static_cast<int>(deadline - MonoMs());
    if (left <= 0) return Status::DeadlineExceeded("docker: timeout writing the request");
    pollfd p{c->fd_, POLLOUT, 0};
    poll(&p, 1, left);
  }
  *out = std::move(c);
  return Status::OK();
}

Status DockerConnection::ReadSome(std::string* body, bool* done) {
  *done = false;
  char buf[65536];
  for (int i = 0; i < 16; ++i) {  // at most 1 MiB per call: others get their turn
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      LODE_RETURN_IF_ERROR(parser_.Feed(std::string_view(buf, static_cast<size_t>(n)), body));
      if (parser_.complete()) {
        *done = true;
        return Status::OK();
      }
      continue;
    }
    if (n == 0) {
      parser_.OnEof();
      *done = true;
      if (!parser_.headers_done())
        return Status::IOError("docker: the connection closed before a response");
      return Status::OK();
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::OK();
    *done = true;
    return Status::IOError("docker: reading: " + std::string(std::strerror(errno)));
  }
  return Status::OK();
}

Status DockerGet(const std::string& socket_path, const std::string& target, int timeout_ms,
                 size_t max_bytes, int* status, std::string* body) {
  std::unique_ptr<DockerConnection> c;
  LODE_RETURN_IF_ERROR(DockerConnection::Open(socket_path, target, timeout_ms, &c));
  int64_t deadline = MonoMs() + timeout_ms;
  body->clear();
  for (;;) {
    bool done = false;
    LODE_RETURN_IF_ERROR(c->ReadSome(body, &done));
    if (body->size() > max_bytes)
      return Status::IOError("docker: GET " + target + ": answer larger than " +
                             std::to_string(max_bytes) + " bytes");
    if (done) break;
    int left = static_cast<int>(deadline - MonoMs());
    if (left <= 0) return Status::DeadlineExceeded("docker: GET " + target + ": timeout");
    pollfd p{c->fd(), POLLIN, 0};
    poll(&p, 1, left);
  }
  *status = c->response().status();
  return Status::OK();
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      o += static_cast<char>(c);
    } else {
      o += '%';
      o += kHex[c >> 4];
      o += kHex[c & 15];
    }
  }
  return o;
}

}  // namespace lode::collector
