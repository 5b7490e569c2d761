// Go's time layouts ("2006-01-02 15:04:05.999 -0700 MST"): Time.Format,
// Time.String and time.ParseInLocation, ported from Go's time/format.go
// (nextStdChunk, appendFormat, parse) with the same token rules.

#include "logql/template/internal.h"

namespace lode::logql::tmpl {
namespace {

const char* const kLongMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
const char* const kLongDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};
const int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

// Layout tokens (Go's std* constants).
enum Std {
  kNone = 0,
  kLongMonth,
  kMonth,
  kNumMonth,
  kZeroMonth,
  kLongWeekDay,
  kWeekDay,
  kDay,
  kUnderDay,
  kZeroDay,
  kUnderYearDay,
  kZeroYearDay,
  kHour,
  kHour12,
  kZeroHour12,
  kMinute,
  kZeroMinute,
  kSecond,
  kZeroSecond,
  kLongYear,
  kYear,
  kPM,
  kpm,
  kTZ,
  kISO8601TZ,
  kISO8601SecondsTZ,
  kISO8601ShortTZ,
  kISO8601ColonTZ,
  kISO8601ColonSecondsTZ,
  kNumTZ,
  kNumSecondsTz,
  kNumShortTZ,
  kNumColonTZ,
  kNumColonSecondsTZ,
  kFracSecond0,
  kFracSecond9,
};

struct Chunk {
  std::string_view prefix;
  Std std = kNone;
  int frac_digits = 0;
  char frac_sep = '.';
  std::string_view suffix;
};

bool IsDigitAt(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }
bool StartsWithLower(std::string_view s) { return !s.empty() && s[0] >= 'a' && s[0] <= 'z'; }

Chunk NextStdChunk(std::string_view layout) {
  auto at = [&](size_t i, size_t n, Std std) {
    Chunk c;
    c.prefix = layout.substr(0, i);
    c.std = std;
    c.suffix = layout.substr(i + n);
    return c;
  };
  auto has = [&](size_t i, std::string_view w) { return layout.substr(i, w.size()) == w; };
  for (size_t i = 0; i < layout.size(); i++) {
    switch (layout[i]) {
      case 'J':
        if (has(i, "Jan")) {
          if (has(i, "January")) return at(i, 7, kLongMonth);
          if (!StartsWithLower(layout.substr(i + 3))) return at(i, 3, kMonth);
        }
        break;
      case 'M':
        if (has(i, "Mon")) {
          if (has(i, "Monday")) return at(i, 6, kLongWeekDay);
          if (!StartsWithLower(layout.substr(i + 3))) return at(i, 3, kWeekDay);
        }
        if (has(i, "MST")) return at(i, 3, kTZ);
        break;
      case '0':
        if (i + 1 < layout.size() && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          static const Std kStd0x[] = {kZeroMonth,  kZeroDay,    kZeroHour12,
                                       kZeroMinute, kZeroSecond, kYear};
          return at(i, 2, kStd0x[layout[i + 1] - '1']);
        }
        if (has(i, "002")) return at(i, 3, kZeroYearDay);
        break;
      case '1':
        if (has(i, "15")) return at(i, 2, kHour);
        return at(i, 1, kNumMonth);
      case '2':
        if (has(i, "2006")) return at(i, 4, kLongYear);
        return at(i, 1, kDay);
      case '_':
        if (has(i, "_2")) {
          if (has(i + 1, "2006")) return at(i + 1, 4, kLongYear);
          return at(i, 2, kUnderDay);
        }
        if (has(i, "__2")) return at(i, 3, kUnderYearDay);
        break;
      case '3':
        return at(i, 1, kHour12);
      case '4':
        return at(i, 1, kMinute);
      case '5':
        return at(i, 1, kSecond);
      case 'P':
        if (has(i, "PM")) return at(i, 2, kPM);
        break;
      case 'p':
        if (has(i, "pm")) return at(i, 2, kpm);
        break;
      case '-':
        if (has(i, "-070000")) return at(i, 7, kNumSecondsTz);
        if (has(i, "-07:00:00")) return at(i, 9, kNumColonSecondsTZ);
        if (has(i, "-0700")) return at(i, 5, kNumTZ);
        if (has(i, "-07:00")) return at(i, 6, kNumColonTZ);
        if (has(i, "-07")) return at(i, 3, kNumShortTZ);
        break;
      case 'Z':
        if (has(i, "Z070000")) return at(i, 7, kISO8601SecondsTZ);
        if (has(i, "Z07:00:00")) return at(i, 9, kISO8601ColonSecondsTZ);
        if (has(i, "Z0700")) return at(i, 5, kISO8601TZ);
        if (has(i, "Z07:00")) return at(i, 6, kISO8601ColonTZ);
        if (has(i, "Z07")) return at(i, 3, kISO8601ShortTZ);
        break;
      case '.':
      case ',':
        if (i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9')) {
          char ch = layout[i + 1];
          size_t j = i + 1;
          while (j < layout.size() && layout[j] == ch) j++;
          if (!IsDigitAt(layout, j)) {
            Chunk c = at(i, j - i, ch == '0' ? kFracSecond0 : kFracSecond9);
            c.frac_digits = static_cast<int>(j - (i + 1));
            c.frac_sep = layout[i];
            return c;
          }
        }
        break;
      default:
        break;
    }
  }
  Chunk c;
  c.prefix = layout;
  return c;
}

void AppendInt(std::string* b, int64_t x, int width) {
  uint64_t u = static_cast<uint64_t>(x);
  if (x < 0) {
    b->push_back('-');
    u = 0 - u;
  }
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u > 0);
  for (int pad = width - n; pad > 0; pad--) b->push_back('0');
  while (n > 0) b->push_back(buf[--n]);
}

