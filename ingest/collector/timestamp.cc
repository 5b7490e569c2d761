#include "ingest/collector/timestamp.h"

#include <ctime>

namespace lode::collector {

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// `YYYY-MM-DD?hh:mm:ss` at the start of s with `sep` between date and time.
bool DateTime(std::string_view s, char sep, int64_t* secs) {
  int y, mo, d, h, mi, se;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != sep || s[13] != ':' || s[16] != ':')
    return false;
  if (!Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &mo) || !Digits(s, 8, 2, &d) ||
      !Digits(s, 11, 2, &h) || !Digits(s, 14, 2, &mi) || !Digits(s, 17, 2, &se))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  *secs = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
          mi * 60 + se;
  return true;
}

// Fraction digits after s[pos] ('.' or ','); returns nanoseconds and advances pos.
int64_t Fraction(std::string_view s, size_t* pos) {
  if (*pos >= s.size() || (s[*pos] != '.' && s[*pos] != ',')) return 0;
  size_t i = *pos + 1;
  int64_t ns = 0, scale = 100000000;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (scale > 0) ns += (s[i] - '0') * scale;
    scale /= 10;
    ++i;
  }
  if (i == start) return 0;
  *pos = i;
  return ns;
}

bool Field(std::string_view line, std::string_view key, std::string_view* value) {
  if (!line.empty() && line[0] == '{') {
    // JSON: "key" : value — a scan, not a parser; good enough for flat log lines.
    size_t pos = 0;
    while ((pos = line.find(key, pos)) != std::string_view::npos) {
      size_t end = pos + key.size();
      if (pos == 0 || line[pos - 1] != '"' || end >= line.size() || line[end] != '"') {
        pos = end;
        continue;
      }
      size_t i = end + 1;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i >= line.size() || line[i] != ':') {
        pos = end;
        continue;
      }
      ++i;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i < line.size() && line[i] == '"') {
        size_t q = line.find('"', i + 1);
        if (q == std::string_view::npos) return false;
        *value = line.substr(i + 1, q - i - 1);
        return true;
      }
      size_t j = i;
      while (j < line.size() && line[j] != ',' && line[j] != '}' && line[j] != ' ') ++j;
      *value = line.substr(i, j - i);
      return !value->empty();
    }
    return false;
  }
  // logfmt: key=value or key="value", at the start or after a space.
  size_t pos = 0;
  while ((pos = line.find(key, pos)) != std::string_view::npos) {
    size_t end = pos + key.size();
    if ((pos != 0 && line[pos - 1] != ' ') || end >= line.size() || line[end] != '=') {
      pos = end;
      continue;
    }
    size_t i = end + 1;
    if (i < line.size() && line[i] == '"') {
      size_t q = line.find('"', i + 1);
      if (q == std::string_view::npos) return false;
      *value = line.substr(i + 1, q - i - 1);
      return true;
    }
    size_t j = line.find(' ', i);
    *value = line.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    return !value->empty();
  }
  return false;
}

bool ParseValue(std::string_view v, int64_t* ns) {
  if (ParseRfc3339(v, ns) || ParsePythonTime(v, ns)) return true;
  size_t int_digits = 0;
  while (int_digits < v.size() && v[int_digits] >= '0' && v[int_digits] <= '9') ++int_digits;
  switch (int_digits) {
    case 10:
      return ParseUnixTime(v, "unix", ns);
    case 13:
      return ParseUnixTime(v, "unix_ms", ns);
    case 16:
      return ParseUnixTime(v, "unix_us", ns);
    case 19:
      return ParseUnixTime(v, "unix_ns", ns);
    default:
      return false;
  }
}

}  // namespace

bool ParseRfc3339(std::string_view s, int64_t* ns) {
  int64_t secs;
  if (!DateTime(s, 'T', &secs) && !DateTime(s, 't', &secs)) return false;
  size_t pos = 19;
  int64_t frac = Fraction(s, &pos);
  if (pos >= s.size()) return false;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    *ns = secs * 1000000000 + frac;
    return true;
  }
  if (s[pos] != '+' && s[pos] != '-') return false;
  int oh, om;
  if (pos + 6 > s.size() || s[pos + 3] != ':' || !Digits(s, pos + 1, 2, &oh) ||
      !Digits(s, pos + 4, 2, &om))
    return false;
  int64_t off = oh * 3600 + om * 60;
  secs += s[pos] == '+' ? -off : off;
  *ns = secs * 1000000000 + frac;
  return true;
}

bool ParsePythonTime(std::string_view s, int64_t* ns) {
  int64_t secs;
  if (!DateTime(s, ' ', &secs)) return false;
  size_t pos = 19;
  int64_t frac = Fraction(s, &pos);
  // Python writes local time: find the local offset at that instant.
  time_t t = static_cast<time_t>(secs);
  struct tm lt;
  if (localtime_r(&t, &lt)) {
    t = static_cast<time_t>(secs - lt.tm_gmtoff);
    if (localtime_r(&t, &lt)) secs -= lt.tm_gmtoff;
  }
  *ns = secs * 1000000000 + frac;
  return true;
}

bool ParseUnixTime(std::string_view s, std::string_view format, int64_t* ns) {
  size_t i = 0;
  int64_t ip = 0;
  if (s.empty()) return false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (ip > 922337203685477580LL) return false;
    ip = ip * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  int64_t frac = Fraction(s, &i);
  if (i != s.size()) return false;
  if (format == "unix") {
    if (ip > 9223372035LL) return false;
    *ns = ip * 1000000000 + frac;
  } else if (format == "unix_ms") {
    if (ip > 9223372035853LL) return false;
    *ns = ip * 1000000 + frac / 1000;
  } else if (format == "unix_us") {
    if (ip > 9223372035853775LL) return false;
    *ns = ip * 1000 + frac / 1000000;
  } else if (format == "unix_ns") {
    *ns = ip;
  } else {
    return false;
  }
  return true;
}

bool ExtractTimestamp(const TimestampOptions& opts, std::string_view line, int64_t* ns) {
  using Mode = TimestampOptions::Mode;
  std::string_view v;
  switch (opts.mode) {
    case Mode::kReadTime:
      return false;
    case Mode::kField:
      if (!Field(line, opts.field, &v)) return false;
      if (opts.format == "rfc3339") return ParseRfc3339(v, ns);
      if (opts.format == "python") return ParsePythonTime(v, ns);
      return ParseUnixTime(v, opts.format, ns);
    case Mode::kAuto:
      break;
  }
  if (line.empty()) return false;
  if (line[0] == '{') {
    for (std::string_view k : {"ts", "time", "timestamp", "@timestamp"}) {
      if (Field(line, k, &v) && ParseValue(v, ns)) return true;
    }
    return false;
  }
  if (line[0] >= '0' && line[0] <= '9' && (ParseRfc3339(line, ns) || ParsePythonTime(line, ns)))
    return true;
  if (line.find('=') == std::string_view::npos) return false;
  for (std::string_view k : {"ts", "time", "timestamp"}) {
    if (Field(line, k, &v) && ParseValue(v, ns)) return true;
  }
  return false;
}

}  // namespace lode::collector
