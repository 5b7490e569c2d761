#include "logql/log/labels_builder.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace lode::logql {

// ---------------------------------------------------------------------------
// SlotList: a list of (name, value) pairs whose strings are reused.
// ---------------------------------------------------------------------------

namespace {

// String equality that rejects on size and first byte before memcmp.
inline bool FastEq(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         (a.empty() || (a[0] == b[0] && std::memcmp(a.data(), b.data(), a.size()) == 0));
}

inline bool NameLess(std::string_view a, std::string_view b) {
  if (!a.empty() && !b.empty() && a[0] != b[0]) {
    return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
  }
  return a < b;
}

}  // namespace

int LabelsBuilder::SlotList::Find(std::string_view name) const {
  for (size_t i = 0; i < n; ++i)
    if (FastEq(slots[i].name, name)) return static_cast<int>(i);
  return -1;
}

void LabelsBuilder::SlotList::Append(std::string_view name, std::string_view value) {
  if (n == slots.size()) slots.emplace_back();
  slots[n].name.assign(name.data(), name.size());
  slots[n].value.assign(value.data(), value.size());
  ++n;
}

void LabelsBuilder::SlotList::RemoveAt(size_t i) {
  // Keep the order of the remaining entries; the freed strings move to the
  // end so that their capacity is reused.
  std::rotate(slots.begin() + static_cast<std::ptrdiff_t>(i),
              slots.begin() + static_cast<std::ptrdiff_t>(i) + 1,
              slots.begin() + static_cast<std::ptrdiff_t>(n));
  --n;
}

bool LabelsBuilder::SlotList::Remove(std::string_view name) {
  if (n == 0) return false;
  int i = Find(name);
  if (i < 0) return false;
  RemoveAt(static_cast<size_t>(i));
  return true;
}

// ---------------------------------------------------------------------------
// LabelsBuilder
// ---------------------------------------------------------------------------

LabelsBuilder::LabelsBuilder(Labels base) : base_(std::move(base)) {
  for (const auto& l : base_) {
    const auto c = static_cast<unsigned char>(l.name.empty() ? 0 : l.name[0]);
    base_first_[c >> 6] |= uint64_t{1} << (c & 63);
  }
  for (auto& l : add_) l.slots.reserve(16);
  refs_.reserve(base_.size() + 16);
  refs_.clear();
  for (const auto& l : base_) refs_.push_back({l.name, l.value, LabelCategory::kStream});
  base_result_ = &Intern(&result_cache_, true);
}

void LabelsBuilder::Reset() {
  for (auto& l : add_) l.n = 0;
  n_del_ = 0;
  n_removed_parsed_ = 0;
  err_.clear();
  err_details_.clear();
}