void AppendNano(std::string* b, int nanosec, const Chunk& c) {
  bool trim = c.std == kFracSecond9;
  int n = c.frac_digits;
  if (trim && (n == 0 || nanosec == 0)) return;
  size_t start = b->size();
  b->push_back(c.frac_sep);
  AppendInt(b, nanosec, 9);
  if (n < 9) b->resize(b->size() - 9 + n);
  if (trim) {
    while (b->size() > start && b->back() == '0') b->pop_back();
    if (b->size() > start && b->back() == c.frac_sep) b->pop_back();
  }
}

bool Getnum(std::string_view* s, bool fixed, int* out) {
  if (!IsDigitAt(*s, 0)) return false;
  if (!IsDigitAt(*s, 1)) {
    if (fixed) return false;
    *out = (*s)[0] - '0';
    s->remove_prefix(1);
    return true;
  }
  *out = ((*s)[0] - '0') * 10 + ((*s)[1] - '0');
  s->remove_prefix(2);
  return true;
}

bool Getnum3(std::string_view* s, bool fixed, int* out) {
  int n = 0, i = 0;
  for (; i < 3 && IsDigitAt(*s, i); i++) n = n * 10 + ((*s)[i] - '0');
  if (i == 0 || (fixed && i != 3)) return false;
  *out = n;
  s->remove_prefix(i);
  return true;
}

bool Lookup(const char* const* tab, int n, size_t len, std::string_view* val, int* idx) {
  for (int i = 0; i < n; i++) {
    std::string_view v = tab[i];
    if (len != 0) v = v.substr(0, len);
    if (val->size() < v.size()) continue;
    bool match = true;
    for (size_t j = 0; j < v.size() && match; j++) {
      char a = (*val)[j], b = v[j];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
      if (b >= 'A' && b <= 'Z') b = static_cast<char>(b + 32);
      match = a == b;
    }
    if (match) {
      *idx = i;
      val->remove_prefix(v.size());
      return true;
    }
  }
  return false;
}

bool Skip(std::string_view* value, std::string_view prefix) {
  while (!prefix.empty()) {
    if (prefix[0] == ' ') {
      if (!value->empty() && (*value)[0] != ' ') return false;
      while (!prefix.empty() && prefix[0] == ' ') prefix.remove_prefix(1);
      while (!value->empty() && (*value)[0] == ' ') value->remove_prefix(1);
      continue;
    }
    if (value->empty() || (*value)[0] != prefix[0]) return false;
    prefix.remove_prefix(1);
    value->remove_prefix(1);
  }
  return true;
}

