// A cursor over the bytes of one protobuf message, for the hand-written
// zero-copy wire decoders (push_wire.cc, otlp_wire.cc). Every read checks
// bounds and returns false on malformed input: truncated data, a varint
// longer than 10 bytes, field number 0, wire types 6 and 7, unbalanced
// groups, groups nested deeper than kMaxGroupDepth.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace lode::ingest::wire {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5
};

// Groups nest at most this deep inside one unknown field (protobuf's default
// recursion limit is 100).
constexpr int kMaxGroupDepth = 100;

class Cursor {
 public:
  explicit Cursor(std::string_view m) : p_(m.data()), end_(m.data() + m.size()) {}

  bool done() const { return p_ >= end_; }

  bool Varint(uint64_t* v) {
    if (p_ < end_ && static_cast<unsigned char>(*p_) < 0x80) {  // one-byte fast path
      *v = static_cast<unsigned char>(*p_++);
      return true;
    }
    uint64_t r = 0;
    for (int shift = 0; shift < 70 && p_ < end_; shift += 7) {
      uint64_t b = static_cast<unsigned char>(*p_++);
      r |= (b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *v = r;
        return true;
      }
    }
    return false;  // truncated or longer than 10 bytes
  }

  bool Tag(uint32_t* field, uint32_t* wire_type) {
    uint64_t t;
    if (!Varint(&t) || t > 0xffffffffu) return false;
    *field = static_cast<uint32_t>(t >> 3);
    *wire_type = static_cast<uint32_t>(t & 7);
    return *field != 0;
  }

  bool Bytes(std::string_view* out) {
    uint64_t n;
    if (!Varint(&n) || n > static_cast<uint64_t>(end_ - p_)) return false;
    *out = std::string_view(p_, n);
    p_ += n;
    return true;
  }

  bool Fixed64(uint64_t* v) {
    if (end_ - p_ < 8) return false;
    unsigned char b[8];
    std::memcpy(b, p_, 8);
    uint64_t r = 0;
    for (int i = 7; i >= 0; --i) r = (r << 8) | b[i];
    *v = r;
    p_ += 8;
    return true;
  }

  bool Fixed32(uint32_t* v) {
    if (end_ - p_ < 4) return false;
    unsigned char b[4];
    std::memcpy(b, p_, 4);
    *v = static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
         static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
    p_ += 4;
    return true;
  }

  // Skips the value of a field with the given wire type (`field` is needed
  // to match the end of a group).
  bool Skip(uint32_t field, uint32_t wire_type, int depth = 0) {
    uint64_t v;
    std::string_view s;
    switch (wire_type) {
      case kVarint:
        return Varint(&v);
      case kFixed64:
        return Advance(8);
      case kLen:
        return Bytes(&s);
      case kFixed32:
        return Advance(4);
      case kStartGroup: {
        if (depth >= kMaxGroupDepth) return false;
        uint32_t f, wt;
        while (Tag(&f, &wt)) {
          if (wt == kEndGroup) return f == field;
          if (!Skip(f, wt, depth + 1)) return false;
        }
        return false;
      }
      default:
        return false;  // a stray end group, or wire types 6 and 7
    }
  }

 private:
  bool Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace lode::ingest::wire
