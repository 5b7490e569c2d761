#include "storage/line_codec.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <vector>

#include "base/coding.h"
#include "storage/byte_lanes.h"
#include "storage/chunk.h"

namespace lode {

namespace {

constexpr uint8_t kKindToken = 0;
constexpr uint8_t kKindTime = 0x80;
constexpr uint8_t kTimeT = 0x40;      // 'T' between date and time (else ' ')
constexpr uint8_t kTimeComma = 0x20;  // ',' before the fraction (else '.')
constexpr uint8_t kTimeDigits = 0x0f;
// With kTimeOther set, the low bits name another layout, in whole seconds.
constexpr uint8_t kTimeOther = 0x10;
constexpr uint8_t kTimeCommonLog = 0;  // "dd/Mon/yyyy:hh:mm:ss" (nginx, Apache)
constexpr uint8_t kTimeSyslog = 1;     // "Mon _d hh:mm:ss" (BSD syslog; no year)

constexpr char kMonthNames[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

// Fraction digits of a time kind: the value's unit is 10^-digits s.
inline int KindDigits(uint8_t kind) { return (kind & kTimeOther) ? 0 : (kind & kTimeDigits); }

bool ValidKind(uint8_t kind) {
  if (kind == 0) return true;
  if (!(kind & kKindTime)) return false;
  if (kind & kTimeOther) return (kind & 0x60) == 0 && (kind & kTimeDigits) <= kTimeSyslog;
  return (kind & kTimeDigits) <= 9;
}

constexpr uint64_t kTagNumber = 0, kTagText = 1, kTagLowerHex = 2, kTagUpperHex = 3;

// A line with more tokens than this is stored whole (one hole, kept as text),
// so that no line creates thousands of columns.
constexpr size_t kMaxHoles = 255;
// Past this many templates in a block, new shapes are stored whole too.
constexpr size_t kMaxTemplates = 4096;

constexpr int64_t kPow10[10] = {1,      10,      100,      1000,      10000,
                                100000, 1000000, 10000000, 100000000, 1000000000};

struct ByteClass {
  bool token[256];
  bool digit[256];
  constexpr ByteClass() : token(), digit() {
    for (int c = 0; c < 256; ++c) {
      digit[c] = c >= '0' && c <= '9';
      token[c] = digit[c] || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }
  }
};
constexpr ByteClass kClass;

inline bool Digit(char c) { return kClass.digit[static_cast<unsigned char>(c)]; }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Date-times are encoded for years [1900, 2200): in that range an instant in
// nanoseconds fits an int64.
const int64_t kMinSecond = DaysFromCivil(1900, 1, 1) * 86400;
const int64_t kEndSecond = DaysFromCivil(2200, 1, 1) * 86400;

// "00".."99": two digits per table read when printing numbers.
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes v in decimal at p (room for 20 digits); returns the end. Numbers in
// log lines are mostly short (status codes, durations, ports).
inline char* PutDecimal(char* p, uint64_t v) {
  if (v < 100) {
    if (v < 10) {
      *p = static_cast<char>('0' + v);
      return p + 1;
    }
    std::memcpy(p, kDigitPairs + 2 * v, 2);
    return p + 2;
  }
  if (v < 10000) {
    const uint64_t hi = v / 100, lo = v % 100;
    if (hi < 10) {
      *p++ = static_cast<char>('0' + hi);
    } else {
      std::memcpy(p, kDigitPairs + 2 * hi, 2);
      p += 2;
    }
    std::memcpy(p, kDigitPairs + 2 * lo, 2);
    return p + 2;
  }
  return std::to_chars(p, p + 20, v).ptr;
}

inline void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

struct Civil {
  unsigned year, month, day, sod;
};

Civil CivilOf(int64_t seconds) {
  int64_t days = FloorDiv(seconds, 86400);
  unsigned sod = static_cast<unsigned>(seconds - days * 86400);
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned day = doy - (153 * mp + 2) / 5 + 1;
  unsigned month = mp < 10 ? mp + 3 : mp - 9;
  unsigned year = static_cast<unsigned>(static_cast<int64_t>(yoe) + era * 400 + (month <= 2));
  return {year, month, day, sod};
}

void PutClock(unsigned sod, char* out) {  // hh:mm:ss
  Put2(out, sod / 3600);
  out[2] = ':';
  Put2(out + 3, sod / 60 % 60);
  out[5] = ':';
  Put2(out + 6, sod % 60);
}

// Formats the whole-second part of a time kind (ISO: "YYYY-MM-DD?hh:mm:ss")
// of a second in [kMinSecond, kEndSecond); returns its length.
size_t FormatSecond(int64_t seconds, uint8_t kind, char* out) {
  const Civil c = CivilOf(seconds);
  if (kind & kTimeOther) {
    const char* mon = kMonthNames + 3 * (c.month - 1);
    if ((kind & kTimeDigits) == kTimeCommonLog) {
      Put2(out, c.day);
      out[2] = '/';
      std::memcpy(out + 3, mon, 3);
      out[6] = '/';
      Put2(out + 7, c.year / 100);
      Put2(out + 9, c.year % 100);
      out[11] = ':';
      PutClock(c.sod, out + 12);
      return 20;
    }
    std::memcpy(out, mon, 3);
    out[3] = ' ';
    out[4] = c.day < 10 ? ' ' : static_cast<char>('0' + c.day / 10);
    out[5] = static_cast<char>('0' + c.day % 10);
    out[6] = ' ';
    PutClock(c.sod, out + 7);
    return 15;
  }
  Put2(out, c.year / 100);
  Put2(out + 2, c.year % 100);
  out[4] = '-';
  Put2(out + 5, c.month);
  out[7] = '-';
  Put2(out + 8, c.day);
  out[10] = (kind & kTimeT) ? 'T' : ' ';
  PutClock(c.sod, out + 11);
  return 19;
}

// Formats instant t (units of 10^-KindDigits(kind) s) with `kind`; returns
// its length (at most 29), or 0 when t is outside the encodable years.
class TimeFormatter {
 public:
  size_t Format(int64_t t, uint8_t kind, char* out) {
    const int digits = KindDigits(kind);
    const int64_t scale = kPow10[digits];
    int64_t sec = FloorDiv(t, scale);
    if (sec < kMinSecond || sec >= kEndSecond) return 0;
    // The whole-second text depends on the layout bits only.
    const uint8_t layout = (kind & kTimeOther) ? kind : (kind & (kKindTime | kTimeT));
    if (sec != cached_ || layout != cached_layout_) {
      const int64_t day = FloorDiv(sec, 86400);
      if (day == cached_day_ && layout == cached_layout_) {
        // Same date: only the clock changes (its place follows the layout).
        const size_t clock = prefix_len_ - 8;
        PutClock(static_cast<unsigned>(sec - day * 86400), prefix_ + clock);
      } else {
        prefix_len_ = FormatSecond(sec, layout, prefix_);
        cached_day_ = day;
        cached_layout_ = layout;
      }
      cached_ = sec;
    }
    std::memcpy(out, prefix_, prefix_len_);
    if (digits == 0) return prefix_len_;
    out[19] = (kind & kTimeComma) ? ',' : '.';
    uint64_t frac = static_cast<uint64_t>(t - sec * scale);
    int i = digits;  // out[20 .. 20 + digits), filled from the right, two at a time
    for (; i >= 2; i -= 2) {
      std::memcpy(out + 18 + i, kDigitPairs + 2 * (frac % 100), 2);
      frac /= 100;
    }
    if (i == 1) out[20] = static_cast<char>('0' + frac % 10);
    return 20 + static_cast<size_t>(digits);
  }

 private:
  int64_t cached_ = INT64_MIN;
  int64_t cached_day_ = INT64_MIN;
  uint8_t cached_layout_ = 0;
  size_t prefix_len_ = 0;
  char prefix_[24];
};

inline unsigned Two(const char* p) {
  return static_cast<unsigned>(p[0] - '0') * 10 + static_cast<unsigned>(p[1] - '0');
}

int MonthOf(const char* s) {  // 1..12, or 0
  for (int m = 0; m < 12; ++m)
    if (std::memcmp(s, kMonthNames + 3 * m, 3) == 0) return m + 1;
  return 0;
}

bool Clock(const char* s, unsigned* sod) {  // hh:mm:ss
  if (!Digit(s[0]) || !Digit(s[1]) || s[2] != ':' || !Digit(s[3]) || !Digit(s[4]) || s[5] != ':' ||
      !Digit(s[6]) || !Digit(s[7]))
    return false;
  unsigned hh = Two(s), mm = Two(s + 3), ss = Two(s + 6);
  if (hh > 23 || mm > 59 || ss > 59) return false;
  *sod = hh * 3600 + mm * 60 + ss;
  return true;
}

// Recognises "dd/Mon/yyyy:hh:mm:ss" (s[0] is a digit) or, with the year of
// the entry time `ts`, "Mon _d hh:mm:ss" (s[0] is a letter).
bool ParseOtherTime(const char* s, size_t avail, int64_t ts, uint8_t* kind, int64_t* sec) {
  unsigned sod;
  if (Digit(s[0])) {
    if (avail < 20 || !Digit(s[1]) || s[2] != '/' || s[6] != '/' || s[11] != ':') return false;
    const int month = MonthOf(s + 3);
    if (month == 0 || !Digit(s[7]) || !Digit(s[8]) || !Digit(s[9]) || !Digit(s[10]) ||
        !Clock(s + 12, &sod))
      return false;
    const unsigned year = Two(s + 7) * 100 + Two(s + 9), day = Two(s);
    if (year < 1900 || year >= 2200 || day < 1 || day > 31) return false;
    *sec = DaysFromCivil(year, month, day) * 86400 + sod;
    *kind = kKindTime | kTimeOther | kTimeCommonLog;
    return true;
  }
  if (avail < 15 || s[3] != ' ' || s[6] != ' ' || (s[4] != ' ' && !Digit(s[4])) || !Digit(s[5]))
    return false;
  const int month = MonthOf(s);
  if (month == 0 || !Clock(s + 7, &sod)) return false;
  const unsigned day = (s[4] == ' ' ? 0 : static_cast<unsigned>(s[4] - '0') * 10) +
                       static_cast<unsigned>(s[5] - '0');
  const int64_t entry = FloorDiv(ts, kPow10[9]);
  if (day < 1 || day > 31 || entry < kMinSecond || entry >= kEndSecond) return false;
  *sec = DaysFromCivil(CivilOf(entry).year, month, day) * 86400 + sod;
  *kind = kKindTime | kTimeOther | kTimeSyslog;
  return true;
}

// Recognises a date-time at s (s[0] is a token byte): "YYYY-MM-DD?hh:mm:ss[.f]"
// or one of the kTimeOther layouts. On success sets *len, *kind and *t (the
// instant in units of 10^-KindDigits s) only if the formatter prints exactly
// these bytes back.
bool ParseTime(const char* s, size_t avail, int64_t ts, TimeFormatter* fmt, size_t* len,
               uint8_t* kind, int64_t* t) {
  if (avail < 15) return false;
  // Most tokens that start with a digit are plain numbers: "dd/" and
  // "dddd-" are the only date-times that do.
  if (Digit(s[0]) && s[2] != '/' && s[4] != '-') return false;
  if (!Digit(s[0]) || s[2] == '/') {
    uint8_t k;
    int64_t sec;
    if (!ParseOtherTime(s, avail, ts, &k, &sec)) return false;
    char buf[48];
    const size_t n = fmt->Format(sec, k, buf);
    if (n == 0 || std::memcmp(buf, s, n) != 0) return false;
    *len = n;
    *kind = k;
    *t = sec;
    return true;
  }
  if (avail < 19) return false;
  static constexpr char kShape[] = "dddd-dd-dd?dd:dd:dd";
  for (int i = 0; i < 19; ++i) {
    if (kShape[i] == 'd') {
      if (!Digit(s[i])) return false;
    } else if (kShape[i] == '?') {
      if (s[i] != 'T' && s[i] != ' ') return false;
    } else if (s[i] != kShape[i]) {
      return false;
    }
  }
  unsigned year = Two(s) * 100 + Two(s + 2), month = Two(s + 5), day = Two(s + 8);
  unsigned hh = Two(s + 11), mm = Two(s + 14), ss = Two(s + 17);
  if (year < 1900 || year >= 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hh > 23 ||
      mm > 59 || ss > 59)
    return false;
  int64_t sec = DaysFromCivil(year, month, day) * 86400 + hh * 3600 + mm * 60 + ss;
  uint8_t k = kKindTime | (s[10] == 'T' ? kTimeT : 0);
  int digits = 0;
  int64_t frac = 0;
  if (avail > 20 && (s[19] == '.' || s[19] == ',') && Digit(s[20])) {
    if (s[19] == ',') k |= kTimeComma;
    while (digits < 9 && 20 + static_cast<size_t>(digits) < avail && Digit(s[20 + digits])) {
      frac = frac * 10 + (s[20 + digits] - '0');
      ++digits;
    }
  }
  k |= static_cast<uint8_t>(digits);
  const int64_t value = sec * kPow10[digits] + frac;
  char buf[48];
  const size_t n = fmt->Format(value, k, buf);
  if (n == 0 || std::memcmp(buf, s, n) != 0) return false;  // e.g. Feb 30
  *len = n;
  *kind = k;
  *t = value;
  return true;
}

// How a token hole's value is stored (the v & 3 tag of its column value).
enum class Form : uint8_t { kNumber = kTagNumber, kText = kTagText, kLowerHex = kTagLowerHex, kUpperHex = kTagUpperHex };

// What one scan of a token run tells about it.
struct TokenScan {
  size_t n;        // token bytes: the run of letters, digits and '_'
  size_t digits;   // leading decimal digits
  bool letters;    // every byte after the leading digits is an ASCII letter
  bool lower_hex;  // every byte is a digit or a-f
  bool upper_hex;  // every byte is a digit or A-F
};

struct ByteTraits {
  uint8_t bits[256];
  static constexpr uint8_t kToken = 1, kDigit = 2, kLetter = 4, kLowerHex = 8, kUpperHex = 16;
  constexpr ByteTraits() : bits() {
    for (int c = 0; c < 256; ++c) {
      const bool digit = c >= '0' && c <= '9', lower = c >= 'a' && c <= 'z',
                 upper = c >= 'A' && c <= 'Z';
      bits[c] = static_cast<uint8_t>((digit || lower || upper || c == '_' ? kToken : 0) |
                                     (digit ? kDigit : 0) | (lower || upper ? kLetter : 0) |
                                     (digit || (c >= 'a' && c <= 'f') ? kLowerHex : 0) |
                                     (digit || (c >= 'A' && c <= 'F') ? kUpperHex : 0));
    }
  }
};
constexpr ByteTraits kTraits;

// Scans the token starting at s[pos] (a token byte) byte by byte.
TokenScan ScanTokenBytes(const char* s, size_t pos, size_t len) {
  TokenScan r{0, 0, true, true, true};
  bool in_number = true;
  for (size_t i = pos; i < len; ++i) {
    const uint8_t f = kTraits.bits[static_cast<unsigned char>(s[i])];
    if (!(f & ByteTraits::kToken)) break;
    in_number = in_number && (f & ByteTraits::kDigit);
    r.digits += in_number;
    r.letters = r.letters && (in_number || (f & ByteTraits::kLetter));
    r.lower_hex = r.lower_hex && (f & ByteTraits::kLowerHex);
    r.upper_hex = r.upper_hex && (f & ByteTraits::kUpperHex);
    ++r.n;
  }
  return r;
}

// The same, 16 bytes at once: most tokens end within 16 bytes, and then
// no loop (and no mispredicted loop exit) is needed.
TokenScan ScanToken(const char* s, size_t pos, size_t len) {
#if defined(__SSE2__)
  if (len - pos >= 16) {
    const __m128i v = lanes::Load(s + pos);
    const uint32_t d = lanes::Digits(v), letter = lanes::Letters(v);
    const uint32_t end = ~(d | letter | lanes::Equal(v, '_')) & 0xffffu;
    if (end != 0) {
      const auto n = static_cast<uint32_t>(std::countr_zero(end));
      const uint32_t in = (1u << n) - 1;
      const auto digits = std::min(static_cast<uint32_t>(std::countr_zero(~d)), n);
      const uint32_t lead = (1u << digits) - 1;
      const uint32_t lower_hex = d | lanes::Between(v, 'a', 5);
      const uint32_t upper_hex = d | lanes::Between(v, 'A', 5);
      return TokenScan{n, digits, ((letter | lead) & in) == in, (lower_hex & in) == in,
                       (upper_hex & in) == in};
    }
  }
#endif
  return ScanTokenBytes(s, pos, len);
}

bool HexToken(const TokenScan& t) {
  return t.n >= 8 && t.n % 2 == 0 && (t.lower_hex || t.upper_hex);
}

// How PutToken stores a token: a decimal number without leading zeros that
// fits 18 digits, else long hex, else text.
Form FormOf(const TokenScan& t, char first) {
  if (t.digits == t.n && t.n <= 18 && (t.n == 1 || first != '0')) return Form::kNumber;
  if (HexToken(t)) return t.lower_hex ? Form::kLowerHex : Form::kUpperHex;
  return Form::kText;
}

// The number of leading digits of a token made of a number (as PutToken
// types it) followed by letters only; 0 for any other token.
size_t NumberWithUnit(const TokenScan& t, char first) {
  const size_t d = t.digits;
  if (d == 0 || d == t.n || d > 18 || (d > 1 && first == '0') || !t.letters) return 0;
  return HexToken(t) ? 0 : d;
}

// The value of a hex digit (0 for other bytes), looked up without a branch.
struct NibbleTable {
  uint8_t of[256];
  constexpr NibbleTable() : of() {
    for (int c = 0; c < 256; ++c)
      of[c] = static_cast<uint8_t>(c >= '0' && c <= '9'   ? c - '0'
                                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                          : 0);
  }
};
constexpr NibbleTable kNibble;

// Appends the value of a token hole of the given form.
void PutToken(std::string* col, std::string_view t, Form form) {
  const size_t n = t.size();
  switch (form) {
    case Form::kNumber: {
      uint64_t v = 0;
      for (char c : t) v = v * 10 + static_cast<uint64_t>(c - '0');
      PutVarint(col, v << 2 | kTagNumber);
      return;
    }
    case Form::kLowerHex:
    case Form::kUpperHex: {
      PutVarint(col, (n / 2) << 2 | static_cast<uint64_t>(form));
      const size_t at = col->size();
      col->resize(at + n / 2);
      char* out = col->data() + at;
      auto nib = [](char c) { return kNibble.of[static_cast<unsigned char>(c)]; };
      for (size_t i = 0; i < n; i += 2) *out++ = static_cast<char>(nib(t[i]) << 4 | nib(t[i + 1]));
      return;
    }
    case Form::kText:
      break;
  }
  PutVarint(col, n << 2 | kTagText);
  col->append(t.data(), n);
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

struct Hole {
  uint8_t kind;
  Form form;              // token holes
  std::string_view text;  // token holes
  int64_t delta;          // time holes
};

struct EncoderTemplate {
  uint32_t first_column;
  uint32_t holes;
  uint32_t lines;
  uint32_t shape_begin, shape_end;  // its serialized shape in EncoderState::shapes
};

// A template being built: its pieces (length-prefixed) and hole kinds,
// written straight into a buffer sized for the line's worst case, so that
// no append checks capacity.
class ShapeBuffer {
 public:
  void Reset(size_t line_size) {
    // At most kMaxHoles + 1 pieces, each with a varint of at most 10 bytes
    // and a kind byte, and the line's bytes.
    const size_t bound = line_size + 11 * (kMaxHoles + 1) + 16;  // + a short copy's 16
    if (buf_.size() < bound) buf_.resize(bound);
    w_ = buf_.data();
  }
  // Appends the piece p[0, n); [p, end) must be readable (a piece of a
  // line: end is the line's end), so that short pieces move 16 bytes at once.
  void Piece(const char* p, size_t n, const char* end) {
    uint64_t v = n;
    while (v >= 0x80) {
      *w_++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *w_++ = static_cast<char>(v);
    if (n <= 16 && end - p >= 16)
      std::memcpy(w_, p, 16);
    else
      std::memcpy(w_, p, n);
    w_ += n;
  }
  void Kind(uint8_t k) { *w_++ = static_cast<char>(k); }
  std::string_view view() const {
    return std::string_view(buf_.data(), static_cast<size_t>(w_ - buf_.data()));
  }

 private:
  std::string buf_;
  char* w_ = nullptr;
};

struct EncoderState {
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> ids;
  std::vector<EncoderTemplate> templates;
  std::string shapes;
  std::vector<std::string> columns;
  std::vector<uint32_t> kept_columns;
  std::string folded, piece;
  size_t used_columns = 0;
  std::vector<uint32_t> line_template;
  ShapeBuffer shape;
  std::vector<Hole> holes;
  TimeFormatter fmt;
};

// A double-quoted string holding a space, or a '/' without starting with
// one, is free text (a message, a user agent, a request line, a URL): it is
// kept as one text hole, so that its shape does not multiply templates.
// Paths ("/api/v1/users/42") and single tokens stay split: their numbers
// compress better as typed holes.
bool Phrase(std::string_view q) {
  return std::memchr(q.data(), ' ', q.size()) != nullptr ||
         (!q.empty() && q[0] != '/' && std::memchr(q.data(), '/', q.size()) != nullptr);
}

// The position of the closing quote of the double-quoted string whose text
// starts at s[start] (start < len) when that text is a Phrase; else 0.
size_t PhraseEnd(const char* s, size_t start, size_t len) {
#if defined(__SSE2__)
  if (len - start >= 16) {
    const __m128i v = lanes::Load(s + start);
    const uint32_t quote = lanes::Equal(v, '"');
    if (quote != 0) {
      const auto n = static_cast<uint32_t>(std::countr_zero(quote));
      const uint32_t in = (1u << n) - 1;
      const bool phrase =
          (lanes::Equal(v, ' ') & in) != 0 ||
          (n > 0 && s[start] != '/' && (lanes::Equal(v, '/') & in) != 0);
      return phrase ? start + n : 0;
    }
  }
#endif
  const char* close = static_cast<const char*>(std::memchr(s + start, '"', len - start));
  if (close == nullptr || !Phrase(std::string_view(s + start, close - (s + start)))) return 0;
  return static_cast<size_t>(close - s);
}

// The first position >= pos of a token byte or '"', or len.
size_t NextStop(const char* s, size_t pos, size_t len) {
#if defined(__SSE2__)
  for (; len - pos >= 16; pos += 16) {
    const __m128i v = lanes::Load(s + pos);
    const uint32_t stop = lanes::Letters(v) | lanes::Digits(v) | lanes::Equal(v, '_') |
                          lanes::Equal(v, '"');
    if (stop != 0) return pos + static_cast<size_t>(std::countr_zero(stop));
  }
#endif
  while (pos < len && !kClass.token[static_cast<unsigned char>(s[pos])] && s[pos] != '"') ++pos;
  return pos;
}

// Splits `line` into holes and its template's serialized form (without
// n_holes) in st->shape. Returns false when the line is to be kept whole.
bool Split(std::string_view line, int64_t ts, EncoderState* st) {
  st->shape.Reset(line.size());
  st->holes.clear();
  const char* s = line.data();
  const size_t len = line.size();
  size_t piece = 0, pos = 0;
  while ((pos = NextStop(s, pos, len)) < len) {
    const unsigned char c = static_cast<unsigned char>(s[pos]);
    if (c == '"') {
      const size_t start = pos + 1;
      const size_t end = start < len ? PhraseEnd(s, start, len) : 0;
      if (end != 0) {
        if (st->holes.size() == kMaxHoles) return false;
        st->shape.Piece(s + piece, start - piece, s + len);
        st->shape.Kind(kKindToken);
        // Free text: a space or a '/' is in no number or hex form.
        st->holes.push_back(
            Hole{kKindToken, Form::kText, std::string_view(s + start, end - start), 0});
        piece = end;
        pos = end + 1;
      } else {
        pos = start;
      }
      continue;
    }
    if (st->holes.size() == kMaxHoles) return false;
    Hole h{kKindToken, Form::kText, {}, 0};
    size_t end;
    size_t tlen;
    int64_t t;
    // Date-times start "dd/", "dddd-" or "Mon " and take 15 bytes or more:
    // tested without branching on the (unpredictable) kind of token.
    const bool may_be_time =
        len - pos >= 15 &&
        ((kClass.digit[c] & ((s[pos + 2] == '/') | (s[pos + 4] == '-'))) |
         ((c >= 'A') & (c <= 'S') & (s[pos + 3] == ' ')));
    if (may_be_time && ParseTime(s + pos, len - pos, ts, &st->fmt, &tlen, &h.kind, &t)) {
      const int64_t base = FloorDiv(ts, kPow10[9 - KindDigits(h.kind)]);
      h.delta = static_cast<int64_t>(static_cast<uint64_t>(t) - static_cast<uint64_t>(base));
      end = pos + tlen;
    } else {
      const TokenScan scan = ScanToken(s, pos, len);
      end = pos + scan.n;
      h.text = std::string_view(s + pos, scan.n);
      h.form = FormOf(scan, s[pos]);
      // A number with a unit ("23ms", "10s", "4xx"): the number is the hole,
      // the unit stays in the template.
      const size_t digits = NumberWithUnit(scan, s[pos]);
      if (digits != 0) {
        h.text = h.text.substr(0, digits);
        h.form = Form::kNumber;
        st->shape.Piece(s + piece, pos - piece, s + len);
        st->shape.Kind(h.kind);
        st->holes.push_back(h);
        piece = pos + digits;
        pos = end;
        continue;
      }
    }
    st->shape.Piece(s + piece, pos - piece, s + len);
    st->shape.Kind(h.kind);
    st->holes.push_back(h);
    piece = pos = end;
  }
  st->shape.Piece(s + piece, len - piece, s + len);
  return true;
}

// True when the `count` values of token column `col` are all the same;
// then appends that token's text to *text.
bool ConstantToken(const std::string& col, uint32_t count, std::string* text) {
  const char* p = col.data();
  const char* end = p + col.size();
  uint64_t v;
  if (count == 0 || !GetVarint(&p, end, &v)) return false;
  const uint64_t tag = v & 3, n = v >> 2;
  const size_t len = static_cast<size_t>(p - col.data()) + (tag == kTagNumber ? 0 : n);
  if (len * count != col.size()) return false;
  for (size_t off = len; off < col.size(); off += len)
    if (std::memcmp(col.data() + off, col.data(), len) != 0) return false;
  if (tag == kTagNumber) {
    char buf[24];
    text->append(buf, std::to_chars(buf, buf + sizeof(buf), n).ptr);
  } else if (tag == kTagText) {
    text->append(p, n);
  } else {
    const char* digits = tag == kTagLowerHex ? "0123456789abcdef" : "0123456789ABCDEF";
    for (uint64_t i = 0; i < n; ++i) {
      const unsigned char b = static_cast<unsigned char>(p[i]);
      text->push_back(digits[b >> 4]);
      text->push_back(digits[b & 15]);
    }
  }
  return true;
}

}  // namespace

void EncodeLines(const OwnedEntry* b, const OwnedEntry* e, std::string* out) {
  thread_local EncoderState st;
  st.ids.clear();
  st.templates.clear();
  st.shapes.clear();
  st.kept_columns.clear();
  st.used_columns = 0;
  st.line_template.clear();
  uint64_t text_bytes = 0;
  for (const OwnedEntry* p = b; p < e; ++p) {
    text_bytes += p->line.size();
    bool whole = !Split(p->line, p->ts, &st);
    auto it = whole ? st.ids.end() : st.ids.find(st.shape.view());
    if (!whole && it == st.ids.end() && st.templates.size() >= kMaxTemplates) whole = true;
    if (whole) {
      st.shape.Reset(0);
      st.shape.Piece("", 0, "");
      st.shape.Kind(kKindToken);
      st.shape.Piece("", 0, "");
      st.holes.assign(1, Hole{kKindToken, Form::kText, p->line, 0});
      it = st.ids.find(st.shape.view());
    }
    if (it == st.ids.end()) {
      const uint32_t id = static_cast<uint32_t>(st.templates.size());
      const uint32_t n = static_cast<uint32_t>(st.holes.size());
      const uint32_t at = static_cast<uint32_t>(st.shapes.size());
      st.shapes.append(st.shape.view());
      st.templates.push_back({static_cast<uint32_t>(st.used_columns), n, 0, at,
                              static_cast<uint32_t>(st.shapes.size())});
      st.used_columns += n;
      if (st.columns.size() < st.used_columns) st.columns.resize(st.used_columns);
      for (uint32_t i = 0; i < n; ++i) st.columns[st.templates.back().first_column + i].clear();
      it = st.ids.emplace(st.shape.view(), id).first;
    }
    EncoderTemplate& tpl = st.templates[it->second];
    tpl.lines++;
    st.line_template.push_back(it->second);
    for (uint32_t i = 0; i < tpl.holes; ++i) {
      const Hole& h = st.holes[i];
      std::string* col = &st.columns[tpl.first_column + i];
      if (h.kind == kKindToken)
        PutToken(col, h.text, h.form);
      else
        PutVarint(col, ZigZag(h.delta));
    }
  }
  PutVarint(out, text_bytes);
  PutVarint(out, st.templates.size());
  // A token hole with the same value on every line of its template (a JSON
  // or logfmt key, a constant field) is folded into the template's text:
  // no column, and one hole less to fill per line when decoding.
  for (const EncoderTemplate& t : st.templates) {
    const char* p = st.shapes.data() + t.shape_begin;
    const char* end = st.shapes.data() + t.shape_end;
    std::string_view piece;
    GetLengthPrefixed(&p, end, &piece);  // shapes are ours: cannot fail
    st.folded.clear();
    st.piece.assign(piece);
    uint32_t kept = 0;
    for (uint32_t h = 0; h < t.holes; ++h) {
      const uint8_t kind = static_cast<uint8_t>(*p++);
      GetLengthPrefixed(&p, end, &piece);
      const uint32_t c = t.first_column + h;
      if (kind == kKindToken && ConstantToken(st.columns[c], t.lines, &st.piece)) {
        st.piece.append(piece);
        continue;
      }
      PutLengthPrefixed(&st.folded, st.piece);
      st.folded.push_back(static_cast<char>(kind));
      st.piece.assign(piece);
      st.kept_columns.push_back(c);
      ++kept;
    }
    PutLengthPrefixed(&st.folded, st.piece);
    PutVarint(out, kept);
    out->append(st.folded);
  }
  for (uint32_t id : st.line_template) PutVarint(out, id);
  for (uint32_t c : st.kept_columns) PutVarint(out, st.columns[c].size());
  for (uint32_t c : st.kept_columns) out->append(st.columns[c]);
}

Status LinesTextSize(std::string_view section, uint64_t* text_bytes) {
  const char* p = section.data();
  if (!GetVarint(&p, p + section.size(), text_bytes))
    return Status::IOError("corrupt chunk: lines header");
  return Status::OK();
}

namespace {

// A hole of a parsed template: its kind, its column and the text after it.
// The column of a hole is its index in DecoderState::ops.
struct Op {
  const char* after;
  uint32_t after_len;
  uint8_t kind;
};

struct DecoderTemplate {
  const char* first;  // the text before the first hole
  uint32_t first_len;
  uint32_t op_begin, op_end;
};

struct DecoderState {
  std::vector<DecoderTemplate> templates;
  std::vector<Op> ops;
  std::vector<uint32_t> line_template;
  std::vector<const char*> cursor, column_end;
  TimeFormatter fmt;
};

Status Corrupt(const char* what) { return Status::IOError(std::string("corrupt chunk: ") + what); }

// Copies n bytes; short copies move 16 bytes (both sides have kLineCodecSlack
// bytes to spare), so the common piece or value is one load and one store.
// memmove, not memcpy: the 16-byte over-read of a short copy can reach into
// the output (template texts sit just before it in the block buffer), and a
// fixed 16-byte memmove compiles to the same load-then-store.
[[gnu::always_inline]] inline void Copy(char* dst, const char* src, size_t n) {
  if (n <= 16)
    std::memmove(dst, src, 16);
  else
    std::memmove(dst, src, n);
}

[[gnu::always_inline]] inline bool ReadVarint(const char** p, const char* end, uint64_t* v) {
  if (*p < end && static_cast<unsigned char>(**p) < 0x80) {
    *v = static_cast<unsigned char>(**p);
    ++*p;
    return true;
  }
  return GetVarint(p, end, v);
}

}  // namespace

Status DecodeLines(std::string_view section, const int64_t* ts, size_t n, char* dst,
                   uint64_t dst_size, std::string_view* lines) {
  thread_local DecoderState tls;
  DecoderState& st = tls;
  const char* p = section.data();
  const char* end = p + section.size();
  uint64_t text_bytes, nt;
  if (!GetVarint(&p, end, &text_bytes) || text_bytes != dst_size || !GetVarint(&p, end, &nt))
    return Corrupt("lines header");
  // A template takes at least 2 bytes (n_holes and an empty piece).
  if (nt > static_cast<uint64_t>(end - p) / 2) return Corrupt("template count");
  st.templates.resize(nt);
  st.ops.clear();
  for (uint64_t t = 0; t < nt; ++t) {
    uint64_t nh;
    std::string_view piece;
    if (!GetVarint(&p, end, &nh) || nh > static_cast<uint64_t>(end - p) / 2 ||
        !GetLengthPrefixed(&p, end, &piece))
      return Corrupt("template");
    DecoderTemplate& dt = st.templates[t];
    dt.first = piece.data();
    dt.first_len = static_cast<uint32_t>(piece.size());
    dt.op_begin = static_cast<uint32_t>(st.ops.size());
    for (uint64_t h = 0; h < nh; ++h) {
      if (p == end) return Corrupt("template");
      const uint8_t kind = static_cast<uint8_t>(*p++);
      if (!ValidKind(kind)) return Corrupt("template hole");
      if (!GetLengthPrefixed(&p, end, &piece)) return Corrupt("template");
      st.ops.push_back({piece.data(), static_cast<uint32_t>(piece.size()), kind});
    }
    dt.op_end = static_cast<uint32_t>(st.ops.size());
  }
  if (n > static_cast<uint64_t>(end - p)) return Corrupt("template ids");
  st.line_template.resize(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t id;
    if (!ReadVarint(&p, end, &id) || id >= nt) return Corrupt("template id");
    st.line_template[i] = static_cast<uint32_t>(id);
  }
  const size_t ncol = st.ops.size();
  st.cursor.resize(ncol);
  st.column_end.resize(ncol);
  uint64_t total = 0;
  for (size_t c = 0; c < ncol; ++c) {
    uint64_t size;
    if (!ReadVarint(&p, end, &size) || size > static_cast<uint64_t>(end - p))
      return Corrupt("column size");
    total += size;
    st.cursor[c] = reinterpret_cast<const char*>(size);  // sizes for now
  }
  if (total != static_cast<uint64_t>(end - p)) return Corrupt("columns");
  for (size_t c = 0; c < ncol; ++c) {
    const uint64_t size = reinterpret_cast<uintptr_t>(st.cursor[c]);
    st.cursor[c] = p;
    p += size;
    st.column_end[c] = p;
  }

  const char** const cursor = st.cursor.data();
  const char* const* const column_end = st.column_end.data();
  const Op* const ops = st.ops.data();
  const DecoderTemplate* const templates = st.templates.data();
  char* o = dst;
  char* const oend = dst + dst_size;
  static constexpr char kLowerHex[] = "0123456789abcdef";
  static constexpr char kUpperHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; ++i) {
    const DecoderTemplate& t = templates[st.line_template[i]];
    char* const line_start = o;
    if (static_cast<size_t>(oend - o) < t.first_len) return Corrupt("line size");
    Copy(o, t.first, t.first_len);
    o += t.first_len;
    for (uint32_t k = t.op_begin; k < t.op_end; ++k) {
      const Op& op = ops[k];
      const char*& cur = cursor[k];
      const char* const cend = column_end[k];
      uint64_t v;
      if (!ReadVarint(&cur, cend, &v)) return Corrupt("column");
      if (op.kind == kKindToken) {
        const uint64_t tag = v & 3, len = v >> 2;
        if (tag == kTagNumber) {
          if (oend - o < 20) {
            char buf[32];
            const size_t m = static_cast<size_t>(PutDecimal(buf, len) - buf);
            if (static_cast<size_t>(oend - o) < m) return Corrupt("line size");
            Copy(o, buf, m);
            o += m;
          } else {
            o = PutDecimal(o, len);
          }
        } else {
          if (len > static_cast<uint64_t>(cend - cur)) return Corrupt("column value");
          const char* s = cur;
          cur += len;
          if (tag == kTagText) {
            if (static_cast<uint64_t>(oend - o) < len) return Corrupt("line size");
            Copy(o, s, len);
            o += len;
          } else {
            if (len > static_cast<uint64_t>(oend - o) / 2) return Corrupt("line size");
            const char* digits = tag == kTagLowerHex ? kLowerHex : kUpperHex;
            for (uint64_t b = 0; b < len; ++b) {
              const unsigned char byte = static_cast<unsigned char>(s[b]);
              o[0] = digits[byte >> 4];
              o[1] = digits[byte & 15];
              o += 2;
            }
          }
        }
      } else {
        const int64_t base = FloorDiv(ts[i], kPow10[9 - KindDigits(op.kind)]);
        const int64_t value =
            static_cast<int64_t>(static_cast<uint64_t>(base) + static_cast<uint64_t>(UnZigZag(v)));
        char buf[48];
        const size_t len = st.fmt.Format(value, op.kind, buf);
        if (len == 0) return Corrupt("time value");
        if (static_cast<size_t>(oend - o) < len) return Corrupt("line size");
        Copy(o, buf, len);
        o += len;
      }
      if (static_cast<size_t>(oend - o) < op.after_len) return Corrupt("line size");
      Copy(o, op.after, op.after_len);
      o += op.after_len;
    }
    lines[i] = std::string_view(line_start, static_cast<size_t>(o - line_start));
  }
  if (o != oend) return Corrupt("line size");
  for (size_t c = 0; c < ncol; ++c)
    if (cursor[c] != column_end[c]) return Corrupt("column length");
  return Status::OK();
}

}  // namespace lode