bool ParseNanoseconds(std::string_view value, size_t nbytes, int* ns) {
  if (value.empty() || (value[0] != '.' && value[0] != ',')) return false;
  if (nbytes > 10) nbytes = 10;
  int v = 0;
  for (size_t i = 1; i < nbytes; i++) {
    if (!IsDigitAt(value, i)) return false;
    v = v * 10 + (value[i] - '0');
  }
  for (size_t i = 0; i < 10 - nbytes; i++) v *= 10;
  *ns = v;
  return true;
}

size_t ParseSignedOffset(std::string_view v) {
  if (v.empty() || (v[0] != '-' && v[0] != '+')) return 0;
  size_t i = 1;
  int64_t x = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9' && x <= 12) x = x * 10 + (v[i++] - '0');
  if (i == 1 || x > 12) return 0;
  return i;
}

bool ParseTimeZone(std::string_view v, size_t* len) {
  if (v.size() < 3) return false;
  if (v.substr(0, 4) == "ChST" || v.substr(0, 4) == "MeST") {
    *len = 4;
    return true;
  }
  if (v.substr(0, 3) == "GMT") {
    *len = 3 + (v.size() > 3 ? ParseSignedOffset(v.substr(3)) : 0);
    return true;
  }
  if (v[0] == '+' || v[0] == '-') {
    *len = ParseSignedOffset(v);
    return *len > 0;
  }
  size_t upper = 0;
  while (upper < 6 && upper < v.size() && v[upper] >= 'A' && v[upper] <= 'Z') upper++;
  switch (upper) {
    case 5:
      if (v[4] == 'T') {
        *len = 5;
        return true;
      }
      return false;
    case 4:
      if (v[3] == 'T' || v.substr(0, 4) == "WITA") {
        *len = 4;
        return true;
      }
      return false;
    case 3:
      *len = 3;
      return true;
    default:
      return false;
  }
}

}  // namespace

