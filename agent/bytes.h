// Bytes: a growable byte buffer whose growth is not zero-filled (a
// std::string's resize is), so pread and snappy write straight into it.
// The shipper joins the buffered records' requests and compresses them in
// two of these, reused from push to push.
//
// Thread-safety: none (one owner).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace lode::agent {

class Bytes {
 public:
  const char* data() const { return buf_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {buf_.get(), size_}; }

  // n more bytes at the end, uninitialised; valid until the next Extend.
  char* Extend(size_t n) {
    if (size_ + n > cap_) {
      size_t cap = std::max(size_ + n, cap_ * 2);
      std::unique_ptr<char[]> next(new char[cap]);
      if (size_) std::memcpy(next.get(), buf_.get(), size_);
      buf_ = std::move(next);
      cap_ = cap;
    }
    char* p = buf_.get() + size_;
    size_ += n;
    return p;
  }
  // Keeps the first n bytes (n <= size()).
  void Truncate(size_t n) { size_ = n; }
  // Drops the first n bytes (n <= size()).
  void Erase(size_t n) {
    std::memmove(buf_.get(), buf_.get() + n, size_ - n);
    size_ -= n;
  }
  void clear() { size_ = 0; }
  // Gives the memory back.
  void Release() {
    buf_.reset();
    size_ = cap_ = 0;
  }

 private:
  std::unique_ptr<char[]> buf_;
  size_t size_ = 0, cap_ = 0;
};

}  // namespace lode::agent
