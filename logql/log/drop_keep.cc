#include "logql/log/drop_keep.h"

#include <string>
#include <vector>

namespace lode::logql {

namespace {

class Drop : public LogStage {
 public:
  explicit Drop(std::vector<NamedMatcher> items) : items_(std::move(items)) {}

  bool Process(int64_t, std::string_view*, LabelsBuilder* lbs, StageState*) const override {
    for (const auto& item : items_) {
      if (item.matcher) {
        const std::string& name = item.matcher->name();
        if (name == kErrorLabel) {
          if (item.matcher->Matches(lbs->err())) lbs->ResetErr();
        } else if (name == kErrorDetailsLabel) {
          if (item.matcher->Matches(lbs->err_details())) lbs->ResetErrDetails();
        } else {
          std::string_view v;
          if (!lbs->Get(name, &v)) v = {};
          if (item.matcher->Matches(v)) lbs->Del(name);
        }
        continue;
      }
      if (item.name == kErrorLabel) {
        lbs->ResetErr();
      } else if (item.name == kErrorDetailsLabel) {
        lbs->ResetErrDetails();
      } else {
        std::string_view v;
        if (lbs->Get(item.name, &v)) lbs->Del(item.name);
      }
    }
    return true;
  }

 private:
  std::vector<NamedMatcher> items_;
};

struct KeepState : StageState {
  std::vector<LabelView> views;
  std::vector<std::string> to_delete;
};

class Keep : public LogStage {
 public:
  explicit Keep(std::vector<NamedMatcher> items) : items_(std::move(items)) {}

  std::unique_ptr<StageState> NewState() const override { return std::make_unique<KeepState>(); }

  bool Process(int64_t, std::string_view*, LabelsBuilder* lbs, StageState* state) const override {
    if (items_.empty()) return true;
    auto* st = static_cast<KeepState*>(state);
    lbs->AllLabels(&st->views);
    size_t n = 0;
    for (const auto& l : st->views) {
      if (l.name == kErrorLabel || l.name == kErrorDetailsLabel || l.name == kPreserveErrorLabel) {
        continue;
      }
      bool keep = false;
      for (const auto& item : items_) {
        if (item.matcher) {
          if (item.matcher->name() == l.name && item.matcher->Matches(l.value)) keep = true;
        } else if (item.name == l.name) {
          keep = true;
        }
        if (keep) break;
      }
      if (keep) continue;
      // Deleting mutates the builder the views point into: collect first.
      if (n == st->to_delete.size()) st->to_delete.emplace_back();
      st->to_delete[n++].assign(l.name);
    }
    for (size_t i = 0; i < n; ++i) lbs->Del(st->to_delete[i]);
    return true;
  }

 private:
  std::vector<NamedMatcher> items_;
};

}  // namespace

LogStagePtr NewDropKeepStage(const DropKeepStage& s) {
  if (s.keep) return std::make_unique<Keep>(s.items);
  return std::make_unique<Drop>(s.items);
}

}  // namespace lode::logql
