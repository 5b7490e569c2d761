// Go's time package basics for templates: the proleptic Gregorian calendar,
// civil time of an instant in its zone, time.Date's normalisation and
// time.ParseDuration. Layout formatting and parsing are in
// template_time_layout.cc.

#include "base/go_parse.h"
#include "logql/template/internal.h"

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

Value TimeFromCivil(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t min,
                    int64_t sec, int64_t nsec, const Zone* z) {
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
  return GoParseDuration(s, ns, err);
}

}  // namespace lode::logql::tmpl
