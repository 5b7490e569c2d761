// Status: the error value that crosses module borders (LevelDB style).
//
// A Status is either OK or carries a code and a human-readable message. User
// input errors (kInvalidArgument, ...) become HTTP 4xx at the server with the
// message as the body, so messages are written for the user and read like
// Loki's ("parse error at line 1, col 11: ...").
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace lode {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,   // bad user input: HTTP 400
    kNotFound,          // HTTP 404
    kUnauthorized,      // HTTP 401
    kTooManyRequests,   // rate limited: HTTP 429
    kLimitExceeded,     // a query/ingest limit: HTTP 400
    kUnsupported,       // unsupported media type or encoding: HTTP 415
    kCancelled,         // the client went away: HTTP 499
    kDeadlineExceeded,  // a query ran past its timeout: HTTP 504
    kUnavailable,       // temporarily refused (disk full): HTTP 503, retryable
    kIOError,           // storage failure: HTTP 500
    kInternal,          // invariant broken: HTTP 500
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Unauthorized(std::string msg) {
    return Status(Code::kUnauthorized, std::move(msg));
  }
  static Status TooManyRequests(std::string msg) {
    return Status(Code::kTooManyRequests, std::move(msg));
  }
  static Status LimitExceeded(std::string msg) {
    return Status(Code::kLimitExceeded, std::move(msg));
  }
  static Status Unsupported(std::string msg) { return Status(Code::kUnsupported, std::move(msg)); }
  static Status Cancelled(std::string msg) { return Status(Code::kCancelled, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status DeadlineExceeded(std::string msg) {
    return Status(Code::kDeadlineExceeded, std::move(msg));
  }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return msg_; }
  std::string ToString() const { return ok() ? "OK" : msg_; }

 private:
  Status(Code c, std::string m) : code_(c), msg_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string msg_;
};

#define LODE_RETURN_IF_ERROR(expr) \
  do {                             \
    ::lode::Status _st = (expr);   \
    if (!_st.ok()) return _st;     \
  } while (0)

}  // namespace lode