void AppendTimeFormat(std::string* b, const Value& t, std::string_view layout) {
  Civil c = ToCivil(t);
  while (!layout.empty()) {
    Chunk ch = NextStdChunk(layout);
    b->append(ch.prefix);
    if (ch.std == kNone) break;
    layout = ch.suffix;
    switch (ch.std) {
      case kYear:
        AppendInt(b, (c.year < 0 ? -c.year : c.year) % 100, 2);
        break;
      case kLongYear:
        AppendInt(b, c.year, 4);
        break;
      case kMonth:
        b->append(kLongMonths[c.month - 1], 3);
        break;
      case kLongMonth:
        b->append(kLongMonths[c.month - 1]);
        break;
      case kNumMonth:
        AppendInt(b, c.month, 0);
        break;
      case kZeroMonth:
        AppendInt(b, c.month, 2);
        break;
      case kWeekDay:
        b->append(kLongDays[c.wday], 3);
        break;
      case kLongWeekDay:
        b->append(kLongDays[c.wday]);
        break;
      case kDay:
        AppendInt(b, c.day, 0);
        break;
      case kUnderDay:
        if (c.day < 10) b->push_back(' ');
        AppendInt(b, c.day, 0);
        break;
      case kZeroDay:
        AppendInt(b, c.day, 2);
        break;
      case kUnderYearDay:
        if (c.yday < 100) {
          b->push_back(' ');
          if (c.yday < 10) b->push_back(' ');
        }
        AppendInt(b, c.yday, 0);
        break;
      case kZeroYearDay:
        AppendInt(b, c.yday, 3);
        break;
      case kHour:
        AppendInt(b, c.hour, 2);
        break;
      case kHour12:
        AppendInt(b, c.hour % 12 == 0 ? 12 : c.hour % 12, 0);
        break;
      case kZeroHour12:
        AppendInt(b, c.hour % 12 == 0 ? 12 : c.hour % 12, 2);
        break;
      case kMinute:
        AppendInt(b, c.min, 0);
        break;
      case kZeroMinute:
        AppendInt(b, c.min, 2);
        break;
      case kSecond:
        AppendInt(b, c.sec, 0);
        break;
      case kZeroSecond:
        AppendInt(b, c.sec, 2);
        break;
      case kPM:
        b->append(c.hour >= 12 ? "PM" : "AM");
        break;
      case kpm:
        b->append(c.hour >= 12 ? "pm" : "am");
        break;
      case kISO8601TZ:
      case kISO8601ColonTZ:
      case kISO8601SecondsTZ:
      case kISO8601ShortTZ:
      case kISO8601ColonSecondsTZ:
      case kNumTZ:
      case kNumColonTZ:
      case kNumSecondsTz:
      case kNumShortTZ:
      case kNumColonSecondsTZ: {
        Std s = ch.std;
        bool iso = s == kISO8601TZ || s == kISO8601ColonTZ || s == kISO8601SecondsTZ ||
                   s == kISO8601ShortTZ || s == kISO8601ColonSecondsTZ;
        if (c.offset == 0 && iso) {
          b->push_back('Z');
          break;
        }
        int zone = c.offset / 60;
        int absoffset = c.offset;
        if (zone < 0) {
          b->push_back('-');
          zone = -zone;
          absoffset = -absoffset;
        } else {
          b->push_back('+');
        }
        AppendInt(b, zone / 60, 2);
        if (s == kISO8601ColonTZ || s == kNumColonTZ || s == kISO8601ColonSecondsTZ ||
            s == kNumColonSecondsTZ) {
          b->push_back(':');
        }
        if (s != kNumShortTZ && s != kISO8601ShortTZ) AppendInt(b, zone % 60, 2);
        if (s == kISO8601SecondsTZ || s == kNumSecondsTz || s == kNumColonSecondsTZ ||
            s == kISO8601ColonSecondsTZ) {
          if (s == kNumColonSecondsTZ || s == kISO8601ColonSecondsTZ) b->push_back(':');
          AppendInt(b, absoffset % 60, 2);
        }
        break;
      }
      case kTZ: {
        if (!c.abbr.empty()) {
          b->append(c.abbr);
          break;
        }
        int zone = c.offset / 60;
        if (zone < 0) {
          b->push_back('-');
          zone = -zone;
        } else {
          b->push_back('+');
        }
        AppendInt(b, zone / 60, 2);
        AppendInt(b, zone % 60, 2);
        break;
      }
      case kFracSecond0:
      case kFracSecond9:
        AppendNano(b, t.nsec, ch);
        break;
      case kNone:
        break;
    }
  }
}

