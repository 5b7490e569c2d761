// Data-driven parser tests: every query of the recorded Loki answers
// (shared/conformance/cases.jsonl.gz) and of Loki's LogQL semantics suite
// (shared/logqltest/*.logqltest) must parse, or fail with Loki's message
// when the failure is a parse-time one.

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "logql/syntax/parser.h"

namespace lode::logql {
namespace {

const std::string kShared = std::string(LODE_SOURCE_DIR) + "/../shared";

std::vector<std::string> ReadGzipLines(const std::string& path) {
  std::vector<std::string> lines;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return lines;
  std::string cur;
  char buf[1 << 16];
  while (gzgets(f, buf, sizeof(buf)) != nullptr) {
    cur += buf;
    if (!cur.empty() && cur.back() == '\n') {
      cur.pop_back();
      lines.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) lines.push_back(std::move(cur));
  gzclose(f);
  return lines;
}

TEST(ParserCorpusTest, ConformanceCases) {
  std::vector<std::string> lines = ReadGzipLines(kShared + "/conformance/cases.jsonl.gz");
  ASSERT_GT(lines.size(), 100u);
  int queries = 0, errors = 0;
  for (const std::string& line : lines) {
    auto c = nlohmann::json::parse(line);
    std::string id = c["id"];
    const auto& params = c["params"];
    int status = c["expect"]["status"];
    std::string endpoint = c["endpoint"];
    if (endpoint == "query" || endpoint == "query_range") {
      std::string q = params["query"];
      ExprPtr e;
      Status s = ParseExpr(q, &e);
      queries++;
      if (status == 200) {
        EXPECT_TRUE(s.ok()) << id << ": " << q << " -> " << s.message();
      } else if (c["expect"]["body"].is_string()) {
        errors++;
        EXPECT_EQ(s.message(), c["expect"]["body"].get<std::string>()) << id << ": " << q;
      }
      continue;
    }
    std::vector<std::string> selectors;
    if (params.contains("match[]")) {
      if (params["match[]"].is_array()) {
        for (const auto& m : params["match[]"]) selectors.push_back(m);
      } else {
        selectors.push_back(params["match[]"]);
      }
    }
    if (params.contains("query")) selectors.push_back(params["query"]);
    for (const std::string& sel : selectors) {
      std::vector<MatcherPtr> ms;
      Status s = ParseMatchers(sel, &ms);
      EXPECT_TRUE(s.ok()) << id << ": " << sel << " -> " << s.message();
      EXPECT_FALSE(ms.empty()) << id;
    }
  }
  EXPECT_GT(queries, 100);
  EXPECT_GE(errors, 8);
}

// Failures the semantics suite expects that Loki reports while running the
// query (pipeline stages, evaluation), not while parsing it.
bool IsRuntimeFailure(const std::string& msg) {
  static const char* kRuntime[] = {
      "LabelFilterErr",
      "JSONParserErr",
      "LogfmtParserErr",
      "ip: invalid",
      "not defined",
      "unclosed action",
      "multiple matches for labels",
      "found duplicate series",
      "only supported on instant queries",
      "named captures are not allowed",
      "cannot parse expression",
      "unknown unit",
      "missing unit in duration",
      "invalid duration",
      "invalid syntax",
      "error parsing regexp",
  };
  for (const char* r : kRuntime) {
    if (msg.find(r) != std::string::npos) return true;
  }
  return false;
}

struct EvalCase {
  std::string file;
  int line = 0;
  std::string query;
  bool fail = false;
  std::string msg;    // expect fail msg: ...
  std::string regex;  // expect fail regex: ...
};

std::vector<EvalCase> ReadEvalCases() {
  std::vector<EvalCase> cases;
  static const std::regex kEval(R"(^eval (instant at \S+|range from \S+ to \S+ step \S+) (.*)$)");
  for (const auto& entry : std::filesystem::directory_iterator(kShared + "/logqltest")) {
    if (entry.path().extension() != ".logqltest") continue;
    std::ifstream in(entry.path());
    std::string line;
    int n = 0;
    EvalCase* cur = nullptr;
    while (std::getline(in, line)) {
      n++;
      std::smatch m;
      if (std::regex_match(line, m, kEval)) {
        cases.push_back({entry.path().filename().string(), n, m[2].str(), false, "", ""});
        cur = &cases.back();
        continue;
      }
      if (line.empty() || (line[0] != ' ' && line[0] != '\t')) {
        cur = nullptr;
        continue;
      }
      if (cur == nullptr) continue;
      size_t p = line.find("expect fail");
      if (p == std::string::npos) continue;
      cur->fail = true;
      std::string rest = line.substr(p + 11);
      if (rest.rfind(" msg: ", 0) == 0) cur->msg = rest.substr(6);
      if (rest.rfind(" regex: ", 0) == 0) cur->regex = rest.substr(8);
    }
  }
  return cases;
}

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '"') continue;
    out += s[i];
  }
  return out;
}

TEST(ParserCorpusTest, LogqlSemanticsSuite) {
  std::vector<EvalCase> cases = ReadEvalCases();
  ASSERT_GT(cases.size(), 1000u);
  int parse_failures = 0;
  for (const EvalCase& c : cases) {
    ExprPtr e;
    Status s = ParseExpr(c.query, &e);
    std::string where = c.file + ":" + std::to_string(c.line) + ": " + c.query;
    if (!c.fail) {
      EXPECT_TRUE(s.ok()) << where << " -> " << s.message();
      continue;
    }
    if (s.ok()) {
      // Must be a failure Loki reports at run time.
      if (!c.msg.empty()) {
        EXPECT_TRUE(IsRuntimeFailure(c.msg)) << where << " (expects " << c.msg << ")";
      }
      if (!c.regex.empty()) {
        ADD_FAILURE() << where << " (expects regex " << c.regex << ")";
      }
      continue;
    }
    parse_failures++;
    // Parse errors read `parse error ...`; the parser also reports the one
    // pipeline error it can see early (`ip: invalid operation`) verbatim.
    EXPECT_TRUE(s.message().rfind("parse error", 0) == 0 || IsRuntimeFailure(s.message()))
        << where << " -> " << s.message();
    if (!c.msg.empty()) {
      std::string want = Unescape(c.msg);
      EXPECT_NE(s.message().find(want), std::string::npos)
          << where << " -> " << s.message() << " (expects " << want << ")";
    }
    if (!c.regex.empty()) {
      EXPECT_TRUE(std::regex_search(s.message(), std::regex(c.regex)))
          << where << " -> " << s.message() << " (expects regex " << c.regex << ")";
    }
  }
  EXPECT_GT(parse_failures, 40);
}

}  // namespace
}  // namespace lode::logql
