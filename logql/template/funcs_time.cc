// Time functions of Loki's templates (Sprig's date, toDate, now, unixEpoch;
// Loki's toDateInZone, unixEpochMillis/Nanos, unixToTime, __timestamp__) and
// the time.Time methods a template may call (`__timestamp__.Unix`). The local
// zone of the server is UTC.

#include <chrono>

#include "logql/template/internal.h"

namespace lode::logql::tmpl {
namespace {

constexpr int64_t kZeroTimeSec = -62135596800;  // 0001-01-01 00:00:00 UTC

Value ZeroTime() { return Value::Time(kZeroTimeSec, 0, UtcZone()); }

// time.Unix(0, ns) in the local zone.
Value FromUnixNano(int64_t ns) {
  int64_t sec = ns / 1000000000, nsec = ns % 1000000000;
  if (nsec < 0) {
    nsec += 1000000000;
    sec--;
  }
  return Value::Time(sec, static_cast<int32_t>(nsec), UtcZone());
}

int64_t UnixMilli(const Value& t) {
  return static_cast<int64_t>(static_cast<uint64_t>(t.i) * 1000u +
                              static_cast<uint64_t>(t.nsec / 1000000));
}
int64_t UnixMicro(const Value& t) {
  return static_cast<int64_t>(static_cast<uint64_t>(t.i) * 1000000u +
                              static_cast<uint64_t>(t.nsec / 1000));
}
int64_t UnixNano(const Value& t) {
  return static_cast<int64_t>(static_cast<uint64_t>(t.i) * 1000000000u +
                              static_cast<uint64_t>(t.nsec));
}

bool FnTimestamp(Call& c) { return c.Return(FromUnixNano(c.env->ctx->ts_ns)); }

bool FnNow(Call& c) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return c.Return(FromUnixNano(static_cast<int64_t>(ns)));
}

// Sprig's date(fmt, date): a time, or Unix seconds as int/int64; anything
// else formats the current time.
bool FnDate(Call& c) {
  const Value& d = c.args[1];
  Value t;
  if (d.kind == Kind::kTime) {
    t = d;
  } else if (d.kind == Kind::kInt && d.itype != IntType::kUint8) {
    t = Value::Time(d.i, 0, UtcZone());
  } else {
    FnNow(c);
    t = c.out;
  }
  std::string out;
  Value in_local = t;
  in_local.p = UtcZone();
  AppendTimeFormat(&out, in_local, c.args[0].s);
  return c.ReturnString(std::move(out));
}

bool ParseIn(Call& c, std::string_view layout, std::string_view value, const Zone* loc) {
  Value t;
  if (!ParseTimeInLocation(layout, value, loc, c.env->arena, &t)) t = ZeroTime();
  return c.Return(t);
}

bool FnToDate(Call& c) { return ParseIn(c, c.args[0].s, c.args[1].s, UtcZone()); }

bool FnToDateInZone(Call& c) {
  const Zone* z = LoadZone(c.args[1].s);
  return ParseIn(c, c.args[0].s, c.args[2].s, z ? z : UtcZone());
}

bool FnUnixEpoch(Call& c) { return c.ReturnString(std::to_string(c.args[0].i)); }
bool FnUnixEpochMillis(Call& c) { return c.ReturnString(std::to_string(UnixMilli(c.args[0]))); }
bool FnUnixEpochNanos(Call& c) { return c.ReturnString(std::to_string(UnixNano(c.args[0]))); }

bool FnUnixToTime(Call& c) {
  std::string_view epoch = c.args[0].s;
  int64_t i = 0;
  bool range_err;
  std::string quoted;
  AppendQuote(&quoted, epoch, false);
  if (!GoParseInt(epoch, 10, &i, &range_err)) {
    return c.Fail("unable to parse time '" + std::string(epoch) + "': strconv.ParseInt: parsing " +
                  quoted + (range_err ? ": value out of range" : ": invalid syntax"));
  }
  switch (epoch.size()) {
    case 5:
      return c.Return(Value::Time(i * 86400, 0, UtcZone()));
    case 10:
      return c.Return(Value::Time(i, 0, UtcZone()));
    case 13:
      return c.Return(FromUnixNano(i * 1000000));
    case 16:
      return c.Return(FromUnixNano(i * 1000));
    case 19:
      return c.Return(FromUnixNano(i));
    default:
      return c.Fail("unable to parse time '" + std::string(epoch) + "': %!w(<nil>)");
  }
}

// ---- time.Time methods; args[0] is the receiver ----

bool MUnix(Call& c) { return c.Return(Value::Int(c.args[0].i, IntType::kInt64)); }
bool MUnixMilli(Call& c) { return c.Return(Value::Int(UnixMilli(c.args[0]), IntType::kInt64)); }
bool MUnixMicro(Call& c) { return c.Return(Value::Int(UnixMicro(c.args[0]), IntType::kInt64)); }
bool MUnixNano(Call& c) { return c.Return(Value::Int(UnixNano(c.args[0]), IntType::kInt64)); }
bool MYear(Call& c) { return c.Return(Value::Int(ToCivil(c.args[0]).year)); }
bool MDay(Call& c) { return c.Return(Value::Int(ToCivil(c.args[0]).day)); }
bool MHour(Call& c) { return c.Return(Value::Int(ToCivil(c.args[0]).hour)); }
bool MMinute(Call& c) { return c.Return(Value::Int(ToCivil(c.args[0]).min)); }
bool MSecond(Call& c) { return c.Return(Value::Int(ToCivil(c.args[0]).sec)); }
bool MNanosecond(Call& c) { return c.Return(Value::Int(c.args[0].nsec)); }
bool MYearDay(Call& c) { return c.Return(Value::Int(ToCivil(c.args[0]).yday)); }

bool MMonth(Call& c) {
  std::string s;
  AppendTimeFormat(&s, c.args[0], "January");
  return c.ReturnString(std::move(s));
}

bool MWeekday(Call& c) {
  std::string s;
  AppendTimeFormat(&s, c.args[0], "Monday");
  return c.ReturnString(std::move(s));
}

bool MFormat(Call& c) {
  std::string s;
  AppendTimeFormat(&s, c.args[0], c.args[1].s);
  return c.ReturnString(std::move(s));
}

bool MString(Call& c) {
  std::string s;
  AppendTimeString(&s, c.args[0]);
  return c.ReturnString(std::move(s));
}

bool MUTC(Call& c) {
  Value t = c.args[0];
  t.p = UtcZone();
  return c.Return(t);
}

bool MIsZero(Call& c) {
  return c.Return(Value::Bool(c.args[0].i == kZeroTimeSec && c.args[0].nsec == 0));
}

constexpr PT A = PT::kAny;
constexpr PT Str = PT::kString;
constexpr PT T = PT::kTime;

}  // namespace

