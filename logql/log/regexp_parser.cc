#include "logql/log/regexp_parser.h"

#include <re2/re2.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "logql/log/json_parser.h"
#include "logql/log/line_filter.h"
#include "logql/log/pattern.h"

namespace lode::logql {

namespace {

// The capture names of `(?P<name>...)` groups, in source order.
std::vector<std::string> CaptureNames(std::string_view re) {
  std::vector<std::string> names;
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      if (i + 1 < re.size() && re[i + 1] == ']') ++i;
      continue;
    }
    if (c == '(' && re.substr(i, 4) == "(?P<") {
      size_t end = re.find('>', i + 4);
      if (end == std::string_view::npos) break;
      names.emplace_back(re.substr(i + 4, end - i - 4));
      i = end;
    }
  }
  return names;
}

struct RegexpState : StageState {
  std::vector<re2::StringPiece> groups;
  std::string key;
};

class RegexpStage : public LogStage {
 public:
  RegexpStage(std::unique_ptr<re2::RE2> re, std::vector<std::pair<int, std::string>> names)
      : re_(std::move(re)), names_(std::move(names)) {}

  std::unique_ptr<StageState> NewState() const override {
    auto st = std::make_unique<RegexpState>();
    st->groups.resize(static_cast<size_t>(re_->NumberOfCapturingGroups()) + 1);
    return st;
  }

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs,
               StageState* state) const override {
    auto* st = static_cast<RegexpState*>(state);
    if (!re_->Match(re2::StringPiece(line->data(), line->size()), 0, line->size(),
                    re2::RE2::UNANCHORED, st->groups.data(), static_cast<int>(st->groups.size()))) {
      return true;
    }
    for (const auto& [idx, name] : names_) {
      SanitizeLabelKey(name, &st->key);
      const re2::StringPiece& g = st->groups[static_cast<size_t>(idx)];
      lbs->AddParsed(&st->key, std::string_view(g.data(), g.size()));
    }
    return true;
  }

 private:
  std::unique_ptr<re2::RE2> re_;
  std::vector<std::pair<int, std::string>> names_;  // group index, name
};

struct PatternState : StageState {
  std::vector<std::string_view> captures;
  std::string key;
};

class PatternStage : public LogStage {
 public:
  explicit PatternStage(std::unique_ptr<Pattern> p) : p_(std::move(p)) {}

  std::unique_ptr<StageState> NewState() const override { return std::make_unique<PatternState>(); }

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs,
               StageState* state) const override {
    auto* st = static_cast<PatternState*>(state);
    p_->Matches(*line, &st->captures);
    const auto& names = p_->names();
    for (size_t i = 0; i < st->captures.size() && i < names.size(); ++i) {
      st->key.assign(names[i]);
      lbs->AddParsed(&st->key, st->captures[i]);
    }
    return true;
  }

 private:
  std::unique_ptr<Pattern> p_;
};

}  // namespace

Status NewRegexpStage(std::string_view re, LogStagePtr* out) {
  const std::vector<std::string> scanned = CaptureNames(re);
  std::unique_ptr<re2::RE2> compiled;
  Status st = CompileGoRegex(re, &compiled);
  if (!st.ok()) {
    // RE2 rejects duplicate group names that Go accepts; report them as Loki.
    std::set<std::string> seen;
    for (const auto& n : scanned) {
      if (!seen.insert(n).second) {
        return Status::InvalidArgument("duplicate extracted label name '" + n + "'");
      }
    }
    return st;
  }
  if (compiled->NumberOfCapturingGroups() == 0) {
    return Status::InvalidArgument("at least one named capture must be supplied");
  }
  std::vector<std::pair<int, std::string>> names;
  for (const auto& [name, idx] : compiled->NamedCapturingGroups()) names.emplace_back(idx, name);
  std::sort(names.begin(), names.end());
  for (const auto& [idx, name] : names) {
    if (!IsValidLabelName(name)) {
      return Status::InvalidArgument("invalid extracted label name '" + name + "'");
    }
  }
  if (names.empty()) {
    return Status::InvalidArgument("at least one named capture must be supplied");
  }
  *out = std::make_unique<RegexpStage>(std::move(compiled), std::move(names));
  return Status::OK();
}

Status NewPatternStage(std::string_view pattern, LogStagePtr* out) {
  std::unique_ptr<Pattern> p;
  LODE_RETURN_IF_ERROR(Pattern::ParseParser(pattern, &p));
  *out = std::make_unique<PatternStage>(std::move(p));
  return Status::OK();
}

}  // namespace lode::logql