void AppendTimeString(std::string* out, const Value& t) {
  AppendTimeFormat(out, t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

bool ParseTimeInLocation(std::string_view layout, std::string_view value, const Zone* loc,
                         Arena* arena, Value* out) {
  bool am = false, pm = false;
  int64_t year = 0;
  int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0, nsec = 0;
  const Zone* z = nullptr;
  int zone_offset = -1;
  bool have_offset = false;
  std::string_view zone_name;
  for (;;) {
    Chunk ch = NextStdChunk(layout);
    if (!Skip(&value, ch.prefix)) return false;
    if (ch.std == kNone) {
      if (!value.empty()) return false;
      break;
    }
    layout = ch.suffix;
    bool ok = true;
    bool range_err = false;
    switch (ch.std) {
      case kYear: {
        if (value.size() < 2 || !IsDigitAt(value, 0) || !IsDigitAt(value, 1)) return false;
        year = (value[0] - '0') * 10 + (value[1] - '0');
        year += year >= 69 ? 1900 : 2000;
        value.remove_prefix(2);
        break;
      }
      case kLongYear: {
        if (value.size() < 4) return false;
        for (int i = 0; i < 4; i++) {
          if (!IsDigitAt(value, i)) return false;
        }
        year = (value[0] - '0') * 1000 + (value[1] - '0') * 100 + (value[2] - '0') * 10 +
               (value[3] - '0');
        value.remove_prefix(4);
        break;
      }
      case kMonth:
        ok = Lookup(kLongMonths, 12, 3, &value, &month);
        month++;
        break;
      case kLongMonth:
        ok = Lookup(kLongMonths, 12, 0, &value, &month);
        month++;
        break;
      case kNumMonth:
      case kZeroMonth:
        ok = Getnum(&value, ch.std == kZeroMonth, &month);
        range_err = ok && (month <= 0 || month > 12);
        break;
      case kWeekDay: {
        int d;
        ok = Lookup(kLongDays, 7, 3, &value, &d);
        break;
      }
      case kLongWeekDay: {
        int d;
        ok = Lookup(kLongDays, 7, 0, &value, &d);
        break;
      }
      case kDay:
      case kUnderDay:
      case kZeroDay:
        if (ch.std == kUnderDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        ok = Getnum(&value, ch.std == kZeroDay, &day);
        break;
      case kUnderYearDay:
      case kZeroYearDay:
        for (int i = 0; i < 2; i++) {
          if (ch.std == kUnderYearDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        }
        ok = Getnum3(&value, ch.std == kZeroYearDay, &yday);
        break;
      case kHour:
        ok = Getnum(&value, false, &hour);
        range_err = hour < 0 || hour >= 24;
        break;
      case kHour12:
      case kZeroHour12:
        ok = Getnum(&value, ch.std == kZeroHour12, &hour);
        range_err = hour < 0 || hour > 12;
        break;
      case kMinute:
      case kZeroMinute:
        ok = Getnum(&value, ch.std == kZeroMinute, &min);
        range_err = min < 0 || min >= 60;
        break;
      case kSecond:
      case kZeroSecond: {
        ok = Getnum(&value, ch.std == kZeroSecond, &sec);
        if (!ok) break;
        if (sec < 0 || sec >= 60) return false;
        if (value.size() >= 2 && (value[0] == '.' || value[0] == ',') && IsDigitAt(value, 1)) {
          Std next = NextStdChunk(layout).std;
          if (next == kFracSecond0 || next == kFracSecond9) break;
          size_t n = 2;
          while (IsDigitAt(value, n)) n++;
          ok = ParseNanoseconds(value, n, &nsec);
          value.remove_prefix(n);
        }
        break;
      }
      case kPM:
      case kpm: {
        if (value.size() < 2) return false;
        std::string_view p = value.substr(0, 2);
        value.remove_prefix(2);
        bool upper = ch.std == kPM;
        if (p == (upper ? "PM" : "pm")) {
          pm = true;
        } else if (p == (upper ? "AM" : "am")) {
          am = true;
        } else {
          return false;
        }
        break;
      }
      case kISO8601TZ:
      case kISO8601ShortTZ:
      case kISO8601ColonTZ:
      case kISO8601SecondsTZ:
      case kISO8601ColonSecondsTZ:
      case kNumTZ:
      case kNumShortTZ:
      case kNumColonTZ:
      case kNumSecondsTz:
      case kNumColonSecondsTZ: {
        Std s = ch.std;
        // Only these three accept "Z" for UTC when parsing (Go's rule).
        bool iso = s == kISO8601TZ || s == kISO8601ShortTZ || s == kISO8601ColonTZ;
        if (iso && !value.empty() && value[0] == 'Z') {
          value.remove_prefix(1);
          z = UtcZone();
          break;
        }
        std::string_view sign, hh, mm, ss = "00";
        if (s == kISO8601ColonTZ || s == kNumColonTZ) {
          if (value.size() < 6 || value[3] != ':') return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(4, 2);
          value.remove_prefix(6);
        } else if (s == kNumShortTZ || s == kISO8601ShortTZ) {
          if (value.size() < 3) return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = "00";
          value.remove_prefix(3);
        } else if (s == kISO8601ColonSecondsTZ || s == kNumColonSecondsTZ) {
          if (value.size() < 9 || value[3] != ':' || value[6] != ':') return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(4, 2),
          ss = value.substr(7, 2);
          value.remove_prefix(9);
        } else if (s == kISO8601SecondsTZ || s == kNumSecondsTz) {
          if (value.size() < 7) return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(3, 2),
          ss = value.substr(5, 2);
          value.remove_prefix(7);
        } else {
          if (value.size() < 5) return false;
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(3, 2);
          value.remove_prefix(5);
        }
        int hr, mi, se;
        if (!Getnum(&hh, true, &hr) || !Getnum(&mm, true, &mi) || !Getnum(&ss, true, &se))
          return false;
        if (hr > 24 || mi > 60 || se > 60) return false;
        zone_offset = (hr * 60 + mi) * 60 + se;
        have_offset = true;
        if (sign[0] == '-') {
          zone_offset = -zone_offset;
        } else if (sign[0] != '+') {
          return false;
        }
        break;
      }
      case kTZ: {
        if (value.substr(0, 3) == "UTC") {
          z = UtcZone();
          value.remove_prefix(3);
          break;
        }
        size_t n;
        if (!ParseTimeZone(value, &n)) return false;
        zone_name = value.substr(0, n);
        value.remove_prefix(n);
        break;
      }
      case kFracSecond0: {
        size_t ndigit = 1 + static_cast<size_t>(ch.frac_digits);
        if (value.size() < ndigit) return false;
        ok = ParseNanoseconds(value, ndigit, &nsec);
        value.remove_prefix(ndigit);
        break;
      }
      case kFracSecond9: {
        if (value.size() < 2 || (value[0] != '.' && value[0] != ',') || !IsDigitAt(value, 1)) break;
        size_t i = 0;
        while (IsDigitAt(value, i + 1)) i++;
        ok = ParseNanoseconds(value, 1 + i, &nsec);
        value.remove_prefix(1 + i);
        break;
      }
      case kNone:
        break;
    }
    if (!ok || range_err) return false;
  }
  if (pm && hour < 12) {
    hour += 12;
  } else if (am && hour == 12) {
    hour = 0;
  }
  if (yday >= 0) {
    int d = 0, m = 0;
    if (IsLeapYear(year)) {
      if (yday == 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) {
        yday--;
      }
    }
    if (yday < 1 || yday > 365) return false;
    if (m == 0) {
      m = (yday - 1) / 31 + 1;
      if (kDaysBefore[m] < yday) m++;
      d = yday - kDaysBefore[m - 1];
    }
    if ((month >= 0 && month != m) || (day >= 0 && day != d)) return false;
    month = m;
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > DaysInMonth(month, year)) return false;
  if (z != nullptr) {
    *out = TimeFromCivil(year, month, day, hour, min, sec, nsec, z);
    return true;
  }
  if (have_offset) {
    Value t = TimeFromCivil(year, month, day, hour, min, sec, nsec, UtcZone());
    t.i -= zone_offset;
    ZoneInfo zi = ZoneLookup(loc, t.i);
    if (zi.offset == zone_offset && (zone_name.empty() || zi.abbr == zone_name)) {
      t.p = loc;
    } else {
      t.p = FixedZone(arena, zone_name, zone_offset);
    }
    *out = t;
    return true;
  }
  if (!zone_name.empty()) {
    Value t = TimeFromCivil(year, month, day, hour, min, sec, nsec, UtcZone());
    int offset = 0;
    if (ZoneOffsetByName(loc, zone_name, t.i, &offset)) {
      t.i -= offset;
      t.p = loc;
      *out = t;
      return true;
    }
    if (zone_name.size() > 3 && zone_name.substr(0, 3) == "GMT") {
      std::string_view h = zone_name.substr(4);
      int hours = 0;
      for (char c : h) hours = hours * 10 + (c - '0');
      offset = (zone_name[3] == '-' ? -hours : hours) * 3600;
    }
    t.p = FixedZone(arena, zone_name, offset);
    *out = t;
    return true;
  }
  *out = TimeFromCivil(year, month, day, hour, min, sec, nsec, loc);
  return true;
}

}  // namespace lode::logql::tmpl