const FuncDef kTimeFuncs[] = {
    {"__timestamp__", 0, false, {}, FnTimestamp, 0},
    {"now", 0, false, {}, FnNow, 0},
    {"date", 2, false, {Str, A}, FnDate, 0},
    {"toDate", 2, false, {Str, Str}, FnToDate, 0},
    {"toDateInZone", 3, false, {Str, Str, Str}, FnToDateInZone, 0},
    {"unixEpoch", 1, false, {T}, FnUnixEpoch, 0},
    {"unixEpochMillis", 1, false, {T}, FnUnixEpochMillis, 0},
    {"unixEpochNanos", 1, false, {T}, FnUnixEpochNanos, 0},
    {"unixToTime", 1, false, {Str}, FnUnixToTime, 0},
};
const size_t kNumTimeFuncs = sizeof(kTimeFuncs) / sizeof(kTimeFuncs[0]);

const FuncDef kTimeMethods[] = {
    {"Unix", 0, false, {}, MUnix, 0},
    {"UnixMilli", 0, false, {}, MUnixMilli, 0},
    {"UnixMicro", 0, false, {}, MUnixMicro, 0},
    {"UnixNano", 0, false, {}, MUnixNano, 0},
    {"Year", 0, false, {}, MYear, 0},
    {"Month", 0, false, {}, MMonth, 0},
    {"Day", 0, false, {}, MDay, 0},
    {"Hour", 0, false, {}, MHour, 0},
    {"Minute", 0, false, {}, MMinute, 0},
    {"Second", 0, false, {}, MSecond, 0},
    {"Nanosecond", 0, false, {}, MNanosecond, 0},
    {"YearDay", 0, false, {}, MYearDay, 0},
    {"Weekday", 0, false, {}, MWeekday, 0},
    {"Format", 1, false, {Str}, MFormat, 0},
    {"String", 0, false, {}, MString, 0},
    {"UTC", 0, false, {}, MUTC, 0},
    {"Local", 0, false, {}, MUTC, 0},
    {"IsZero", 0, false, {}, MIsZero, 0},
};
const size_t kNumTimeMethods = sizeof(kTimeMethods) / sizeof(kTimeMethods[0]);

}  // namespace lode::logql::tmpl
