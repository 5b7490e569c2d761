// Tests of the Go text/template engine (logql/template.h): syntax, control
// structures, variables, errors and Go's builtins. Loki/Sprig functions are
// in template_funcs_test.cc, printf in template_printf_test.cc.

#include "logql/template/template.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/logql/template_test_util.h"

namespace lode::logql {
namespace {

using template_test::Compile;
using template_test::Exec;
using template_test::ExecErr;
using template_test::Labels;

TEST(TemplateSyntax, PlainTextIsConstant) {
  std::unique_ptr<Template> t;
  ASSERT_TRUE(Template::Compile("hello world", &t).ok());
  EXPECT_TRUE(t->IsConstant());
  TemplateContext ctx;
  std::string out = "x:";
  ASSERT_TRUE(t->Execute(ctx, &out).ok());
  EXPECT_EQ(out, "x:hello world");  // appends, does not clear
  ASSERT_TRUE(Template::Compile("a{{/* comment */}}b", &t).ok());
  EXPECT_TRUE(t->IsConstant());
  ASSERT_TRUE(Template::Compile("{{.a}}", &t).ok());
  EXPECT_FALSE(t->IsConstant());
  ASSERT_TRUE(Template::Compile("", &t).ok());
  EXPECT_TRUE(t->IsConstant());
}

TEST(TemplateSyntax, FieldsAndMissingLabels) {
  Labels l = {{"method", "GET"}, {"path", "/api"}, {"status", "500"}};
  EXPECT_EQ(Exec("{{.method}} {{.path}}", l), "GET /api");
  EXPECT_EQ(Exec("foo{{.method}}buzz{{  .path  }}", l), "fooGETbuzz/api");
  EXPECT_EQ(Exec("V={{.missing}}", l), "V=");
  EXPECT_EQ(Exec("{{.missing}}", l), "");
  EXPECT_EQ(Exec("{{ . }}", l), "map[method:GET path:/api status:500]");
  EXPECT_EQ(Exec("{{ $ }}", {{"a", "1"}}), "map[a:1]");
  EXPECT_EQ(Exec("{{ index . \"path\" }}|{{ index . \"nope\" }}|", l), "/api||");
  EXPECT_EQ(Exec("{{ len . }}", l), "3");
}

TEST(TemplateSyntax, TrimMarkers) {
  Labels l = {{"a", "A"}};
  EXPECT_EQ(Exec("x  {{- .a -}}  y", l), "xAy");
  EXPECT_EQ(Exec("x \n\t {{- .a}} y", l), "xA y");
  EXPECT_EQ(Exec("x {{.a -}} \n y", l), "x Ay");
  EXPECT_EQ(Exec("x {{- /* c */ -}} y", l), "xy");
  EXPECT_EQ(Exec("{{ 3 -}} 4", l), "34");
  EXPECT_EQ(Exec("{{-3}}", l), "-3");  // no space after '-': a number
  EXPECT_EQ(Exec("a\n{{- if true }}\nb{{ end -}}\nc", l), "a\nbc");
}

TEST(TemplateSyntax, Literals) {
  Labels l;
  EXPECT_EQ(Exec(R"({{ "a\tb\x41\u00e9\101" }})", l),
            "a\tbAé"
            "A");
  EXPECT_EQ(Exec("{{ `raw\\n` }}", l), "raw\\n");
  EXPECT_EQ(Exec("{{ 'a' }} {{ '\\n' }} {{ '世' }}", l), "97 10 19990");
  EXPECT_EQ(Exec("{{ 42 }} {{ -7 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }}", l),
            "42 -7 31 15 15 5 1000");
  EXPECT_EQ(Exec("{{ 1.5 }} {{ 1e3 }} {{ 1e6 }} {{ .5 }} {{ 3.0 }} {{ 1e21 }} {{ 0x1p-2 }}", l),
            "1.5 1000 1e+06 0.5 3 1e+21 0.25");
  EXPECT_EQ(Exec("{{ true }} {{ false }}", l), "true false");
  EXPECT_EQ(Exec("{{ print nil }}", l), "<nil>");
}

TEST(TemplateSyntax, Pipelines) {
  Labels l = {{"path", "/api/v1/orders/42"}, {"method", "get"}};
  EXPECT_EQ(Exec("{{ .method | upper }}", l), "GET");
  EXPECT_EQ(Exec("{{ .path | trunc 12 }}", l), "/api/v1/orde");
  EXPECT_EQ(Exec("{{ .path | replace \"/\" \"_\" | trunc 5 | upper }}", l), "_API_");
  EXPECT_EQ(Exec("{{ (.method | upper) }}-{{ print (len .path) }}", l), "GET-17");
  EXPECT_EQ(Exec("{{ printf \"%s-%s\" (upper .method) (.path | trunc 4) }}", l), "GET-/api");
}

TEST(TemplateSyntax, IfElse) {
  Labels l = {{"status", "500"}, {"empty", ""}};
  const char* t = "{{ if eq .status \"500\" }}BAD{{ else }}ok{{ end }}";
  EXPECT_EQ(Exec(t, l), "BAD");
  EXPECT_EQ(Exec(t, {{"status", "200"}}), "ok");
  EXPECT_EQ(Exec("{{if .empty}}y{{else}}n{{end}}", l), "n");
  EXPECT_EQ(Exec("{{if .missing}}y{{end}}", l), "");
  const char* chain =
      "{{ if eq .status \"200\" }}ok{{ else if eq .status \"404\" }}nf{{ else }}other{{ end }}";
  EXPECT_EQ(Exec(chain, {{"status", "404"}}), "nf");
  EXPECT_EQ(Exec(chain, {{"status", "500"}}), "other");
  EXPECT_EQ(Exec(chain, {{"status", "200"}}), "ok");
  EXPECT_EQ(
      Exec("{{ if and (contains \"he\" \"hello\") (contains \"llo\" \"hello\") }} yes {{end}}", l),
      " yes ");
  EXPECT_EQ(
      Exec("{{ if or (contains \"x\" \"hello\") (contains \"llo\" \"hello\") }}yes{{end}}", l),
      "yes");
  EXPECT_EQ(Exec("{{ if not .empty }}empty{{end}}", l), "empty");
  EXPECT_EQ(Exec("{{ if 0 }}a{{ else if 0.0 }}b{{ else if 1 }}c{{ end }}", l), "c");
}

TEST(TemplateSyntax, WithElse) {
  Labels l = {{"user", "bob"}};
  EXPECT_EQ(Exec("{{ with .user }}hi {{ . }}{{ end }}", l), "hi bob");
  EXPECT_EQ(Exec("{{ with .nope }}x{{ else }}none{{ end }}", l), "none");
  EXPECT_EQ(Exec("{{ with .nope }}x{{ else with .user }}u={{.}}{{ end }}", l), "u=bob");
  EXPECT_EQ(Exec("{{ with $x := .user }}{{ $x }}{{ end }}", l), "bob");
}

TEST(TemplateSyntax, Variables) {
  Labels l = {{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(Exec("{{ $x := .a }}{{ $x }}{{ $x = .b }}{{ $x }}", l), "12");
  EXPECT_EQ(Exec("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}", l), "2");
  EXPECT_EQ(Exec("{{ $.a }}{{ with \"z\" }}{{ $.b }}{{ . }}{{ end }}", l), "12z");
  EXPECT_EQ(Exec("{{ $x := \"s\" }}{{ $x | upper }}", l), "S");
  // Declarations print nothing.
  EXPECT_EQ(Exec("[{{ $x := 5 }}]", l), "[]");
}

TEST(TemplateSyntax, Range) {
  Labels l = {{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(Exec("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}", l), "a=1;b=2;");
  EXPECT_EQ(Exec("{{ range . }}<{{ . }}>{{ end }}", l), "<1><2>");
  EXPECT_EQ(
      Exec("{{ range $i, $e := fromJson `[\"x\",\"y\",\"z\"]` }}{{ $i }}{{ $e }} {{ end }}", l),
      "0x 1y 2z ");
  EXPECT_EQ(Exec("{{ range $e := fromJson `[1,2]` }}{{ $e }}{{ end }}", l), "12");
  EXPECT_EQ(Exec("{{ range fromJson `[]` }}x{{ else }}empty{{ end }}", l), "empty");
  EXPECT_EQ(ExecErr("{{ range .missing }}x{{ else }}e{{ end }}", l),
            "template: line:1:9: executing \"line\" at <.missing>: range can't iterate over ");
  EXPECT_EQ(
      Exec("{{ range $k, $v := fromJson `{\"b\":1,\"a\":[true]}` }}{{ $k }}:{{ $v }} {{ end }}", l),
      "a:[true] b:1 ");
  EXPECT_EQ(Exec("{{ range 3 }}{{ . }}{{ end }}", l), "012");
  EXPECT_EQ(Exec("{{ range $i := 2 }}[{{ $i }}]{{ end }}", l), "[0][1]");
  EXPECT_EQ(Exec("{{ range 0 }}x{{ else }}none{{ end }}", l), "none");
  EXPECT_EQ(Exec("{{ range $q := fromJson `[{\"query\":\"up\"},{\"query\":\"down\"}]` }} {{ "
                 "$q.query }} {{ end }}",
                 l),
            " up  down ");
  EXPECT_EQ(Exec("{{ $i := 0 }}{{ range $i = fromJson `[7,8]` }}{{ end }}{{ $i }}", l), "8");
}

TEST(TemplateSyntax, BreakContinue) {
  Labels l;
  EXPECT_EQ(Exec("{{ range $i, $e := fromJson `[1,2,3,4]` }}{{ if eq $e 3.0 }}{{ break }}{{ end "
                 "}}{{ $e }}{{ end }}",
                 l),
            "12");
  EXPECT_EQ(
      Exec("{{ range fromJson `[1,2,3]` }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ . }}{{ end }}",
           l),
      "13");
  EXPECT_EQ(Exec("{{ range 5 }}{{ if eq . 3 }}{{ break }}{{ end }}{{ range 2 }}x{{ break }}{{ end "
                 "}}{{ . }}{{ end }}",
                 l),
            "x0x1x2");
}

TEST(TemplateSyntax, DefineAndTemplate) {
  Labels l = {{"a", "A"}};
  EXPECT_EQ(
      Exec("{{ define \"T\" }}<{{ . }}>{{ end }}{{ template \"T\" .a }}{{ template \"T\" }}", l),
      "<A><<no value>>");
  EXPECT_EQ(Exec("{{ block \"B\" .a }}[{{ . }}]{{ end }}", l), "[A]");
  EXPECT_EQ(ExecErr("{{ template \"nope\" }}", l),
            "template: line:1:12: executing \"line\" at <{{template \"nope\"}}>: template \"nope\" "
            "not defined");
}

TEST(TemplateSyntax, LineAndTimestamp) {
  Labels l = {{"bar", "2"}};
  EXPECT_EQ(Exec("{{ __line__ }} bar {{ .bar }}", l, "1"), "1 bar 2");
  EXPECT_EQ(Exec("{{ __line__ | len }}", l, "hello"), "5");
  EXPECT_EQ(
      Exec("{{ __timestamp__ | date \"2006-01-02\" }} bar {{ .bar }}", l, "", 1656353124120000000),
      "2022-06-27 bar 2");
  EXPECT_EQ(Exec("{{ __timestamp__ | unixEpoch }}", l, "", 1656353124120000000), "1656353124");
  EXPECT_EQ(Exec("{{ __timestamp__ }}", l, "", 1656353124120000000),
            "2022-06-27 18:05:24.12 +0000 UTC");
  EXPECT_EQ(Exec("{{ __timestamp__.Unix }} {{ (__timestamp__).Year }} {{ __timestamp__.Format "
                 "\"15:04\" }}",
                 l, "", 1656353124120000000),
            "1656353124 2022 18:05");
}

TEST(TemplateBuiltins, Comparisons) {
  Labels l = {{"s", "abc"}, {"n", "5"}};
  EXPECT_EQ(
      Exec("{{ eq .s \"abc\" }} {{ eq .s \"x\" \"y\" \"abc\" }} {{ eq 1 2 }} {{ ne 1 2 }}", l),
      "true true false true");
  EXPECT_EQ(Exec("{{ lt 1 2 }} {{ le 2 2 }} {{ gt 1.5 2.5 }} {{ ge \"b\" \"a\" }} {{ lt \"abc\" "
                 "\"abd\" }}",
                 l),
            "true true false true true");
  EXPECT_EQ(Exec("{{ eq (len .s) 3 }} {{ eq (add 1 2) 3 }} {{ eq true true }} {{ eq nil nil }}", l),
            "true true true true");
  EXPECT_EQ(ExecErr("{{ eq .n 5 }}", l),
            "template: line:1:3: executing \"line\" at <eq .n 5>: error calling eq: incompatible "
            "types for comparison");
  EXPECT_EQ(ExecErr("{{ lt 1 1.5 }}", l),
            "template: line:1:3: executing \"line\" at <lt 1 1.5>: error calling lt: incompatible "
            "types for comparison");
  EXPECT_EQ(ExecErr("{{ lt true false }}", l),
            "template: line:1:3: executing \"line\" at <lt true false>: error calling lt: invalid "
            "type for comparison");
  EXPECT_EQ(ExecErr("{{ eq 1 }}", l),
            "template: line:1:3: executing \"line\" at <eq 1>: error calling eq: missing argument "
            "for comparison");
  EXPECT_EQ(Exec("{{ eq .missing \"\" }}", l), "true");
}

TEST(TemplateBuiltins, AndOrNot) {
  Labels l = {{"a", "x"}, {"e", ""}};
  EXPECT_EQ(
      Exec("{{ and .a \"y\" }}|{{ and .e \"y\" }}|{{ or .e \"dflt\" }}|{{ or .a \"dflt\" }}", l),
      "y||dflt|x");
  EXPECT_EQ(Exec("{{ or 0 \"\" }}|{{ not 0 }}|{{ not \"x\" }}", l), "|true|false");
  // and/or stop at the deciding argument: later ones are not evaluated.
  EXPECT_EQ(Exec("{{ or 1 (index . 1) }}", l), "1");
  EXPECT_EQ(Exec("{{ \"last\" | and 1 }}", l), "last");
}

TEST(TemplateBuiltins, LenIndexSlice) {
  Labels l = {{"s", "héllo"}};
  EXPECT_EQ(Exec("{{ len .s }} {{ len \"\" }} {{ len (fromJson `[1,2,3]`) }}", l), "6 0 3");
  EXPECT_EQ(Exec("{{ index \"abc\" 1 }} {{ index (fromJson `[[1,2],[3,4]]`) 1 0 }}", l), "98 3");
  EXPECT_EQ(Exec("{{ index (fromJson `{\"a\":{\"b\":\"c\"}}`) \"a\" \"b\" }}", l), "c");
  EXPECT_EQ(Exec("{{ slice \"abcdef\" 1 3 }} {{ slice \"abcdef\" 2 }} {{ slice \"abc\" }}", l),
            "bc cdef abc");
  EXPECT_EQ(Exec("{{ slice (fromJson `[1,2,3,4]`) 1 3 }}", l), "[2 3]");
  EXPECT_EQ(ExecErr("{{ index \"abc\" 5 }}", l),
            "template: line:1:3: executing \"line\" at <index \"abc\" 5>: error calling index: "
            "index out of range: 5");
  EXPECT_EQ(ExecErr("{{ slice \"abc\" 2 1 }}", l),
            "template: line:1:3: executing \"line\" at <slice \"abc\" 2 1>: error calling slice: "
            "invalid slice index: 2 > 1");
  EXPECT_EQ(
      ExecErr("{{ len 3 }}", l),
      "template: line:1:3: executing \"line\" at <len 3>: error calling len: len of type int");
  EXPECT_EQ(ExecErr("{{ index 3 1 }}", l),
            "template: line:1:3: executing \"line\" at <index 3 1>: error calling index: can't "
            "index item of type int");
}

TEST(TemplateBuiltins, PrintHtmlJsUrlquery) {
  Labels l = {{"a", "x"}};
  EXPECT_EQ(Exec("{{ print 1 2 \"a\" \"b\" 3 }}", l), "1 2ab3");
  EXPECT_EQ(Exec("{{ println 1 \"a\" }}", l), "1 a\n");
  EXPECT_EQ(Exec("{{ html \"<a href='x'>&\\\"</a>\" }}", l),
            "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;");
  EXPECT_EQ(Exec("{{ js \"it's <b> \\\"q\\\" a=b\\n\" }}", l),
            "it\\'s \\u003Cb\\u003E \\\"q\\\" a\\u003Db\\u000A");
  EXPECT_EQ(Exec("{{ urlquery \"a b&c=d/é\" }}", l), "a+b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(Exec("{{ html 1 2 }}", l), "1 2");
}

TEST(TemplateErrors, CompileErrors) {
  EXPECT_EQ(Compile("{{ .a }"), "template: line:1: unexpected \"}\" in operand");
  EXPECT_EQ(Compile("{{ foo }}"), "template: line:1: function \"foo\" not defined");
  EXPECT_EQ(Compile("{{ nosuchfunc }}"), "template: line:1: function \"nosuchfunc\" not defined");
  EXPECT_EQ(Compile("{{"), "template: line:1: unclosed action");
  EXPECT_EQ(Compile("{{ .a "), "template: line:1: unclosed action");
  EXPECT_EQ(Compile("{{ if .a }}x"), "template: line:1: unexpected EOF");
  EXPECT_EQ(Compile("{{ end }}"), "template: line:1: unexpected {{end}}");
  EXPECT_EQ(Compile("{{ else }}"), "template: line:1: unexpected {{else}}");
  EXPECT_EQ(Compile("{{ $x }}"), "template: line:1: undefined variable \"$x\"");
  EXPECT_EQ(Compile("{{ \"abc }}"), "template: line:1: unterminated quoted string");
  EXPECT_EQ(Compile("{{ `abc }}"), "template: line:1: unterminated raw quoted string");
  EXPECT_EQ(Compile("{{ /* x */ }}"), "template: line:1: unexpected \"/\" in command");
  EXPECT_EQ(Compile("{{/* x }}"), "template: line:1: unclosed comment");
  EXPECT_EQ(Compile("{{/* x */ .a }}"), "template: line:1: comment ends before closing delimiter");
  EXPECT_EQ(Compile("{{ (1 }}"), "template: line:1: unclosed left paren");
  EXPECT_EQ(Compile("{{ 1) }}"), "template: line:1: unexpected right paren");
  EXPECT_EQ(Compile("{{ }}"), "template: line:1: missing value for command");
  EXPECT_EQ(Compile("{{ break }}"), "template: line:1: {{break}} outside {{range}}");
  EXPECT_EQ(Compile("{{ continue }}"), "template: line:1: {{continue}} outside {{range}}");
  EXPECT_EQ(Compile("{{ .a | 3 }}"),
            "template: line:1: non executable command in pipeline stage 2");
  EXPECT_EQ(Compile("{{ 3x }}"), "template: line:1: bad number syntax: \"3x\"");
  EXPECT_EQ(Compile("{{ .a# }}"), "template: line:1: bad character U+0023 '#'");
  EXPECT_EQ(Compile("{{ \"a\".b }}"), "template: line:1: unexpected . after term \"\\\"a\\\"\"");
  EXPECT_EQ(Compile("{{ range $a, $b, $c := . }}{{ end }}"),
            "template: line:1: too many declarations in range");
  EXPECT_EQ(Compile("{{ if $x, $y := 1 }}{{ end }}"),
            "template: line:1: too many declarations in if");
  EXPECT_EQ(Compile("{{ if $x := 1, 2 }}{{ end }}"),
            "template: line:1: unexpected \",\" in operand");
  EXPECT_EQ(Compile("x {{-/* c */}} y"), "template: line:1: illegal number syntax: \"-\"");
  EXPECT_EQ(Compile("{{ if true }}{{ else }}{{ else }}{{ end }}"),
            "template: line:1: expected end; found {{else}}");
  EXPECT_EQ(Compile("a\nb\n{{ .a }"), "template: line:3: unexpected \"}\" in operand");
  EXPECT_EQ(Compile("{{ 'ab' }}"), "template: line:1: malformed character constant: 'ab'");
  EXPECT_EQ(Compile("{{ \"\\q\" }}"), "template: line:1: invalid syntax");
  EXPECT_EQ(Compile("{{ 99999999999999999999 }}"),
            "template: line:1: integer overflow: \"99999999999999999999\"");
  EXPECT_EQ(Compile("{{ .a \x01 }}"), "template: line:1: unrecognized character in action: U+0001");
  // Named templates report their name, as label_format's do.
  std::unique_ptr<Template> t;
  Status st = Template::Compile("{{", "label", &t);
  EXPECT_EQ(st.message(), "template: label:1: unclosed action");
  EXPECT_FALSE(st.ok());
}

TEST(TemplateErrors, RuntimeErrors) {
  Labels l = {{"foo", "blip"}, {"bar", "blop"}, {"n", "5"}};
  EXPECT_EQ(
      ExecErr("{{.foo Replace \"foo\"}}", l),
      "template: line:1:2: executing \"line\" at <.foo>: foo is not a method but has arguments");
  EXPECT_EQ(ExecErr("{{.foo | now}}", l),
            "template: line:1:9: executing \"line\" at <now>: wrong number of args for now: want 0 "
            "got 1");
  EXPECT_EQ(ExecErr("{{replace \"test\" .foo}}", l),
            "template: line:1:2: executing \"line\" at <replace>: wrong number of args for "
            "replace: want 3 got 2");
  EXPECT_EQ(ExecErr("{{ trunc .n .foo }}", l),
            "template: line:1:9: executing \"line\" at <.n>: wrong type for value; expected int; "
            "got string");
  EXPECT_EQ(ExecErr("{{ upper 5 }}", l),
            "template: line:1:9: executing \"line\" at <5>: expected string; found 5");
  EXPECT_EQ(ExecErr("{{ trunc \"x\" .foo }}", l),
            "template: line:1:9: executing \"line\" at <\"x\">: expected integer; found \"x\"");
  EXPECT_EQ(ExecErr("{{ trunc (add 1 2) .foo }}", l),
            "template: line:1:16: executing \"line\" at <2>: wrong type for value; expected int; "
            "got int64");
  EXPECT_EQ(ExecErr("{{ .foo.bar }}", l),
            "template: line:1:7: executing \"line\" at <.foo.bar>: can't evaluate field bar in "
            "type string");
  EXPECT_EQ(ExecErr("{{ range .foo }}{{ end }}", l),
            "template: line:1:9: executing \"line\" at <.foo>: range can't iterate over blip");
  EXPECT_EQ(ExecErr("{{ nil }}", l),
            "template: line:1:3: executing \"line\" at <nil>: nil is not a command");
  EXPECT_EQ(ExecErr("{{ 3 4 }}", l),
            "template: line:1:3: executing \"line\" at <3>: can't give argument to non-function 3");
  EXPECT_EQ(ExecErr("{{ div 1 0 }}", l),
            "template: line:1:3: executing \"line\" at <div 1 0>: error calling div: runtime "
            "error: integer divide by zero");
  EXPECT_EQ(ExecErr("{{ call .foo }}", l),
            "template: line:1:3: executing \"line\" at <call .foo>: error calling call: "
            "non-function .foo of type string");
  EXPECT_EQ(ExecErr("{{ and }}", l),
            "template: line:1:3: executing \"line\" at <and>: wrong number of args for and: want "
            "at least 1 got 0");
  EXPECT_EQ(
      ExecErr("a\n  {{ .foo 1 }}", {{"foo", "x"}}),
      "template: line:2:5: executing \"line\" at <.foo>: foo is not a method but has arguments");
  EXPECT_EQ(
      ExecErr("{{ (fromJson `{}`).a.b }}", l),
      "template: line:1:13: executing \"line\" at <`{}`>: nil pointer evaluating interface {}.b");
  EXPECT_EQ(ExecErr("{{ urldecode \"%zz\" }}", l),
            "template: line:1:3: executing \"line\" at <urldecode \"%zz\">: error calling "
            "urldecode: invalid URL escape \"%zz\"");
  // The output written before the error stays in the buffer, as in Go.
  std::unique_ptr<Template> t;
  ASSERT_TRUE(Template::Compile("ab{{ div 1 0 }}", &t).ok());
  std::string out;
  TemplateContext ctx;
  EXPECT_FALSE(t->Execute(ctx, &out).ok());
  EXPECT_EQ(out, "ab");
}

TEST(TemplateValues, NoValueAndNil) {
  Labels l;
  EXPECT_EQ(Exec("{{ fromJson \"bad\" }}", l), "<no value>");
  EXPECT_EQ(
      Exec("{{ $m := fromJson `{\"a\":null}` }}{{ $m.a }}|{{ $m.b }}|{{ printf \"%v\" $m.a }}", l),
      "<no value>|<no value>|<nil>");
  EXPECT_EQ(Exec("{{ fromJson `{\"a\":[1,\"x\",null,true,{\"b\":2.5}]}` }}", l),
            "map[a:[1 x <nil> true map[b:2.5]]]");
  EXPECT_EQ(Exec("{{ (fromJson `{\"a\":{\"b\":\"deep\"}}`).a.b }}", l), "deep");
}

TEST(TemplateGoParity, NilsComparisonsAndGoSyntax) {
  Labels l = {{"a", "x"}};
  // html/js/urlquery print a nil argument as Go's printableValue does.
  EXPECT_EQ(Exec("{{ html nil }}|{{ js nil }}|{{ urlquery (fromJson `null`) }}", l),
            "&lt;no value&gt;|\\u003Cno value\\u003E|%3Cno+value%3E");
  EXPECT_EQ(
      ExecErr("{{ eq . (fromJson `{\"k\":1}`) }}", l),
      "template: line:1:3: executing \"line\" at <eq . (fromJson `{\"k\":1}`)>: error calling eq: "
      "non-comparable type map[k:%!s(float64=1)]: map[string]interface {}");
  EXPECT_EQ(ExecErr("{{ eq (fromJson `[1]`) . }}", l),
            "template: line:1:3: executing \"line\" at <eq (fromJson `[1]`) .>: error calling eq: "
            "non-comparable types [%!s(float64=1)]: []interface {}, map[string]string: map[a:x]");
  EXPECT_EQ(
      Exec("{{ printf \"%#v|%#v|%#v|%#v\" . (fromJson `[1,\"a\",null]`) (index \"a\" 0) \"q\" }}",
           l),
      "map[string]string{\"a\":\"x\"}|[]interface {}{1, \"a\", interface {}(nil)}|0x61|\"q\"");
  // Errors inside a named template name it, as Go does.
  EXPECT_EQ(
      ExecErr("{{ define \"T\" }}{{ .a.b }}{{ end }}{{ template \"T\" . }}", l),
      "template: line:1:21: executing \"T\" at <.a.b>: can't evaluate field b in type string");
  EXPECT_EQ(ExecErr("{{ define \"R\" }}{{ template \"R\" }}{{ end }}{{ template \"R\" }}", l),
            "template: line:1:28: executing \"R\" at <{{template \"R\"}}>: exceeded maximum "
            "template depth (200)");
}

TEST(TemplateGoParity, Limits) {
  std::string deep_parens = "{{" + std::string(1500, '(') + "1" + std::string(1500, ')') + "}}";
  EXPECT_EQ(Compile(deep_parens), "template: line:1: max expression depth exceeded");
  std::string ok_parens = "{{" + std::string(200, '(') + "1" + std::string(200, ')') + "}}";
  EXPECT_EQ(Compile(ok_parens), "");
  std::string deep_ifs;
  for (int i = 0; i < 1500; i++) deep_ifs += "{{if 1}}";
  for (int i = 0; i < 1500; i++) deep_ifs += "{{end}}";
  EXPECT_EQ(Compile(deep_ifs), "template: line:1: max expression depth exceeded");
  std::string deep_json = std::string(2000, '[') + std::string(2000, ']');
  EXPECT_EQ(Exec("{{ fromJson `" + deep_json + "` }}"), "<no value>");
  EXPECT_EQ(Exec("{{ len (fromJson `[[[1]]]`) }}"), "1");
}

TEST(TemplateSyntax, TrimMarkersWithNewlinesAndManyLabels) {
  EXPECT_EQ(Exec("a  {{-\n.a\n-}}  b", {{"a", "A"}}), "aAb");
  Labels many;
  for (int i = 0; i < 40; i++) many.emplace_back("l" + std::to_string(100 + i), std::to_string(i));
  EXPECT_EQ(Exec("{{ .l100 }}-{{ .l139 }}-{{ .l120 }}-{{ .nope }}", many), "0-39-20-");
  EXPECT_EQ(Exec("{{ .héllo }}", {{"héllo", "u"}}), "u");
}

TEST(TemplatePerf, SimpleFieldsAppendInPlace) {
  std::unique_ptr<Template> t;
  ASSERT_TRUE(Template::Compile("{{.method}} {{.path}}", &t).ok());
  LabelView ls[] = {{"method", "GET"}, {"path", "/x"}};
  TemplateContext ctx;
  ctx.labels = ls;
  ctx.n_labels = 2;
  std::string out;
  out.reserve(64);
  const char* before = out.data();
  for (int i = 0; i < 100; i++) {
    out.clear();
    ASSERT_TRUE(t->Execute(ctx, &out).ok());
  }
  EXPECT_EQ(out, "GET /x");
  EXPECT_EQ(out.data(), before);
}

TEST(TemplateConcurrency, SharedTemplateManyThreads) {
  std::unique_ptr<Template> t;
  ASSERT_TRUE(Template::Compile("{{ .a | upper }}-{{ regexReplaceAll \"(b+)\" .a \"<$1>\" }}"
                                "{{ toDateInZone \"2006\" \"Asia/Tokyo\" \"2020\" | date \"\" }}",
                                &t)
                  .ok());
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int i = 0; i < 4; i++) {
    threads.emplace_back([&] {
      LabelView ls[] = {{"a", "abbc"}};
      TemplateContext ctx;
      ctx.labels = ls;
      ctx.n_labels = 1;
      for (int j = 0; j < 500; j++) {
        std::string out;
        if (!t->Execute(ctx, &out).ok() || out != "ABBC-a<bb>c") bad++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace lode::logql
