// Tests of printf (Go's fmt verbs) and of how values print (%v), as the
// template engine implements them.

#include <gtest/gtest.h>

#include "logql/template/template.h"
#include "tests/logql/template_test_util.h"

namespace lode::logql {
namespace {

using template_test::Exec;
using template_test::Labels;

std::string P(const std::string& args) { return Exec("{{ printf " + args + " }}"); }

TEST(TemplatePrintf, Strings) {
  EXPECT_EQ(Exec("{{printf \"%s=%s\" .method .status}}", {{"method", "GET"}, {"status", "500"}}),
            "GET=500");
  EXPECT_EQ(P("\"%5s|%-5s|%.2s|%05s|%5.1s|\" \"ab\" \"ab\" \"abcdef\" \"ab\" \"xyz\""),
            "   ab|ab   |ab|000ab|    x|");
  EXPECT_EQ(P("\"%q %#q %+q\" \"a\\\"b\" \"a\\\"b\" \"é\""), "\"a\\\"b\" `a\"b` \"\\u00e9\"");
  EXPECT_EQ(P("\"%x % x %X %#x\" \"hi\" \"hi\" \"hi\" \"hi\""), "6869 68 69 6869 0x6869");
  EXPECT_EQ(P("\"%v|%s\" \"plain\" \"é世\""), "plain|é世");
  EXPECT_EQ(P("\"%3s|\" \"世界\""), " 世界|");  // width counts runes
  EXPECT_EQ(Exec("{{ printf \"\\x1b[31m%s\\x1b[0m\" .msg }}", {{"msg", "hello"}}),
            "\x1b[31mhello\x1b[0m");
}

TEST(TemplatePrintf, Integers) {
  EXPECT_EQ(P("\"%d|%5d|%-5d|%05d|%+d|% d\" 42 42 42 42 42 42"), "42|   42|42   |00042|+42| 42");
  EXPECT_EQ(P("\"%x|%X|%#x|%o|%#o|%O|%b|%#b\" 255 255 255 8 8 8 5 5"),
            "ff|FF|0xff|10|010|0o10|101|0b101");
  EXPECT_EQ(P("\"%c|%q|%U|%#U\" 65 65 65 0x4E16"), "A|'A'|U+0041|U+4E16 '世'");
  EXPECT_EQ(P("\"%x|%05d|%.3d|%8.3d|\" -255 -42 7 7"), "-ff|-0042|007|     007|");
  EXPECT_EQ(P("\"%d %v\" (add 1 2) (len \"abc\")"), "3 3");
  EXPECT_EQ(P("\"%.0d|\" 0"), "|");
}

TEST(TemplatePrintf, Floats) {
  EXPECT_EQ(P("\"%f|%.2f|%8.3f|%-8.2f|%08.3f|%+.1f|%08.3f\" 3.14159 3.14159 3.14159 3.14159 "
              "3.14159 3.14159 -3.14159"),
            "3.141590|3.14|   3.142|3.14    |0003.142|+3.1|-003.142");
  EXPECT_EQ(P("\"%e|%E|%.2e|%g|%.3g|%G\" 1234.5678 1234.5678 1234.5678 1234.5678 1234.5678 1e-7"),
            "1.234568e+03|1.234568E+03|1.23e+03|1234.5678|1.23e+03|1E-07");
  EXPECT_EQ(P("\"%v %v %v %v %v %v %v\" 1e6 100000.0 1e-5 0.000123 1.5 1e21 123456789.0"),
            "1e+06 100000 1e-05 0.000123 1.5 1e+21 1.23456789e+08");
  EXPECT_EQ(P("\"%g|%g|%.1f|%.0f|%.0f\" 0.0001 0.00001 0.05 2.5 3.5"), "0.0001|1e-05|0.1|2|4");
  EXPECT_EQ(P("\"%6.2f%%\" 12.3456"), " 12.35%");
  EXPECT_EQ(P("\"%x|%b|%#g|%#.3x\" 3.5 1.0 1.0 1.0"),
            "0x1.cp+01|4503599627370496p-52|1.00000|0x1.000p+00");
  EXPECT_EQ(P("\"%v|%v|%5.1f|%f\" (float64 \"NaN\") (float64 \"inf\") (float64 \"-inf\") (float64 "
              "\"+Inf\")"),
            "NaN|+Inf| -Inf|+Inf");
  EXPECT_EQ(P("\"%.1f|%.2f|%.3e\" 0.25 1.005 1e100"), "0.2|1.00|1.000e+100");
}

TEST(TemplatePrintf, BoolsNilAndTypes) {
  EXPECT_EQ(P("\"%t|%v|%5t\" true false true"), "true|false| true");
  EXPECT_EQ(P("\"%v %d\" nil nil"), "<nil> %!d(<nil>)");
  EXPECT_EQ(P("\"%T %T %T %T %T %T\" 1 1.5 \"s\" (add 1 2) true (fromJson \"[]\")"),
            "int float64 string int64 bool []interface {}");
  EXPECT_EQ(Exec("{{ printf \"%T %v\" . . }}", {{"a", "1"}}), "map[string]string map[a:1]");
}

TEST(TemplatePrintf, WrongTypesAndErrors) {
  EXPECT_EQ(P("\"%d\" \"abc\""), "%!d(string=abc)");
  EXPECT_EQ(P("\"%s|%f|%t|%z\" 5 5 \"x\" 5"), "%!s(int=5)|%!f(int=5)|%!t(string=x)|%!z(int=5)");
  EXPECT_EQ(P("\"%d\" 1.5"), "%!d(float64=1.5)");
  EXPECT_EQ(P("\"%5d\" \"ab\""), "%!d(string=   ab)");
  EXPECT_EQ(P("\"%s %s\" \"a\""), "a %!s(MISSING)");
  EXPECT_EQ(P("\"%s\" \"a\" \"b\" 3"), "a%!(EXTRA string=b, int=3)");
  EXPECT_EQ(P("\"x%\""), "x%!(NOVERB)");
  EXPECT_EQ(P("\"%%|%5%|%-%\""), "%|%|%");
  EXPECT_EQ(P("\"%d\" (fromJson \"[1,2]\")"), "[%!d(float64=1) %!d(float64=2)]");
  EXPECT_EQ(P("\"%s\" (fromJson \"[\\\"a\\\",\\\"b\\\"]\")"), "[a b]");
  EXPECT_EQ(P("\"%!\""), "%!!(MISSING)");
}

TEST(TemplatePrintf, ArgIndexesAndStar) {
  EXPECT_EQ(P("\"%[2]s %[1]s\" \"a\" \"b\""), "b a");
  EXPECT_EQ(P("\"%[3]s\" \"a\" \"b\""), "%!s(BADINDEX)");
  EXPECT_EQ(P("\"%*d|%-*d|%.*f\" 5 42 4 7 2 3.14159"), "   42|7   |3.14");
  EXPECT_EQ(P("\"%*d\" \"x\" 1"), "%!(BADWIDTH)1");
  EXPECT_EQ(P("\"%[1]d %[1]x\" 255"), "255 ff");
}

TEST(TemplatePrintf, TimesAndMaps) {
  EXPECT_EQ(Exec("{{ printf \"%s|%v\" __timestamp__ __timestamp__ }}", {}, "", 1000000000),
            "1970-01-01 00:00:01 +0000 UTC|1970-01-01 00:00:01 +0000 UTC");
  EXPECT_EQ(P("\"%v\" (fromJson `{\"b\":[1,{\"c\":null}],\"a\":\"x\"}`)"),
            "map[a:x b:[1 map[c:<nil>]]]");
}

TEST(TemplatePrint, SprintSpacing) {
  EXPECT_EQ(
      Exec(
          "{{ print 1 2 }}|{{ print \"a\" 1 \"b\" }}|{{ print 1.5 true }}|{{ print \"a\" \"b\" }}"),
      "1 2|a1b|1.5 true|ab");
  EXPECT_EQ(Exec("{{ println \"a\" \"b\" 1 }}"), "a b 1\n");
  EXPECT_EQ(Exec("{{ 1.5 }} {{ 2 }} {{ true }} {{ add 1 1 }} {{ mulf 2 0.5 }} {{ divf 1 3 }}"),
            "1.5 2 true 2 1 0.3333333333333333");
}

}  // namespace
}  // namespace lode::logql
