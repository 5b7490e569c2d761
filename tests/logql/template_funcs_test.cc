// Tests of the template functions Loki documents (Go strings.*, Sprig and
// Loki's own). Expected values follow Loki's fmt_test.go and its docs.

#include <gtest/gtest.h>

#include <fstream>

#include "logql/template/template.h"
#include "tests/logql/template_test_util.h"

namespace lode::logql {
namespace {

using template_test::Exec;
using template_test::ExecErr;
using template_test::Labels;

std::string CallErr(const std::string& tmpl) {
  std::string e = ExecErr(tmpl);
  size_t p = e.find(": error calling ");
  return p == std::string::npos ? e : e.substr(p + 2);
}

TEST(TemplateFuncs, GoStringsFunctions) {
  Labels l = {{"request_method", "Get"}, {"bar", "blop"}};
  EXPECT_EQ(Exec("{{.request_method | ToLower}} {{.request_method | ToUpper}}", l), "get GET");
  EXPECT_EQ(Exec("{{ToUpper \"This is a string\" | ToLower}}"), "this is a string");
  EXPECT_EQ(Exec("{{ Replace \"This is a string\" \" \" \"-\" -1 }}"), "This-is-a-string");
  EXPECT_EQ(Exec("foo{{ Replace .bar \"blop\" \"bar\" -1 }}", l), "foobar");
  EXPECT_EQ(Exec("{{ Replace \"aaaa\" \"a\" \"b\" 2 }} {{ Replace \"ab\" \"\" \"-\" -1 }}"),
            "bbaa -a-b-");
  EXPECT_EQ(Exec("{{ Trim \",.hello,. \" \",. \" }}|{{ TrimLeft \":::uri:\" \":\" }}|{{ TrimRight "
                 "\"x!!\" \"!\" }}"),
            "hello|uri:|x");
  EXPECT_EQ(Exec("{{ TrimPrefix \"pre-x\" \"pre-\" }}|{{ TrimSuffix \"x.log\" \".log\" }}|{{ "
                 "TrimSpace \" \\t x \\n\" }}|"),
            "x|x|x|");
}

TEST(TemplateFuncs, Regex) {
  Labels l = {{"foo", "BLIp"}, {"line", "abc abc abc"}};
  EXPECT_EQ(Exec("{{ regexReplaceAll \"(p)\" .foo \"t\" }}", l), "BLIt");
  EXPECT_EQ(Exec("{{ regexReplaceAllLiteral \"(p)\" .foo \"${1}\" }}", l), "BLI${1}");
  EXPECT_EQ(Exec("{{ regexReplaceAll \"(a*)bc\" \"aabc xbc\" \"${1}a\" }}"), "aaa xa");
  EXPECT_EQ(Exec("{{ regexReplaceAll \"(b)\" \"abc\" \"$1x|$$|$\" }}"), "a|$|$c");
  EXPECT_EQ(Exec("{{ regexReplaceAll \"(?P<first>a)\" \"xa\" \"<${first}>\" }}"), "x<a>");
  EXPECT_EQ(Exec("{{ regexReplaceAll \"a*\" \"baaac\" \"-\" }}"), "-b-c-");
  EXPECT_EQ(Exec("{{ $re := \"(\\\\d+)\" }}{{ regexReplaceAll $re \"a12b3\" \"<$1>\" }}"),
            "a<12>b<3>");
  EXPECT_EQ(Exec("{{ .line | count \"abc\" }} {{ .line | count \"a|b|c\" }}", l), "3 9");
  EXPECT_EQ(
      Exec("{{ count \"a|b\" \"abab\" }} {{ count \"o\" \"foo\" }} {{ count \"x*\" \"ab\" }}"),
      "4 2 3");
  EXPECT_EQ(Exec("{{ __line__ | count \"test\" }}", {}, "test line"), "1");
  EXPECT_EQ(Exec("{{ __line__ | count \"notmatching.*\" }}", {}, "test line"), "0");
  EXPECT_EQ(CallErr("{{ count \"a|b|\\\\K\" \"x\" }}"),
            "error calling count: error parsing regexp: invalid escape sequence: `\\K`");
  EXPECT_EQ(CallErr("{{ regexReplaceAll \"(\" \"x\" \"y\" }}"),
            "error calling regexReplaceAll: error parsing regexp: missing closing ): `(`");
}

TEST(TemplateFuncs, SprigStrings) {
  Labels l = {
      {"foo", "  blip "}, {"bar", "blop"}, {"path", "/api/v1"}, {"cluster", "prod-cluster"}};
  EXPECT_EQ(Exec("{{.foo | trim }} {{ .bar  | trimAll \"op\" }} {{ .bar  | trimPrefix \"b\" }} {{ "
                 ".bar  | trimSuffix \"p\" }}",
                 l),
            "blip bl lop blo");
  EXPECT_EQ(Exec("{{ trimAll \"$\" \"$5.00\" }} {{ trimSuffix \"-\" \"hello-\" }} {{ trimPrefix "
                 "\"-\" \"-hello\" }}"),
            "5.00 hello hello");
  EXPECT_EQ(Exec("{{ lower \"HELLO\" }} {{ upper \"hello\" }} {{ .bar | upper }}", l),
            "hello HELLO BLOP");
  EXPECT_EQ(Exec("{{ upper \"héllo\" }} {{ lower \"ÀB\" }}"), "HÉLLO àb");
  EXPECT_EQ(
      Exec("{{ title \"hello world\" }}|{{ title \"hello-world foo_bar\" }}|{{ .bar | title }}", l),
      "Hello World|Hello-World Foo_bar|Blop");
  EXPECT_EQ(Exec("{{ trunc 5 \"hello world\" }}|{{ trunc -5 \"hello world\" }}|{{ trunc 20 \"hi\" "
                 "}}|{{ trunc -20 \"hi\" }}|{{ trunc 0 \"hi\" }}|"),
            "hello|world|hi|hi||");
  EXPECT_EQ(Exec("{{ substr 0 5 \"hello world\" }}|{{ substr 6 11 \"hello world\" }}|{{ .path | "
                 "substr 1 4 }}",
                 l),
            "hello|world|api");
  EXPECT_EQ(
      Exec("{{ substr -1 3 \"hello\" }}|{{ substr 2 -1 \"hello\" }}|{{ substr 2 99 \"hello\" }}"),
      "hel|llo|llo");
  EXPECT_EQ(CallErr("{{ substr 4 2 \"hello\" }}"),
            "error calling substr: runtime error: slice bounds out of range [4:2]");
  EXPECT_EQ(CallErr("{{ substr 9 -1 \"hello\" }}"),
            "error calling substr: runtime error: slice bounds out of range [9:5]");
  EXPECT_EQ(CallErr("{{ substr -1 9 \"hello\" }}"),
            "error calling substr: runtime error: slice bounds out of range [:9] with length 5");
  EXPECT_EQ(
      Exec(
          "{{ if contains \"he\" \"hello\" }}y{{end}}{{ if hasPrefix \"he\" \"hello\" }}y{{end}}{{ "
          "if hasSuffix \"lo\" \"hello\" }}y{{end}}{{ if contains \"x\" \"hello\" }}n{{end}}"),
      "yyy");
  EXPECT_EQ(
      Exec("{{ if .bar | contains \"lo\" }}yes{{end}}-{{ if .bar | hasPrefix \"z\" }}no{{end}}", l),
      "yes-");
  EXPECT_EQ(Exec("{{ \"foo\\n bar\" | indent 4 }}"), "    foo\n     bar");
  EXPECT_EQ(Exec("{{ \"foo\" | nindent 2 }}"), "\n  foo");
  EXPECT_EQ(Exec("{{ replace \"hello\" \"world\" \"hello world\" }}|{{ .cluster | replace "
                 "\"-cluster\" \"\" }}",
                 l),
            "world world|prod");
  EXPECT_EQ(Exec("{{ repeat 3 \"hello\" }}|{{ \"foo\" | repeat 2 }}|{{ repeat 0 \"x\" }}|"),
            "hellohellohello|foofoo||");
  EXPECT_EQ(CallErr("{{ repeat -1 \"x\" }}"),
            "error calling repeat: strings: negative Repeat count");
}

TEST(TemplateFuncs, Align) {
  EXPECT_EQ(Exec("[{{ alignLeft 5 \"hello world\" }}][{{ alignLeft 5 \"hi\" }}]"),
            "[hello][hi   ]");
  EXPECT_EQ(Exec("[{{ alignRight 5 \"hello world\" }}][{{ alignRight 5 \"hi\" }}]"),
            "[world][   hi]");
  EXPECT_EQ(Exec("[{{ alignLeft 8 \"Hello, 世界\" }}][{{ alignRight 2 \"Hello, 世界\" }}][{{ "
                 "alignLeft -1 \"x\" }}][{{ alignLeft 0 \"x\" }}]"),
            "[Hello, 世][世界][x][]");
  EXPECT_EQ(Exec("{{ alignLeft 4 .foo }}|{{ alignRight 4 .foo }}", {{"foo", "hello"}}),
            "hell|ello");
}

TEST(TemplateFuncs, Encoding) {
  Labels l = {{"foo", "i'm a string, encode me!"}, {"enc", "aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh"}};
  EXPECT_EQ(Exec("{{ .foo | b64enc }}", l), "aSdtIGEgc3RyaW5nLCBlbmNvZGUgbWUh");
  EXPECT_EQ(Exec("{{ .enc | b64dec }}", l), "i'm a string, encode me!");
  EXPECT_EQ(Exec("{{ b64enc \"a\" }} {{ b64enc \"ab\" }} {{ b64dec \"YQ==\" }} {{ b64dec \"YWI=\" "
                 "}} {{ b64dec \"YW\\nJj\" }}"),
            "YQ== YWI= a ab abc");
  EXPECT_EQ(Exec("{{ b64dec \"YWJj$\" }}|{{ b64dec \"YQ\" }}|{{ b64dec \"YQ==x\" }}"),
            "illegal base64 data at input byte 4|illegal base64 data at input byte 0|illegal "
            "base64 data at input byte 4");
  EXPECT_EQ(Exec("{{ \"a b/c?d=é\" | urlencode }} {{ urlencode \"x~y-z._\" }}"),
            "a+b%2Fc%3Fd%3D%C3%A9 x~y-z._");
  EXPECT_EQ(Exec("{{ \"a+b%2Fc%3fd\" | urldecode }}"), "a b/c?d");
  Labels q = {
      {"foo", "/loki/api/v1/query?query=sum(count_over_time({stream_filter=\"some_stream\"}"}};
  EXPECT_EQ(Exec("{{.foo | urlencode }}", q),
            "%2Floki%2Fapi%2Fv1%2Fquery%3Fquery%3Dsum%28count_over_time%28%7Bstream_filter%3D%"
            "22some_stream%22%7D");
  EXPECT_EQ(Exec("{{.foo | urlencode | urldecode }}", q), q[0].second);
  EXPECT_EQ(CallErr("{{ urldecode \"%4\" }}"),
            "error calling urldecode: invalid URL escape \"%4\"");
}

TEST(TemplateFuncs, IntegerMath) {
  Labels l = {{"foo", "1"}, {"bar", "3"}, {"baz", "10"}, {"bazz", "20"}, {"status", "200"}};
  EXPECT_EQ(Exec("{{ add .foo 1 | sub .bar | mul .baz | div .bazz}}", l), "2");
  EXPECT_EQ(Exec("{{div .status 100 }}", l), "2");
  EXPECT_EQ(
      Exec("{{ add 3 2 5 }} {{ sub 5 2 }} {{ mul 5 2 3}} {{ div 10 2}} {{ mod 10 3}} {{ add }}"),
      "10 3 30 5 1 0");
  EXPECT_EQ(Exec("{{ add \"a\" 1 }} {{ add 1.9 1 }} {{ add true 1 }} {{ add \"10.00\" 1 }} {{ add "
                 "\"0x10\" 0 }} {{ add \"1.5\" 0 }}"),
            "1 2 2 11 16 0");
  EXPECT_EQ(Exec("min is {{ min .a .b .c }} and max is {{ max .a .b .c }}",
                 {{"a", "5"}, {"b", "10"}, {"c", "15"}}),
            "min is 5 and max is 15");
  EXPECT_EQ(Exec("{{ div -7 2 }} {{ mod -7 2 }}"), "-3 -1");
  EXPECT_EQ(CallErr("{{ mod 1 0 }}"), "error calling mod: runtime error: integer divide by zero");
  EXPECT_EQ(Exec("{{ \"2.5\" | float64 | int | add 10}}"), "12");
  EXPECT_EQ(Exec("{{ \"3\" | int }} {{ \"010\" | int }} {{ \"abc\" | int }} {{ 3.9 | int }} {{ "
                 "printf \"%T\" (int \"1\") }}"),
            "3 8 0 3 int");
}

TEST(TemplateFuncs, FloatMath) {
  Labels l = {{"foo", "1.5"}, {"bar", "5"}, {"baz", "10.5"}, {"bazz", "20.2"}};
  EXPECT_EQ(Exec("{{ addf .foo 1.5 | subf .bar 1.5 | mulf .baz | divf .bazz }}", l),
            "3.8476190476190477");
  Labels l2 = {{"foo", "1.5"}, {"bar", "3.5"}, {"baz", "10.5"}, {"bazz", "20.4"}};
  EXPECT_EQ(Exec("{{ round (addf .foo 1.5 | subf .bar | mulf .baz | divf .bazz) 5 .2}}", l2),
            "3.88572");
  EXPECT_EQ(Exec("{{ addf 3.5 2 5 }} {{ subf 5.5 2 1.5 }} {{ mulf 5.5 2 2.5 }} {{ divf 10 2 4}}"),
            "10.5 2 27.5 1.25");
  EXPECT_EQ(Exec("{{ addf 0.1 0.2 }} {{ divf 2 3 }} {{ divf 1 3 }} {{ mulf 1.1 1.1 }} {{ addf }}"),
            "0.3 0.6666666666666667 0.3333333333333333 1.21 0");
  EXPECT_EQ(CallErr("{{ divf 1 0 }}"), "error calling divf: decimal division by 0");
  EXPECT_EQ(Exec("minf is {{ minf .a .b .c }} and maxf is {{maxf .a .b .c}}",
                 {{"a", "5.3"}, {"b", "10.5"}, {"c", "15.2"}}),
            "minf is 5.3 and maxf is 15.2");
  EXPECT_EQ(Exec("{{ maxf 1 2.5 3 }} {{ minf 1 2.5 3 }}"), "3 1");
  EXPECT_EQ(Exec("ceil is {{ ceil .foo }} and floor is {{floor .foo }}", {{"foo", "5.3"}}),
            "ceil is 6 and floor is 5");
  EXPECT_EQ(Exec("{{ ceil 123.001 }} {{ floor 123.9999 }} {{ round 123.555555 3 }} {{ round "
                 "123.88571428571 5 .2 }} {{ round 123.88571428571 5 }}"),
            "124 123 123.556 123.88572 123.88571");
  EXPECT_EQ(Exec("{{ \"3.5\" | float64 }} {{ \"1e3\" | float64 }} {{ \"x\" | float64 }} {{ 2 | "
                 "float64 }}"),
            "3.5 1000 0 2");
  EXPECT_EQ(CallErr("{{ round 1.5 \"2\" }}"),
            "template: line:1:13: executing \"line\" at <\"2\">: expected integer; found \"2\"");
}

TEST(TemplateFuncs, BytesAndDuration) {
  EXPECT_EQ(Exec("{{ .foo | bytes }}", {{"foo", "3 kB"}}), "3000");
  EXPECT_EQ(Exec("{{ .foo | bytes }}", {{"foo", "3MB"}}), "3e+06");
  EXPECT_EQ(Exec("{{ bytes \"1.5MB\" }} {{ bytes \"1KiB\" }} {{ bytes \"1,024 B\" }} {{ bytes "
                 "\"42\" }} {{ bytes \"2 gib\" }}"),
            "1.5e+06 1024 1024 42 2.147483648e+09");
  EXPECT_EQ(CallErr("{{ bytes \"abc\" }}"),
            "error calling bytes: strconv.ParseFloat: parsing \"\": invalid syntax");
  EXPECT_EQ(CallErr("{{ bytes \"12 XB\" }}"), "error calling bytes: unhandled size name: xb");
  EXPECT_EQ(Exec("{{ .foo | duration }}", {{"foo", "3ms"}}), "0.003");
  EXPECT_EQ(Exec("{{ .foo | duration_seconds }}", {{"foo", "3m10s"}}), "190");
  EXPECT_EQ(Exec("{{ duration \"1h30m\" }} {{ duration \"-1.5h\" }} {{ duration \"1us\" }} {{ "
                 "duration \"0\" }} {{ duration \"1.5µs\" }}"),
            "5400 -5400 1e-06 0 1.5e-06");
  EXPECT_EQ(CallErr("{{ duration \"bad\" }}"),
            "error calling duration: time: invalid duration \"bad\"");
  EXPECT_EQ(CallErr("{{ duration \"5\" }}"),
            "error calling duration: time: missing unit in duration \"5\"");
  EXPECT_EQ(CallErr("{{ duration \"5x\" }}"),
            "error calling duration: time: unknown unit \"x\" in duration \"5x\"");
}

TEST(TemplateFuncs, Dates) {
  const int64_t ts = 1656353124120000000;  // 2022-06-27T18:05:24.12Z
  EXPECT_EQ(Exec("{{ sub (unixEpoch (toDate \"2006-01-02\" \"2021-11-02\")) (unixEpoch (toDate "
                 "\"2006-01-02\" \"2021-11-01\")) }}"),
            "86400");
  EXPECT_EQ(Exec("{{ date \"2006-01-02\" (toDate \"2006-01-02\" \"2021-11-02\") }}"), "2021-11-02");
  EXPECT_EQ(Exec("{{ toDate \"2006-01-02\" \"2021-11-02\" }}"), "2021-11-02 00:00:00 +0000 UTC");
  EXPECT_EQ(
      Exec("{{ toDate \"2006-01-02\" \"garbage\" }} {{ toDate \"2006-01-02\" \"x\" | unixEpoch }}"),
      "0001-01-01 00:00:00 +0000 UTC -62135596800");
  EXPECT_EQ(Exec("{{ date \"2006-01-02 15:04:05\" 86400 }}"), "1970-01-02 00:00:00");
  EXPECT_EQ(Exec("{{ div (unixEpoch now) (unixEpoch now) }}"), "1");
  EXPECT_EQ(Exec("{{ __timestamp__ | date \"Mon Jan _2 15:04:05.000 MST 2006 -07:00 pm PM 3 03 002 "
                 "__2 .999 ,000 Z07:00\" }}",
                 {}, "", ts),
            "Mon Jun 27 18:05:24.120 UTC 2022 +00:00 pm PM 6 06 178 178 .12 ,120 Z");
  EXPECT_EQ(
      Exec("{{ __timestamp__ | date \"Monday, January 2 06 1 01 _2 02 4 04 5 05\" }}", {}, "", ts),
      "Monday, June 27 22 6 06 27 27 5 05 24 24");
  EXPECT_EQ(Exec("{{ __timestamp__ | date \"2006-01-02T15:04:05.00Z-07:00\" }}", {}, "", ts),
            "2022-06-27T18:05:24.12Z+00:00");
  EXPECT_EQ(Exec("{{ __timestamp__ | unixEpochMillis }} {{ __timestamp__ | unixEpochNanos }}", {},
                 "", ts),
            "1656353124120 1656353124120000000");
}

TEST(TemplateFuncs, DatesInZones) {
  Labels l = {{"foo", "2023-03-10T01:32:40.340485723Z"}};
  EXPECT_EQ(
      Exec("{{ .foo | toDateInZone \"2006-01-02T15:04:05.999999999Z\" \"UTC\" | unixEpochMillis }}",
           l),
      "1678411960340");
  EXPECT_EQ(
      Exec("{{ .foo | toDateInZone \"2006-01-02T15:04:05.999999999Z\" \"UTC\" | unixEpochNanos }}",
           l),
      "1678411960340485723");
  EXPECT_EQ(Exec("{{ toDateInZone \"2006-01-02\" \"UTC\" \"2021-11-02\" }}"),
            "2021-11-02 00:00:00 +0000 UTC");
  EXPECT_EQ(Exec("{{ toDateInZone \"2006-01-02\" \"Nowhere/City\" \"2021-11-02\" }}"),
            "2021-11-02 00:00:00 +0000 UTC");
  EXPECT_EQ(
      Exec("{{ toDate \"2006-01-02T15:04:05Z07:00\" \"2021-11-02T03:00:00+03:00\" | unixEpoch }}"),
      "1635811200");
  EXPECT_EQ(Exec("{{ toDate \"2006-01-02T15:04:05Z07:00\" \"2021-11-02T03:00:00+03:00\" }}"),
            "2021-11-02 03:00:00 +0300 +0300");
  EXPECT_EQ(Exec("{{ toDate \"Jan 2 2006 3:04pm MST\" \"Feb 3 2013 7:54pm PST\" }}"),
            "2013-02-03 19:54:00 +0000 PST");
  EXPECT_EQ(Exec("{{ toDate \"02/01/2006 15:04:05.000\" \"31/12/1999 23:59:59.999\" }}"),
            "1999-12-31 23:59:59.999 +0000 UTC");
  EXPECT_EQ(Exec("{{ toDate \"2006-01-02 15:04:05\" \"2021-11-02 03:00:00.5\" }}"),
            "2021-11-02 03:00:00.5 +0000 UTC");
  EXPECT_EQ(Exec("{{ toDate \"2006-01-02\" \"2021-02-30\" | unixEpoch }}"),
            "-62135596800");  // day out of range
}

TEST(TemplateFuncs, IanaZones) {
  if (!std::ifstream("/usr/share/zoneinfo/Europe/Berlin").good()) GTEST_SKIP() << "no tz database";
  EXPECT_EQ(Exec("{{ toDateInZone \"2006-01-02 15:04\" \"Europe/Berlin\" \"2023-07-01 12:00\" | "
                 "unixEpoch }}"),
            "1688205600");
  EXPECT_EQ(Exec("{{ toDateInZone \"2006-01-02 15:04\" \"Europe/Berlin\" \"2023-07-01 12:00\" }}"),
            "2023-07-01 12:00:00 +0200 CEST");
  EXPECT_EQ(Exec("{{ toDateInZone \"2006-01-02 15:04\" \"Europe/Berlin\" \"2040-01-15 12:00\" }}"),
            "2040-01-15 12:00:00 +0100 CET");
  EXPECT_EQ(
      Exec(
          "{{ toDateInZone \"2006-01-02 15:04\" \"Etc/GMT-3\" \"2021-11-02 03:00\" | unixEpoch }}"),
      "1635811200");
  EXPECT_EQ(
      Exec("{{ toDateInZone \"2006-01-02 15:04\" \"America/New_York\" \"2024-03-10 12:00\" }}"),
      "2024-03-10 12:00:00 -0400 EDT");
}

TEST(TemplateFuncs, UnixToTime) {
  Labels l = {{"d", "19503"},
              {"s", "1679577215"},
              {"ms", "1257894000000"},
              {"us", "1673798889902000"},
              {"ns", "1000000000000000000"}};
  EXPECT_EQ(Exec("{{ .d | unixToTime }}", l), "2023-05-26 00:00:00 +0000 UTC");
  EXPECT_EQ(Exec("{{ .s | unixToTime }}", l), "2023-03-23 13:13:35 +0000 UTC");
  EXPECT_EQ(Exec("{{ .ms | unixToTime }}", l), "2009-11-10 23:00:00 +0000 UTC");
  EXPECT_EQ(Exec("{{ .us | unixToTime }}", l), "2023-01-15 16:08:09.902 +0000 UTC");
  EXPECT_EQ(Exec("{{ .ns | unixToTime }}", l), "2001-09-09 01:46:40 +0000 UTC");
  EXPECT_EQ(Exec("from=\"{{date \"2006-01-02\" (unixToTime .s)}}\"", l), "from=\"2023-03-23\"");
  EXPECT_EQ(CallErr("{{ unixToTime \"abc\" }}"),
            "error calling unixToTime: unable to parse time 'abc': strconv.ParseInt: parsing "
            "\"abc\": invalid syntax");
  EXPECT_EQ(CallErr("{{ unixToTime \"464\" }}"),
            "error calling unixToTime: unable to parse time '464': %!w(<nil>)");
}

TEST(TemplateFuncs, DefaultAndFromJson) {
  Labels l = {{"foo", "blip"}, {"bar", ""}};
  EXPECT_EQ(
      Exec("{{.foo | default \"-\" }}{{.bar | default \"-\"}}{{.unknown | default \"-\"}}", l),
      "blip--");
  EXPECT_EQ(Exec("{{ default \"-\" \"\" }} {{ default \"-\" \"foo\" }} {{ default \"d\" 0 }} {{ "
                 "default \"d\" }}"),
            "- foo d d");
  EXPECT_EQ(Exec("{{ fromJson \"{\\\"foo\\\": 55}\" }} {{ (fromJson \"{\\\"foo\\\": 55}\").foo }}"),
            "map[foo:55] 55");
  EXPECT_EQ(Exec("{{ $j := fromJson `{\"n\":1e21,\"s\":\"x\",\"b\":false,\"l\":[1.5,\"y\"]}` }}{{ "
                 "$j.n }} {{ $j.s }} {{ $j.b }} {{ index $j.l 1 }}"),
            "1e+21 x false y");
}

}  // namespace
}  // namespace lode::logql
