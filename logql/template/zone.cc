// Time zones for the template engine: UTC, fixed offsets and the IANA
// database read from /usr/share/zoneinfo (TZif files with their POSIX TZ
// footer), looked up as Go's time.Location does. "Local" is UTC: Loki servers
// run in UTC and results must not depend on the host's zone.

#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "logql/template/internal.h"

namespace lode::logql::tmpl {
namespace {

constexpr int64_t kAlpha = INT64_MIN;
constexpr int64_t kOmega = INT64_MAX;
constexpr int kSecondsPerDay = 86400;

uint32_t Big4(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

uint64_t Big8(const unsigned char* p) { return (uint64_t{Big4(p)} << 32) | Big4(p + 4); }

// Parses TZif data (RFC 8536) as Go's LoadLocationFromTZData.
bool ParseTZif(const std::string& data, Zone* z) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t len = data.size();
  size_t off = 0;
  auto header = [&](uint32_t n[6], char* version) {
    if (len - off < 44 || std::memcmp(p + off, "TZif", 4) != 0) return false;
    *version = static_cast<char>(p[off + 4]);
    for (int i = 0; i < 6; i++) n[i] = Big4(p + off + 20 + 4 * i);
    off += 44;
    return true;
  };
  enum { kUTCLocal, kStdWall, kLeap, kTime, kZone, kChar };
  uint32_t n[6];
  char version;
  if (!header(n, &version)) return false;
  bool is64 = false;
  if (version >= '2') {
    size_t skip = size_t{n[kTime]} * 5 + size_t{n[kZone]} * 6 + n[kChar] + size_t{n[kLeap]} * 8 +
                  n[kStdWall] + n[kUTCLocal];
    if (len - off < skip) return false;
    off += skip;
    if (!header(n, &version)) return false;
    is64 = true;
  }
  size_t size = is64 ? 8 : 4;
  size_t need = n[kTime] * size + n[kTime] + size_t{n[kZone]} * 6 + n[kChar] +
                n[kLeap] * (size + 4) + n[kStdWall] + n[kUTCLocal];
  if (len - off < need) return false;
  const unsigned char* times = p + off;
  const unsigned char* idx = times + n[kTime] * size;
  const unsigned char* zones = idx + n[kTime];
  const unsigned char* abbrev = zones + n[kZone] * 6;
  off += need;
  std::string_view rest(data.data() + off, len - off);
  if (rest.size() > 2 && rest.front() == '\n') {
    size_t nl = rest.find('\n', 1);
    if (nl != std::string_view::npos) z->extend = std::string(rest.substr(1, nl - 1));
  }
  if (n[kZone] == 0) return false;
  for (uint32_t i = 0; i < n[kZone]; i++) {
    Zone::Type t;
    t.offset = static_cast<int32_t>(Big4(zones + 6 * i));
    t.isdst = zones[6 * i + 4] != 0;
    uint8_t a = zones[6 * i + 5];
    if (a >= n[kChar]) return false;
    const char* s = reinterpret_cast<const char*>(abbrev) + a;
    size_t l = 0;
    while (a + l < n[kChar] && s[l] != '\0') l++;
    t.abbr.assign(s, l);
    z->types.push_back(std::move(t));
  }
  for (uint32_t i = 0; i < n[kTime]; i++) {
    Zone::Trans tr;
    tr.when = is64 ? static_cast<int64_t>(Big8(times + 8 * i))
                   : static_cast<int32_t>(Big4(times + 4 * i));
    tr.idx = idx[i];
    if (tr.idx >= z->types.size()) return false;
    z->tx.push_back(tr);
  }
  if (z->tx.empty()) z->tx.push_back(Zone::Trans{kAlpha, 0});
  return true;
}

// ---- POSIX TZ strings (Go's tzset) ----

bool TzsetName(std::string_view* s, std::string_view* name) {
  if (s->empty()) return false;
  if ((*s)[0] != '<') {
    size_t i = 0;
    for (; i < s->size(); i++) {
      char c = (*s)[i];
      if (c == ',' || c == '-' || c == '+' || (c >= '0' && c <= '9')) break;
    }
    if (i < 3) return false;
    *name = s->substr(0, i);
    s->remove_prefix(i);
    return true;
  }
  size_t end = s->find('>');
  if (end == std::string_view::npos) return false;
  *name = s->substr(1, end - 1);
  s->remove_prefix(end + 1);
  return true;
}

bool TzsetNum(std::string_view* s, int min, int max, int* out) {
  if (s->empty()) return false;
  int num = 0;
  size_t i = 0;
  for (; i < s->size() && (*s)[i] >= '0' && (*s)[i] <= '9'; i++) {
    num = num * 10 + ((*s)[i] - '0');
    if (num > max) return false;
  }
  if (i == 0 || num < min) return false;
  s->remove_prefix(i);
  *out = num;
  return true;
}

bool TzsetOffset(std::string_view* s, int* off) {
  if (s->empty()) return false;
  bool neg = false;
  if ((*s)[0] == '+') {
    s->remove_prefix(1);
  } else if ((*s)[0] == '-') {
    s->remove_prefix(1);
    neg = true;
  }
  int hours;
  if (!TzsetNum(s, 0, 24 * 7, &hours)) return false;
  int o = hours * 3600;
  if (!s->empty() && (*s)[0] == ':') {
    s->remove_prefix(1);
    int mins;
    if (!TzsetNum(s, 0, 59, &mins)) return false;
    o += mins * 60;
    if (!s->empty() && (*s)[0] == ':') {
      s->remove_prefix(1);
      int secs;
      if (!TzsetNum(s, 0, 59, &secs)) return false;
      o += secs;
    }
  }
  *off = neg ? -o : o;
  return true;
}

struct Rule {
  enum Kind { kJulian, kDOY, kMonthWeekDay } kind = kDOY;
  int day = 0, week = 0, mon = 0, time = 0;
};

bool TzsetRule(std::string_view* s, Rule* r) {
  if (s->empty()) return false;
  if ((*s)[0] == 'J') {
    s->remove_prefix(1);
    if (!TzsetNum(s, 1, 365, &r->day)) return false;
    r->kind = Rule::kJulian;
  } else if ((*s)[0] == 'M') {
    s->remove_prefix(1);
    if (!TzsetNum(s, 1, 12, &r->mon) || s->empty() || (*s)[0] != '.') return false;
    s->remove_prefix(1);
    if (!TzsetNum(s, 1, 5, &r->week) || s->empty() || (*s)[0] != '.') return false;
    s->remove_prefix(1);
    if (!TzsetNum(s, 0, 6, &r->day)) return false;
    r->kind = Rule::kMonthWeekDay;
  } else {
    if (!TzsetNum(s, 0, 365, &r->day)) return false;
    r->kind = Rule::kDOY;
  }
  if (s->empty() || (*s)[0] != '/') {
    r->time = 2 * 3600;
    return true;
  }
  s->remove_prefix(1);
  return TzsetOffset(s, &r->time);
}

int64_t TzruleTime(int64_t year, const Rule& r, int off) {
  static const int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};
  int64_t s = 0;
  switch (r.kind) {
    case Rule::kJulian:
      s = int64_t{r.day - 1} * kSecondsPerDay;
      if (IsLeapYear(year) && r.day >= 60) s += kSecondsPerDay;
      break;
    case Rule::kDOY:
      s = int64_t{r.day} * kSecondsPerDay;
      break;
    case Rule::kMonthWeekDay: {
      int64_t m1 = (r.mon + 9) % 12 + 1;
      int64_t yy0 = year;
      if (r.mon <= 2) yy0--;
      int64_t yy1 = yy0 / 100, yy2 = yy0 % 100;
      int64_t dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
      if (dow < 0) dow += 7;
      int64_t d = r.day - dow;
      if (d < 0) d += 7;
      int dim =
          kDaysBefore[r.mon] - kDaysBefore[r.mon - 1] + ((r.mon == 2 && IsLeapYear(year)) ? 1 : 0);
      for (int i = 1; i < r.week; i++) {
        if (d + 7 >= dim) break;
        d += 7;
      }
      d += kDaysBefore[r.mon - 1];
      if (IsLeapYear(year) && r.mon > 2) d++;
      s = d * kSecondsPerDay;
      break;
    }
  }
  return s + r.time - off;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool Tzset(std::string_view s, int64_t last_tx, int64_t sec, ZoneInfo* out) {
  std::string_view std_name, dst_name;
  int std_off, dst_off;
  if (!TzsetName(&s, &std_name) || !TzsetOffset(&s, &std_off)) return false;
  std_off = -std_off;
  if (s.empty() || s[0] == ',') {
    *out = ZoneInfo{std_name, std_off, last_tx, kOmega, false};
    return true;
  }
  if (!TzsetName(&s, &dst_name)) return false;
  if (s.empty() || s[0] == ',') {
    dst_off = std_off + 3600;
  } else {
    if (!TzsetOffset(&s, &dst_off)) return false;
    dst_off = -dst_off;
  }
  std::string_view rules = s.empty() ? std::string_view(",M3.2.0,M11.1.0") : s;
  if (rules[0] != ',' && rules[0] != ';') return false;
  rules.remove_prefix(1);
  Rule start_rule, end_rule;
  if (!TzsetRule(&rules, &start_rule) || rules.empty() || rules[0] != ',') return false;
  rules.remove_prefix(1);
  if (!TzsetRule(&rules, &end_rule) || !rules.empty()) return false;

  int64_t days = FloorDiv(sec, kSecondsPerDay);
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  int64_t year_start = DaysFromCivil(year, 1, 1) * kSecondsPerDay;
  int64_t ysec = sec - year_start;
  int64_t start_sec = TzruleTime(year, start_rule, std_off);
  int64_t end_sec = TzruleTime(year, end_rule, dst_off);
  bool dst_is_dst = true, std_is_dst = false;
  if (end_sec < start_sec) {
    std::swap(start_sec, end_sec);
    std::swap(std_name, dst_name);
    std::swap(std_off, dst_off);
    std::swap(std_is_dst, dst_is_dst);
  }
  if (ysec < start_sec) {
    *out = ZoneInfo{std_name, std_off, year_start, start_sec + year_start, std_is_dst};
  } else if (ysec >= end_sec) {
    *out = ZoneInfo{std_name, std_off, end_sec + year_start, year_start + 365 * kSecondsPerDay,
                    std_is_dst};
  } else {
    *out = ZoneInfo{dst_name, dst_off, start_sec + year_start, end_sec + year_start, dst_is_dst};
  }
  return true;
}

size_t LookupFirstZone(const Zone* z) {
  bool first_used = false;
  for (const auto& t : z->tx) first_used = first_used || t.idx == 0;
  if (!first_used) return 0;
  if (!z->tx.empty() && z->types[z->tx[0].idx].isdst) {
    for (int zi = static_cast<int>(z->tx[0].idx) - 1; zi >= 0; zi--) {
      if (!z->types[zi].isdst) return static_cast<size_t>(zi);
    }
  }
  for (size_t zi = 0; zi < z->types.size(); zi++) {
    if (!z->types[zi].isdst) return zi;
  }
  return 0;
}

}  // namespace

const Zone* UtcZone() {
  static const Zone* utc = [] {
    auto* z = new Zone();
    z->name = "UTC";
    return z;
  }();
  return utc;
}

Zone* Arena::NewZone() {
  zones_.push_back(std::make_unique<Zone>());
  return zones_.back().get();
}

const Zone* FixedZone(Arena* arena, std::string_view name, int offset) {
  Zone* z = arena->NewZone();
  z->name = std::string(name);
  z->types.push_back(Zone::Type{offset, false, std::string(name)});
  z->tx.push_back(Zone::Trans{kAlpha, 0});
  return z;
}

const Zone* LoadZone(std::string_view name) {
  if (name.empty() || name == "UTC" || name == "Local") return UtcZone();
  if (name.find("..") != std::string_view::npos || name[0] == '/' || name[0] == '\\')
    return nullptr;
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Zone>, std::less<>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second.get();
  std::unique_ptr<Zone> z;
  std::ifstream f("/usr/share/zoneinfo/" + std::string(name), std::ios::binary);
  if (f) {
    std::ostringstream ss;
    ss << f.rdbuf();
    z = std::make_unique<Zone>();
    z->name = std::string(name);
    if (!ParseTZif(ss.str(), z.get())) z.reset();
  }
  const Zone* result = z.get();
  cache.emplace(std::string(name), std::move(z));
  return result;
}

ZoneInfo ZoneLookup(const Zone* z, int64_t sec) {
  if (z == nullptr || z->types.empty()) return ZoneInfo{"UTC", 0, kAlpha, kOmega, false};
  if (z->tx.empty() || sec < z->tx[0].when) {
    const Zone::Type& t = z->types[LookupFirstZone(z)];
    return ZoneInfo{t.abbr, t.offset, kAlpha, z->tx.empty() ? kOmega : z->tx[0].when, t.isdst};
  }
  size_t lo = 0, hi = z->tx.size();
  int64_t end = kOmega;
  while (hi - lo > 1) {
    size_t m = (lo + hi) / 2;
    if (sec < z->tx[m].when) {
      end = z->tx[m].when;
      hi = m;
    } else {
      lo = m;
    }
  }
  const Zone::Type& t = z->types[z->tx[lo].idx];
  ZoneInfo zi{t.abbr, t.offset, z->tx[lo].when, end, t.isdst};
  if (lo == z->tx.size() - 1 && !z->extend.empty()) {
    ZoneInfo e;
    if (Tzset(z->extend, zi.start, sec, &e)) return e;
  }
  return zi;
}

bool ZoneOffsetByName(const Zone* z, std::string_view name, int64_t unix, int* offset) {
  if (z == nullptr) return false;
  for (const auto& t : z->types) {
    if (t.abbr == name && ZoneLookup(z, unix - t.offset).abbr == t.abbr) {
      *offset = ZoneLookup(z, unix - t.offset).offset;
      return true;
    }
  }
  for (const auto& t : z->types) {
    if (t.abbr == name) {
      *offset = t.offset;
      return true;
    }
  }
  return false;
}

}  // namespace lode::logql::tmpl
