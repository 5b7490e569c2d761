#include "logql/step_evaluator.h"

#include <utility>

namespace lode::logql {

uint32_t LabelTable::Find(const Labels& ls, uint64_t hash) const {
  auto range = by_hash_.equal_range(hash);
  for (auto it = range.first; it != range.second; ++it) {
    if (sets_[it->second] == ls) return it->second;
  }
  return kNone;
}

uint32_t LabelTable::Intern(const Labels& ls) {
  uint64_t hash = HashLabels(ls);
  uint32_t id = Find(ls, hash);
  if (id != kNone) return id;
  id = static_cast<uint32_t>(sets_.size());
  sets_.push_back(ls);
  by_hash_.emplace(hash, id);
  return id;
}

uint32_t LabelTable::Intern(Labels&& ls) {
  uint64_t hash = HashLabels(ls);
  uint32_t id = Find(ls, hash);
  if (id != kNone) return id;
  id = static_cast<uint32_t>(sets_.size());
  sets_.push_back(std::move(ls));
  by_hash_.emplace(hash, id);
  return id;
}

}  // namespace lode::logql
