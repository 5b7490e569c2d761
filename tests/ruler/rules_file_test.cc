// Rule files: parsing, validation and the error messages (ruler/rules_file.h).

#include "ruler/rules_file.h"

#include <gtest/gtest.h>

namespace lode::ruler {
namespace {

const char kGood[] = R"(groups:
  - name: errors
    interval: 30s
    limit: 10
    rules:
      - alert: CriticalLines
        expr: sum by (service) (count_over_time({env="prod"} |= "CRITICAL" [5m])) > 0
        for: 1m
        keep_firing_for: 2m
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.service }} logged {{ $value }} CRITICAL lines"
      - record: service:log_errors:rate5m
        expr: sum by (service) (rate({env="prod"} |= "error" [5m]))
        labels:
          source: lode
)";

std::string Err(const std::string& text) {
  RuleFile f;
  Status s = ParseRuleFile(text, "rules.yaml", &f);
  return s.ok() ? "" : s.message();
}

std::string OneRule(const std::string& rule) { return "groups:\n  - name: g\n    rules:\n" + rule; }

TEST(RulesFileTest, ParsesLokiFormat) {
  RuleFile f;
  ASSERT_TRUE(ParseRuleFile(kGood, "rules.yaml", &f).ok());
  ASSERT_EQ(f.groups.size(), 1u);
  const RuleGroup& g = f.groups[0];
  EXPECT_EQ(g.name, "errors");
  EXPECT_EQ(g.interval_ns, 30LL * 1000000000);
  EXPECT_EQ(g.limit, 10);
  ASSERT_EQ(g.rules.size(), 2u);
  EXPECT_TRUE(g.rules[0].IsAlert());
  EXPECT_EQ(g.rules[0].for_ns, 60LL * 1000000000);
  EXPECT_EQ(g.rules[0].keep_firing_for_ns, 120LL * 1000000000);
  EXPECT_EQ(g.rules[0].labels[0].second, "page");
  EXPECT_EQ(g.rules[1].record, "service:log_errors:rate5m");
  // The YAML we write parses back to the same thing.
  RuleFile back;
  ASSERT_TRUE(ParseRuleFile(FileToYaml(f), "x", &back).ok()) << FileToYaml(f);
  EXPECT_EQ(FileToYaml(back), FileToYaml(f));
}

TEST(RulesFileTest, EmptyFileHasNoGroups) {
  RuleFile f;
  EXPECT_TRUE(ParseRuleFile("", "e.yaml", &f).ok());
  EXPECT_TRUE(f.groups.empty());
}

TEST(RulesFileTest, ErrorsNameFileGroupRuleAndProblem) {
  EXPECT_EQ(Err(OneRule("      - alert: A\n        expr: 'sum(rate({a=\"b\"}[5m]'\n")),
            "rules.yaml: group \"g\", rule \"A\": could not parse expression: parse error at line "
            "1, col 21: "
            "syntax error: unexpected $end, expecting )");
  EXPECT_EQ(
      Err(OneRule("      - alert: A\n        expr: '{a=\"b\"} |= \"x\"'\n")),
      "rules.yaml: group \"g\", rule \"A\": expression must be a metric query, not a log query: "
      "{a=\"b\"} |= \"x\"");
  EXPECT_EQ(Err(OneRule("      - alert: A\n        record: b\n        expr: vector(1)\n")),
            "rules.yaml: group \"g\", rule \"A\": only one of 'record' and 'alert' must be set");
  EXPECT_EQ(Err(OneRule("      - expr: vector(1)\n")),
            "rules.yaml: group \"g\", rule \"#1\": one of 'record' or 'alert' must be set");
  EXPECT_EQ(Err(OneRule("      - alert: A\n")),
            "rules.yaml: group \"g\", rule \"A\": field 'expr' must be set in rule");
  EXPECT_EQ(Err(OneRule("      - record: 'bad name'\n        expr: vector(1)\n")),
            "rules.yaml: group \"g\", rule \"bad name\": invalid recording rule name: bad name");
  EXPECT_EQ(Err(OneRule("      - record: r\n        expr: vector(1)\n        for: 1m\n")),
            "rules.yaml: group \"g\", rule \"r\": invalid field 'for' in recording rule");
  EXPECT_EQ(Err(OneRule("      - alert: A\n        expr: vector(1)\n        labels: {'a-b': x}\n")),
            "rules.yaml: group \"g\", rule \"A\": invalid label name: a-b");
  EXPECT_EQ(Err(OneRule("      - alert: A\n        expr: vector(1)\n        for: soon\n")),
            "rules.yaml: group \"g\": invalid duration in field 'for': \"soon\"");
  EXPECT_EQ(Err(OneRule("      - alert: A\n        expr: vector(1)\n        bogus: 1\n")),
            "rules.yaml: group \"g\": field bogus not found in type rulefmt.RuleNode");
  EXPECT_EQ(Err(OneRule(
                "      - alert: A\n        expr: vector(1)\n        annotations: {s: '{{ .x '}\n")),
            "rules.yaml: group \"g\", rule \"A\": invalid annotation template for \"s\": template: "
            "__alert_A:1: "
            "unclosed action");
  EXPECT_EQ(Err("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: vector(1)\n"
                "  - name: g\n    rules:\n      - alert: A\n        expr: vector(1)\n"),
            "rules.yaml: groupname: \"g\" is repeated in the same file");
  EXPECT_EQ(Err("groups:\n  - rules: []\n"), "rules.yaml: groupname must not be empty");
  EXPECT_EQ(Err("nope: 1\n"), "rules.yaml: field nope not found in type rulefmt.RuleGroups");
  EXPECT_NE(Err("groups: [\n").find("rules.yaml: yaml: "), std::string::npos);
}

TEST(RulesFileTest, ParseRuleGroupForTheApi) {
  RuleGroup g;
  ASSERT_TRUE(
      ParseRuleGroup("name: g\nrules:\n  - alert: A\n    expr: vector(1) > 0\n", "ns", &g).ok());
  EXPECT_EQ(g.name, "g");
  Status s = ParseRuleGroup("- 1\n", "ns", &g);
  EXPECT_EQ(s.message(), "ns: a rule group must be a YAML mapping");
}

TEST(RulesFileTest, PromDuration) {
  EXPECT_EQ(PromDuration(0), "0s");
  EXPECT_EQ(PromDuration(90LL * 1000000000), "1m30s");
  EXPECT_EQ(PromDuration(86400LL * 1000000000), "1d");
  EXPECT_EQ(PromDuration(1500000000), "1s500ms");
}

}  // namespace
}  // namespace lode::ruler
