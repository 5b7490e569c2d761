#include "server/params.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>

#include "logql/syntax/parser.h"

namespace lode::server {

namespace {
std::atomic<int64_t> g_clock_offset_ns{0};
}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() +
         g_clock_offset_ns.load(std::memory_order_relaxed);
}

void SetClockOffsetNs(int64_t offset_ns) { g_clock_offset_ns.store(offset_ns, std::memory_order_relaxed); }

namespace {

bool AllDigits(const std::string& v) {
  if (v.empty()) return false;
  size_t i = v[0] == '-' ? 1 : 0;
  if (i == v.size()) return false;
  for (; i < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9') return false;
  return true;
}

// RFC3339 with optional fractional seconds and zone (Z or +hh:mm).
bool ParseRfc3339(const std::string& v, int64_t* out) {
  int y, mo, d, h, mi, s;
  int n = 0;
  if (sscanf(v.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6) return false;
  size_t i = static_cast<size_t>(n);
  int64_t frac = 0;
  if (i < v.size() && v[i] == '.') {
    ++i;
    int digits = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
      if (digits < 9) {
        frac = frac * 10 + (v[i] - '0');
        ++digits;
      }
      ++i;
    }
    while (digits++ < 9) frac *= 10;
  }
  int64_t offset = 0;
  if (i < v.size() && (v[i] == 'Z' || v[i] == 'z')) {
    ++i;
  } else if (i < v.size() && (v[i] == '+' || v[i] == '-')) {
    int oh, om;
    if (sscanf(v.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return false;
    offset = (oh * 3600 + om * 60) * (v[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return false;
  }
  if (i != v.size()) return false;
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  *out = secs * 1000000000LL + frac;
  return true;
}

}  // namespace

Status ParseTimestamp(const std::string& v, int64_t def, int64_t* out) {
  if (v.empty()) {
    *out = def;
    return Status::OK();
  }
  if (v.find_first_of(".eE") != std::string::npos && v.find('T') == std::string::npos) {
    char* end = nullptr;
    double f = std::strtod(v.c_str(), &end);
    if (end && *end == '\0' && std::isfinite(f)) {
      if (f > 1e13) {  // already nanoseconds (JavaScript float noise)
        *out = static_cast<int64_t>(std::llround(f));
        return Status::OK();
      }
      double s = std::floor(f);
      double ns = std::round((f - s) * 1000) / 1000;
      *out = static_cast<int64_t>(s) * 1000000000LL + static_cast<int64_t>(ns * 1e9);
      return Status::OK();
    }
  }
  if (AllDigits(v)) {
    int64_t n = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc()) {
      return Status::InvalidArgument("invalid parameter: cannot parse \"" + v + "\" to a valid timestamp");
    }
    *out = v.size() <= 10 ? n * 1000000000LL : n;
    return Status::OK();
  }
  if (ParseRfc3339(v, out)) return Status::OK();
  return Status::InvalidArgument("cannot parse \"" + v + "\" to a valid timestamp");
}

Status ParseStep(const std::string& v, int64_t* out_ns) {
  char* end = nullptr;
  double f = std::strtod(v.c_str(), &end);
  if (!v.empty() && end && *end == '\0') {
    if (!std::isfinite(f)) return Status::InvalidArgument("cannot parse \"" + v + "\" to a valid duration");
    *out_ns = static_cast<int64_t>(std::llround(f * 1e9));
    return Status::OK();
  }
  int64_t ns;
  if (logql::ParseDuration(v, &ns).ok()) {
    *out_ns = ns;
    return Status::OK();
  }
  return Status::InvalidArgument("cannot parse \"" + v + "\" to a valid duration");
}

Status ParseDirection(const std::string& v, Direction* out) {
  std::string l = v;
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l.empty() || l == "backward") {
    *out = Direction::kBackward;
  } else if (l == "forward") {
    *out = Direction::kForward;
  } else {
    return Status::InvalidArgument("invalid direction '" + v + "'");
  }
  return Status::OK();
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  std::string s(buf, r.ptr);
  if (s == "-0") s = "-0";
  return s;
}

std::string FormatSeconds(int64_t ns) {
  int64_t s = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    s -= 1;
  }
  if (rem == 0) return std::to_string(s);
  int64_t ms = rem / 1000000;
  if (ms == 0) return std::to_string(s);
  char buf[8];
  snprintf(buf, sizeof(buf), "%03lld", static_cast<long long>(ms));
  std::string f = buf;
  while (!f.empty() && f.back() == '0') f.pop_back();
  return std::to_string(s) + "." + f;
}

}  // namespace lode::server