bool LabelsBuilder::BaseHas(std::string_view name) const {
  const auto c = static_cast<unsigned char>(name.empty() ? 0 : name[0]);
  if ((base_first_[c >> 6] & (uint64_t{1} << (c & 63))) == 0) return false;
  auto it = std::lower_bound(base_.begin(), base_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  return it != base_.end() && it->name == name;
}

bool LabelsBuilder::HasMetadata(std::string_view name) const {
  return add_[static_cast<int>(LabelCategory::kMetadata)].Find(name) >= 0;
}

bool LabelsBuilder::Extracted(std::string_view name) const {
  // Parsed labels are only ever removed by Del, which records them.
  if (add_[static_cast<int>(LabelCategory::kParsed)].Find(name) >= 0) return true;
  for (size_t i = 0; i < n_removed_parsed_; ++i)
    if (FastEq(removed_parsed_[i], name)) return true;
  return false;
}

bool LabelsBuilder::IsDeleted(std::string_view name) const {
  for (size_t i = 0; i < n_del_; ++i)
    if (FastEq(del_[i], name)) return true;
  return false;
}

bool LabelsBuilder::ResolveParsedName(std::string* key) const {
  if (key->empty()) return false;
  if (BaseHas(*key) || HasMetadata(*key)) key->append(kExtractedSuffix);
  return PassesHints(*key) && !Extracted(*key);
}

bool LabelsBuilder::PassesHints(std::string_view name) const {
  return hints_ == nullptr ||
         std::binary_search(hints_->begin(), hints_->end(), name,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

void LabelsBuilder::SetResolvedParsed(std::string_view key, std::string_view value) {
  // Not a parsed label yet (ResolveParsedName checked): Set(kParsed) reduces
  // to this.
  add_[static_cast<int>(LabelCategory::kMetadata)].Remove(key);
  add_[static_cast<int>(LabelCategory::kStream)].Remove(key);
  add_[static_cast<int>(LabelCategory::kParsed)].Append(key, value);
}

void LabelsBuilder::AddMetadata(std::string_view name, std::string_view value) {
  if (BaseHas(name)) {
    name_buf_.assign(name.data(), name.size());
    name_buf_.append(kExtractedSuffix);
    name = name_buf_;
  }
  if (name == kErrorLabel) {
    SetErr(value);
    return;
  }
  if (name == kErrorDetailsLabel) {
    SetErrDetails(value);
    return;
  }
  Set(LabelCategory::kMetadata, name, value);
}

void LabelsBuilder::Set(LabelCategory cat, std::string_view name, std::string_view value) {
  SlotList& stream = add_[static_cast<int>(LabelCategory::kStream)];
  SlotList& meta = add_[static_cast<int>(LabelCategory::kMetadata)];
  SlotList& parsed = add_[static_cast<int>(LabelCategory::kParsed)];
  switch (cat) {
    case LabelCategory::kParsed:
      meta.Remove(name);
      stream.Remove(name);
      break;
    case LabelCategory::kMetadata:
      stream.Remove(name);
      if (parsed.Find(name) >= 0) return;
      break;
    case LabelCategory::kStream:
      if (meta.Find(name) >= 0 || parsed.Find(name) >= 0) return;
      break;
  }
  SlotList& list = add_[static_cast<int>(cat)];
  int i = list.Find(name);
  if (i >= 0) {
    list.slots[static_cast<size_t>(i)].value.assign(value.data(), value.size());
    return;
  }
  list.Append(name, value);
}

bool LabelsBuilder::Get(std::string_view name, std::string_view* value, LabelCategory* cat) const {
  for (int c = 0; c < 3; ++c) {
    int i = add_[c].Find(name);
    if (i >= 0) {
      *value = add_[c].slots[static_cast<size_t>(i)].value;
      if (cat) *cat = static_cast<LabelCategory>(c);
      return true;
    }
  }
  if (IsDeleted(name)) return false;
  auto it = std::lower_bound(base_.begin(), base_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != base_.end() && it->name == name) {
    *value = it->value;
    if (cat) *cat = LabelCategory::kStream;
    return true;
  }
  return false;
}

void LabelsBuilder::Del(std::string_view name) {
  add_[static_cast<int>(LabelCategory::kStream)].Remove(name);
  add_[static_cast<int>(LabelCategory::kMetadata)].Remove(name);
  if (add_[static_cast<int>(LabelCategory::kParsed)].Remove(name)) {
    if (n_removed_parsed_ == removed_parsed_.size()) removed_parsed_.emplace_back();
    removed_parsed_[n_removed_parsed_++].assign(name.data(), name.size());
  }
  if (n_del_ == del_.size()) del_.emplace_back();
  del_[n_del_++].assign(name.data(), name.size());
}

void LabelsBuilder::CollectUnsorted() {
  refs_.clear();
  auto append_errors = [this]() {
    if (!err_.empty()) refs_.push_back({kErrorLabel, err_, LabelCategory::kParsed});
    if (!err_details_.empty()) {
      refs_.push_back({kErrorDetailsLabel, err_details_, LabelCategory::kParsed});
    }
  };
  if (!HasDel() && !HasAdd()) {
    for (const auto& l : base_) refs_.push_back({l.name, l.value, LabelCategory::kStream});
    sorted_prefix_ = refs_.size();
    append_errors();
    return;
  }
  const SlotList& stream = add_[static_cast<int>(LabelCategory::kStream)];
  const SlotList& meta = add_[static_cast<int>(LabelCategory::kMetadata)];
  const SlotList& parsed = add_[static_cast<int>(LabelCategory::kParsed)];
  for (const auto& l : base_) {
    if (IsDeleted(l.name) || meta.Find(l.name) >= 0 || parsed.Find(l.name) >= 0) continue;
    int i = stream.Find(l.name);
    refs_.push_back({l.name,
                     i >= 0 ? std::string_view(stream.slots[static_cast<size_t>(i)].value)
                            : std::string_view(l.value),
                     LabelCategory::kStream});
  }
  sorted_prefix_ = refs_.size();
  // Stream labels created by label_format renames (not in the base, or in
  // the base but deleted before being set again).
  for (size_t i = 0; i < stream.n; ++i) {
    const Slot& s = stream.slots[i];
    if (!BaseHas(s.name) || IsDeleted(s.name)) {
      refs_.push_back({s.name, s.value, LabelCategory::kStream});
    }
  }
  for (size_t i = 0; i < meta.n; ++i) {
    const Slot& s = meta.slots[i];
    if (parsed.Find(s.name) >= 0) continue;
    refs_.push_back({s.name, s.value, LabelCategory::kMetadata});
  }
  for (size_t i = 0; i < parsed.n; ++i) {
    refs_.push_back({parsed.slots[i].name, parsed.slots[i].value, LabelCategory::kParsed});
  }
  if (HasErr() || !err_details_.empty()) append_errors();
}

void LabelsBuilder::SortRefs() {
  auto less = [](const Ref& a, const Ref& b) { return NameLess(a.name, b.name); };
  // The base labels come first and sorted: sort the rest and merge.
  const auto mid =
      refs_.begin() + static_cast<std::ptrdiff_t>(std::min(sorted_prefix_, refs_.size()));
  std::sort(mid, refs_.end(), less);
  if (mid != refs_.begin() && mid != refs_.end()) {
    merge_buf_.clear();
    std::merge(refs_.begin(), mid, mid, refs_.end(), std::back_inserter(merge_buf_), less);
    refs_.swap(merge_buf_);
  }
  // A parsed label can share its name with the error pair; keep the first.
  for (size_t i = 1; i < refs_.size();) {
    if (refs_[i].name == refs_[i - 1].name) {
      refs_.erase(refs_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
}

void LabelsBuilder::TemplateLabels(std::vector<LabelView>* out) {
  out->clear();
  if (!HasDel() && !HasAdd() && !HasErr()) {
    for (const auto& l : base_) out->push_back({l.name, l.value});
    return;
  }
  CollectUnsorted();
  SortRefs();
  for (const auto& r : refs_) out->push_back({r.name, r.value});
}

void LabelsBuilder::AllLabels(std::vector<LabelView>* out) {
  CollectUnsorted();
  out->clear();
  for (const auto& r : refs_) out->push_back({r.name, r.value});
}

namespace {

inline uint64_t Mix(uint64_t h, uint64_t w) {
  h ^= w;
  h *= 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 29);
}

inline uint64_t HashBytes(uint64_t h, std::string_view s) {
  h = Mix(h, s.size());
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = Mix(h, w);
  }
  if (i < s.size()) {
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h = Mix(h, w);
  }
  return h;
}

}  // namespace

uint64_t LabelsBuilder::KeyHash(const std::vector<Ref>& refs) {
  uint64_t h = 0x243F6A8885A308D3ULL ^ refs.size();
  for (const auto& r : refs) {
    h = HashBytes(h, r.name);
    h = HashBytes(h, r.value);
  }
  return h;
}

bool LabelsBuilder::Equal(const ResultLabels& r, const std::vector<Ref>& refs) {
  if (r.all.size() != refs.size()) return false;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (!FastEq(r.all[i].name, refs[i].name) || !FastEq(r.all[i].value, refs[i].value))
      return false;
  }
  return true;
}

ResultLabels LabelsBuilder::Build(const std::vector<Ref>& refs, bool categorized) {
  ResultLabels r;
  r.all.reserve(refs.size());
  for (const auto& ref : refs) {
    Label l{std::string(ref.name), std::string(ref.value)};
    if (categorized) {
      switch (ref.cat) {
        case LabelCategory::kStream:
          r.stream.push_back(l);
          break;
        case LabelCategory::kMetadata:
          r.structured_metadata.push_back(l);
          break;
        case LabelCategory::kParsed:
          r.parsed.push_back(l);
          break;
      }
    }
    r.all.push_back(std::move(l));
  }
  if (!categorized) r.stream = r.all;
  r.hash = HashLabels(r.all);
  return r;
}

const ResultLabels& LabelsBuilder::Intern(Cache* cache, bool categorized) {
  if (cache->last != nullptr && Equal(*cache->last, refs_)) return *cache->last;
  const uint64_t h = KeyHash(refs_);
  auto it = cache->map.find(h);
  if (it != cache->map.end()) {
    for (const auto& r : it->second) {
      if (Equal(*r, refs_)) {
        cache->last = r.get();
        return *r;
      }
    }
  }
  auto& bucket = cache->map[h];
  bucket.push_back(std::make_unique<ResultLabels>(Build(refs_, categorized)));
  cache->last = bucket.back().get();
  return *cache->last;
}

const ResultLabels& LabelsBuilder::Result() {
  if (!HasDel() && !HasAdd() && !HasErr()) return *base_result_;
  CollectUnsorted();
  SortRefs();
  return Intern(&result_cache_, true);
}

bool LabelsBuilder::InGroups(const GroupingSpec& g, std::string_view name) const {
  return std::binary_search(g.groups.begin(), g.groups.end(), name,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

const ResultLabels& LabelsBuilder::GroupedResult(const GroupingSpec& g) {
  // An error must reach the result, so grouping is not applied then.
  if (HasErr()) return Result();
  if (g.no_labels) {
    if (empty_result_ == nullptr) {
      refs_.clear();
      empty_result_ = &Intern(&grouped_cache_, false);
    }
    return *empty_result_;
  }
  if (!HasDel() && !HasAdd()) {
    if (g.groups.empty()) return *base_result_;
    if (base_grouped_ == nullptr || base_grouped_spec_ != &g) {
      refs_.clear();
      for (const auto& l : base_) {
        if (InGroups(g, l.name) != g.without) {
          refs_.push_back({l.name, l.value, LabelCategory::kStream});
        }
      }
      base_grouped_ = &Intern(&grouped_cache_, false);
      base_grouped_spec_ = &g;
    }
    return *base_grouped_;
  }
  if (g.groups.empty()) return Result();
  refs_.clear();
  if (g.without) {
    for (const auto& l : base_) {
      if (IsDeleted(l.name) || InGroups(g, l.name)) continue;
      bool added = false;
      for (const auto& list : add_) added = added || list.Find(l.name) >= 0;
      if (added) continue;
      refs_.push_back({l.name, l.value, LabelCategory::kStream});
    }
    sorted_prefix_ = refs_.size();
    for (const auto& list : add_) {
      for (size_t i = 0; i < list.n; ++i) {
        if (InGroups(g, list.slots[i].name)) continue;
        refs_.push_back({list.slots[i].name, list.slots[i].value, LabelCategory::kStream});
      }
    }
    SortRefs();
  } else {
    for (const auto& name : g.groups) {
      if (IsDeleted(name)) continue;
      bool found = false;
      for (const auto& list : add_) {
        int i = list.Find(name);
        if (i >= 0) {
          refs_.push_back({list.slots[static_cast<size_t>(i)].name,
                           list.slots[static_cast<size_t>(i)].value, LabelCategory::kStream});
          found = true;
          break;
        }
      }
      if (found) continue;
      std::string_view v;
      auto it = std::lower_bound(base_.begin(), base_.end(), name,
                                 [](const Label& l, std::string_view n) { return l.name < n; });
      if (it != base_.end() && it->name == name) {
        v = it->value;
        refs_.push_back({it->name, v, LabelCategory::kStream});
      }
    }
  }
  return Intern(&grouped_cache_, false);
}

}  // namespace lode::logql
