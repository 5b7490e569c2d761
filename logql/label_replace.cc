#include "logql/label_replace.h"

#include <re2/re2.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace lode::logql {

namespace {

bool IsNameByte(unsigned char c) {
  // Go accepts Unicode letters and digits; bytes of multi-byte UTF-8
  // sequences are taken as letters.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

class LabelReplaceEvaluator : public StepEvaluator {
 public:
  LabelReplaceEvaluator(const Expr& expr, std::unique_ptr<re2::RE2> re, StepEvaluatorPtr inner,
                        LabelTable* table)
      : dst_(expr.dst),
        replacement_(expr.replacement),
        src_(expr.src),
        re_(std::move(re)),
        inner_(std::move(inner)),
        table_(table) {}

  Status Next(int64_t t_ns, StepVector* out) override {
    LODE_RETURN_IF_ERROR(inner_->Next(t_ns, out));
    for (StepSample& s : *out) s.id = Replace(s.id);
    return Status::OK();
  }

 private:
  uint32_t Replace(uint32_t id) {
    uint32_t cached = memo_.Get(id);
    if (cached != LabelTable::kNone) return cached;
    const Labels& in = table_->Get(id);
    const std::string* found = FindLabel(in, src_);
    std::string_view src = found ? std::string_view(*found) : std::string_view();
    const int ngroups = re_->NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> match(static_cast<size_t>(ngroups));
    uint32_t result = id;
    if (re_->Match(src, 0, src.size(), re2::RE2::ANCHOR_BOTH, match.data(), ngroups)) {
      std::vector<std::string_view> groups;
      groups.reserve(match.size());
      for (const re2::StringPiece& m : match) groups.emplace_back(m.data(), m.size());
      std::string value = ExpandReplacement(*re_, replacement_, groups);
      Labels ls;
      ls.reserve(in.size() + 1);
      for (const Label& l : in) {
        if (l.name != dst_) ls.push_back(l);
      }
      if (!value.empty()) {
        ls.push_back(Label{dst_, std::move(value)});
        SortLabels(&ls);
      }
      result = table_->Intern(std::move(ls));
    }
    memo_.Put(id, result);
    return result;
  }

  const std::string dst_, replacement_, src_;
  std::unique_ptr<re2::RE2> re_;
  StepEvaluatorPtr inner_;
  LabelTable* table_;
  IdMemo memo_;
};

}  // namespace

std::string ExpandReplacement(const re2::RE2& re, std::string_view tmpl,
                              const std::vector<std::string_view>& groups) {
  std::string out;
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out.push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    // Parse `name` or `{name}`; a malformed reference keeps the `$`.
    std::string_view rest = tmpl;
    bool brace = !rest.empty() && rest[0] == '{';
    if (brace) rest.remove_prefix(1);
    size_t n = 0;
    while (n < rest.size() && IsNameByte(static_cast<unsigned char>(rest[n]))) ++n;
    if (n == 0 || (brace && (n >= rest.size() || rest[n] != '}'))) {
      out.push_back('$');
      continue;
    }
    std::string_view name = rest.substr(0, n);
    tmpl = rest.substr(brace ? n + 1 : n);
    long num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    if (num >= 0) {
      if (static_cast<size_t>(num) < groups.size()) out.append(groups[static_cast<size_t>(num)]);
      continue;
    }
    const auto& named = re.NamedCapturingGroups();
    auto it = named.find(std::string(name));
    if (it != named.end() && static_cast<size_t>(it->second) < groups.size()) {
      out.append(groups[static_cast<size_t>(it->second)]);
    }
  }
  out.append(tmpl);
  return out;
}

Status NewLabelReplaceEvaluator(const Expr& expr, StepEvaluatorPtr inner, LabelTable* table,
                                StepEvaluatorPtr* out) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>("^(?:" + expr.regex + ")$", opts);
  if (!re->ok()) {
    return Status::InvalidArgument(
        "parse error : invalid regex in label_replace: error parsing "
        "regexp: " +
        re->error());
  }
  *out = std::make_unique<LabelReplaceEvaluator>(expr, std::move(re), std::move(inner), table);
  return Status::OK();
}

}  // namespace lode::logql
