#include "bench/lode_bench/line_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>

namespace lode::bench {
namespace {

constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
constexpr std::string_view kRareError =
    "tls: failed to verify certificate: x509: certificate signed by unknown authority";

void AppendUint(uint64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

// Appends v/10^decimals with exactly `decimals` fractional digits.
void AppendFixed(uint64_t v, int decimals, std::string* out) {
  uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  AppendUint(v / scale, out);
  out->push_back('.');
  char digits[20];
  uint64_t frac = v % scale;
  for (int i = decimals - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  out->append(digits, decimals);
}

void AppendHex(Rng& rng, int digits, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[64];
  uint64_t bits = 0;
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = rng.Next();
    buf[i] = kHex[bits & 15];
    bits >>= 4;
  }
  out->append(buf, digits);
}

// Copies tpl, replacing each '#' with a random number.
void AppendTemplate(std::string_view tpl, Rng& rng, std::string* out) {
  size_t pos;
  while ((pos = tpl.find('#')) != std::string_view::npos) {
    out->append(tpl.data(), pos);
    AppendUint(rng.Between(1, 99999), out);
    tpl.remove_prefix(pos + 1);
  }
  out->append(tpl);
}

// Latency in tenths of a millisecond: mostly fast, with a long tail.
uint64_t LatencyTenthsMs(Rng& rng, int level) {
  double u = rng.Unit();
  double ms = 1.0 + 25.0 * -std::log(1.0 - u);
  if (rng.Chance(0.03)) ms *= 20;
  if (level == 3 && rng.Chance(0.3)) ms = 30000.0 + rng.Below(5000);
  return static_cast<uint64_t>(ms * 10);
}

// Go time.ParseDuration syntax: "345ms" below a second, "1.234s" above.
void AppendDurationMs(uint64_t ms, std::string* out) {
  if (ms < 1000) {
    AppendUint(ms, out);
    out->append("ms");
  } else {
    AppendFixed(ms, 3, out);
    out->push_back('s');
  }
}

int HttpStatus(Rng& rng, int level) {
  static constexpr int kServer[] = {500, 502, 503, 504, 500, 503};
  static constexpr int kClient[] = {404, 400, 401, 403, 429, 409, 404, 422};
  static constexpr int kOk[] = {200, 200, 200, 200, 200, 200, 201, 204, 304, 301, 200, 200};
  if (level == 3) return kServer[rng.Below(std::size(kServer))];
  if (level == 2) return kClient[rng.Below(std::size(kClient))];
  return kOk[rng.Below(std::size(kOk))];
}

void AppendStatus(int status, std::string* out) {
  char buf[3] = {static_cast<char>('0' + status / 100), static_cast<char>('0' + status / 10 % 10),
                 static_cast<char>('0' + status % 10)};
  out->append(buf, 3);
}

void Put2(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

LineWriter::LineWriter() : vocab_(Vocabulary::Get()) {}

void LineWriter::UpdateDates(int64_t seconds) {
  cached_second_ = seconds;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int sod = static_cast<int>(seconds - days * 86400);
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int year = static_cast<int>(yoe + era * 400 + (month <= 2));
  int hh = sod / 3600, mm = sod / 60 % 60, ss = sod % 60;

  Put2(iso_, year / 100);
  Put2(iso_ + 2, year % 100);
  iso_[4] = '-';
  Put2(iso_ + 5, month);
  iso_[7] = '-';
  Put2(iso_ + 8, day);
  iso_[10] = 'T';
  Put2(iso_ + 11, hh);
  iso_[13] = ':';
  Put2(iso_ + 14, mm);
  iso_[16] = ':';
  Put2(iso_ + 17, ss);

  Put2(nginx_, day);
  nginx_[2] = '/';
  std::memcpy(nginx_ + 3, kMonths + 3 * (month - 1), 3);
  nginx_[6] = '/';
  std::memcpy(nginx_ + 7, iso_, 4);
  nginx_[11] = ':';
  std::memcpy(nginx_ + 12, iso_ + 11, 8);
  std::memcpy(nginx_ + 20, " +0000", 6);

  std::memcpy(syslog_, kMonths + 3 * (month - 1), 3);
  syslog_[3] = ' ';
  syslog_[4] = day < 10 ? ' ' : static_cast<char>('0' + day / 10);
  syslog_[5] = static_cast<char>('0' + day % 10);
  syslog_[6] = ' ';
  std::memcpy(syslog_ + 7, iso_ + 11, 8);
}

void LineWriter::AppendIsoMillis(int64_t ts_ns, char separator, std::string* out) {
  int64_t seconds = ts_ns / 1'000'000'000;
  if (seconds != cached_second_) UpdateDates(seconds);
  char buf[23];
  std::memcpy(buf, iso_, 19);
  buf[10] = separator;
  buf[19] = '.';
  int millis = static_cast<int>(ts_ns / 1'000'000 % 1000);
  buf[20] = static_cast<char>('0' + millis / 100);
  Put2(buf + 21, millis % 100);
  out->append(buf, 23);
}

void LineWriter::Append(const StreamInfo& stream, int64_t ts_ns, Rng& rng, std::string* out) {
  switch (stream.app) {
    case App::kApi:
      return Api(stream, ts_ns, rng, out);
    case App::kNginx:
      return Nginx(stream, ts_ns, rng, out);
    case App::kWorker:
      return Worker(stream, ts_ns, rng, out);
    case App::kPostgres:
      return Postgres(stream, ts_ns, rng, out);
    case App::kSyslog:
      return Syslog(stream, ts_ns, rng, out);
    case App::kBilling:
      return Billing(stream, ts_ns, rng, out);
  }
}

void LineWriter::Api(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out) {
  const int level = s.level;
  out->append("{\"ts\":\"");
  AppendIsoMillis(ts, 'T', out);
  out->append("Z\",\"level\":\"");
  out->append(LevelName(level));
  out->append("\",\"method\":\"");
  std::string_view method = vocab_.http_methods.Pick(rng);
  out->append(method);
  out->append("\",\"path\":\"");
  AppendTemplate(vocab_.api_paths.Pick(rng), rng, out);
  out->append("\",\"status\":");
  int status = HttpStatus(rng, level);
  if (status == 201 && method != "POST") status = 200;
  AppendStatus(status, out);
  out->append(",\"latency_ms\":");
  uint64_t tenths = LatencyTenthsMs(rng, level);
  AppendFixed(tenths, 1, out);
  out->append(",\"duration\":\"");
  AppendDurationMs(tenths / 10, out);
  out->append("\",\"bytes\":");
  AppendUint(status == 204 || status == 304 ? 0 : 120 + rng.Below(48000), out);
  out->append(",\"user\":\"");
  out->append(vocab_.users.Pick(rng));
  out->append("\",\"trace_id\":\"");
  AppendHex(rng, 32, out);
  if (rng.Below(10000) == 0) {
    out->append("\",\"error\":\"");
    out->append(kRareError);
  }
  out->append("\",\"msg\":\"");
  const WordList& msgs = level == 3   ? vocab_.api_messages_server_error
                         : level == 2 ? vocab_.api_messages_client_error
                                      : vocab_.api_messages_ok;
  out->append(msgs.Pick(rng));
  out->append("\"}");
}

void LineWriter::Nginx(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out) {
  if (ts / 1'000'000'000 != cached_second_) UpdateDates(ts / 1'000'000'000);
  out->append("10.");
  AppendUint(rng.Below(4), out);
  out->push_back('.');
  AppendUint(rng.Below(32), out);
  out->push_back('.');
  AppendUint(1 + rng.Below(254), out);
  out->append(" - - [");
  out->append(nginx_, sizeof(nginx_));
  out->append("] \"");
  out->append(rng.Chance(0.9) ? std::string_view("GET") : vocab_.http_methods.Pick(rng));
  out->push_back(' ');
  out->append(vocab_.nginx_paths.Pick(rng));
  out->append(rng.Chance(0.7) ? " HTTP/1.1\" " : " HTTP/2.0\" ");
  int status = HttpStatus(rng, s.level);
  AppendStatus(status, out);
  out->push_back(' ');
  AppendUint(status == 304 ? 0 : 200 + rng.Below(90000), out);
  out->append(" \"");
  out->append(vocab_.referrers.Pick(rng));
  out->append("\" \"");
  out->append(vocab_.user_agents.Pick(rng));
  out->push_back('"');
}

void LineWriter::Worker(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out) {
  out->append("ts=");
  AppendIsoMillis(ts, 'T', out);
  out->append("Z level=");
  out->append(LevelName(s.level));
  out->append(" msg=\"");
  out->append(vocab_.worker_messages[s.level].Pick(rng));
  out->append("\" queue=");
  out->append(vocab_.queues.Pick(rng));
  out->append(" job_id=");
  AppendHex(rng, 16, out);
  out->append(" attempt=");
  AppendUint(s.level >= 2 ? 1 + rng.Below(5) : 1, out);
  out->append(" duration=");
  // About 1% of jobs take more than 10s.
  uint32_t bucket = rng.Below(1000);
  uint64_t ms = bucket < 970   ? 5 + rng.Below(2995)
                : bucket < 990 ? 3000 + rng.Below(7000)
                               : 10001 + rng.Below(110000);
  AppendDurationMs(ms, out);
  out->append(" size=");
  AppendUint(64 + rng.Below(1 << 20), out);
}

void LineWriter::Postgres(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out) {
  AppendIsoMillis(ts, ' ', out);
  out->append(" UTC [");
  AppendUint(1000 + rng.Below(60000), out);
  out->append("] ");
  switch (s.level) {
    case 0:
      out->append("LOG:  ");
      out->append(vocab_.pg_notices.Pick(rng));
      break;
    case 1:
    case 2:
      out->append("LOG:  duration: ");
      AppendFixed(s.level == 1 ? rng.Below(50000) : 1000000 + rng.Below(9000000), 3, out);
      out->append(" ms  statement: ");
      out->append(vocab_.sql_statements.Pick(rng));
      break;
    default:
      out->append("ERROR:  ");
      out->append(vocab_.pg_errors.Pick(rng));
      break;
  }
}

void LineWriter::Syslog(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out) {
  if (ts / 1'000'000'000 != cached_second_) UpdateDates(ts / 1'000'000'000);
  out->append(syslog_, sizeof(syslog_));
  out->push_back(' ');
  out->append(s.instance);
  out->push_back(' ');
  AppendTemplate(vocab_.syslog_lines[s.level].Pick(rng), rng, out);
}

void LineWriter::Billing(const StreamInfo& s, int64_t ts, Rng& rng, std::string* out) {
  static constexpr const char* kPadded[kLevelCount] = {"DEBUG", " INFO", " WARN", "ERROR"};
  AppendIsoMillis(ts, ' ', out);
  out->push_back(' ');
  out->append(kPadded[s.level]);
  out->append(" 1 --- [");
  out->append(vocab_.java_threads.Pick(rng));
  out->append("] ");
  std::string_view logger = vocab_.java_loggers.Pick(rng);
  out->append(logger);
  if (logger.size() < 40) out->append(40 - logger.size(), ' ');
  out->append(" : ");
  AppendTemplate(vocab_.java_messages[s.level].Pick(rng), rng, out);
  if (s.level == 3 && rng.Chance(0.4)) {
    out->push_back('\n');
    out->append(vocab_.java_exceptions.Pick(rng));
    uint32_t frames = rng.Between(6, 14);
    for (uint32_t i = 0; i < frames; ++i) {
      out->append("\n\tat ");
      out->append(vocab_.java_frames.words[(i + rng.Below(2)) % vocab_.java_frames.words.size()]);
    }
    if (rng.Chance(0.5)) {
      out->append("\nCaused by: ");
      out->append(vocab_.java_exceptions.Pick(rng));
      out->append("\n\tat ");
      out->append(vocab_.java_frames.Pick(rng));
      out->append("\n\t... ");
      AppendUint(frames - 1, out);
      out->append(" more");
    }
  }
}

}  // namespace lode::bench
