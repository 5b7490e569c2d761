// Go's time package basics for templates: the proleptic Gregorian calendar,
// civil time of an instant in its zone, time.Date's normalisation and
// time.ParseDuration. Layout formatting and parsing are in
// template_time_layout.cc.

#include "logql/template_internal.h"

namespace lode::logql::tmpl {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
const int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

bool IsLeapYear(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int DaysInMonth(int month, int64_t year) {
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDaysBefore[month] - kDaysBefore[month - 1];
}

Civil ToCivil(const Value& t) {
  ZoneInfo zi = ZoneLookup(t.zone(), t.i);
  int64_t local = t.i + zi.offset;
  int64_t days = FloorDiv(local, kSecondsPerDay);
  int64_t rem = local - days * kSecondsPerDay;
  Civil c;
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = static_cast<int>(rem / 3600);
  c.min = static_cast<int>(rem / 60 % 60);
  c.sec = static_cast<int>(rem % 60);
  c.yday = static_cast<int>(days - DaysFromCivil(c.year, 1, 1)) + 1;
  c.wday = static_cast<int>(((days + 4) % 7 + 7) % 7);
  c.offset = zi.offset;
  c.abbr = zi.abbr;
  return c;
}

Value TimeFromCivil(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t min, int64_t sec,
                    int64_t nsec, const Zone* z) {
  auto norm = [](int64_t* hi, int64_t* lo, int64_t base) {
    int64_t q = FloorDiv(*lo, base);
    *hi += q;
    *lo -= q * base;
  };
  int64_t m = month - 1;
  norm(&year, &m, 12);
  norm(&sec, &nsec, 1000000000);
  norm(&min, &sec, 60);
  norm(&hour, &min, 60);
  norm(&day, &hour, 24);
  int64_t days = DaysFromCivil(year, m + 1, 1) + day - 1;
  int64_t unix = days * kSecondsPerDay + hour * 3600 + min * 60 + sec;
  ZoneInfo zi = ZoneLookup(z, unix);
  if (zi.offset != 0) {
    int64_t utc = unix - zi.offset;
    int offset = zi.offset;
    if (utc < zi.start || utc >= zi.end) offset = ZoneLookup(z, utc).offset;
    unix -= offset;
  }
  return Value::Time(unix, static_cast<int32_t>(nsec), z);
}

bool ParseGoDuration(std::string_view s, int64_t* ns, std::string* err) {
  std::string quoted;
  AppendQuote(&quoted, s, false);
  std::string invalid = "time: invalid duration " + quoted;
  uint64_t d = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *ns = 0;
    return true;
  }
  if (s.empty()) {
    *err = invalid;
    return false;
  }
  constexpr uint64_t kMax = uint64_t{1} << 63;
  while (!s.empty()) {
    uint64_t v = 0, f = 0;
    double scale = 1;
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) {
      *err = invalid;
      return false;
    }
    size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++) {
      if (v > kMax / 10) {
        *err = invalid;
        return false;
      }
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kMax) {
        *err = invalid;
        return false;
      }
    }
    bool pre = i > 0;
    s.remove_prefix(i);
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t j = 0;
      bool overflow = false;
      for (; j < s.size() && s[j] >= '0' && s[j] <= '9'; j++) {
        if (overflow) continue;
        if (f > (kMax - 1) / 10) {
          overflow = true;
          continue;
        }
        uint64_t y = f * 10 + static_cast<uint64_t>(s[j] - '0');
        if (y > kMax) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) {
      *err = invalid;
      return false;
    }
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !(s[u] >= '0' && s[u] <= '9')) u++;
    if (u == 0) {
      *err = "time: missing unit in duration " + quoted;
      return false;
    }
    std::string_view unit_name = s.substr(0, u);
    s.remove_prefix(u);
    uint64_t unit;
    if (unit_name == "ns") {
      unit = 1;
    } else if (unit_name == "us" || unit_name == "\xC2\xB5s" || unit_name == "\xCE\xBCs") {
      unit = 1000;
    } else if (unit_name == "ms") {
      unit = 1000000;
    } else if (unit_name == "s") {
      unit = 1000000000;
    } else if (unit_name == "m") {
      unit = 60000000000ULL;
    } else if (unit_name == "h") {
      unit = 3600000000000ULL;
    } else {
      std::string qu;
      AppendQuote(&qu, unit_name, false);
      *err = "time: unknown unit " + qu + " in duration " + quoted;
      return false;
    }
    if (v > kMax / unit) {
      *err = invalid;
      return false;
    }
    v *= unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kMax) {
        *err = invalid;
        return false;
      }
    }
    d += v;
    if (d > kMax) {
      *err = invalid;
      return false;
    }
  }
  if (neg) {
    *ns = static_cast<int64_t>(0 - d);
    return true;
  }
  if (d > kMax - 1) {
    *err = invalid;
    return false;
  }
  *ns = static_cast<int64_t>(d);
  return true;
}

}  // namespace lode::logql::tmpl
