// Label sets and label matchers, shared by ingest, storage and logql.
//
// A Labels value is a vector of (name, value) pairs sorted by name with unique
// names; this is the canonical form of a stream's identity. The string form
// is Prometheus/Loki's `{a="1", b="2"}` with Go-style escaping of values.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace re2 {
class RE2;
}

namespace lode {

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label& o) const { return name == o.name && value == o.value; }
  bool operator<(const Label& o) const {
    return name < o.name || (name == o.name && value < o.value);
  }
};

// A non-owning label; views are valid as long as the storage they point into.
struct LabelView {
  std::string_view name;
  std::string_view value;
};

using Labels = std::vector<Label>;

// Sorts by name. Does not remove duplicates.
void SortLabels(Labels* ls);

// `{a="1", b="2"}`; an empty set prints as `{}`. Values are escaped as Go's
// strconv.Quote does (\\, \", \n, \t, ...), which is what Loki returns.
std::string LabelsToString(const Labels& ls);

// Go strconv.Quote of s (with the surrounding quotes).
std::string GoQuote(std::string_view s);

// 64-bit hash of a sorted label set (stable across runs: used in keys).
uint64_t HashLabels(const Labels& ls);

// True when name matches [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidLabelName(std::string_view name);

// Parses a Prometheus-style label string `{a="1", b=~"x"}` with only `=`
// matchers allowed, as a push's stream label string. The result is sorted.
// Errors (malformed text, invalid or duplicate names, no labels) are returned
// with Loki's wording, e.g. `error parsing labels: ...` is left to the caller.
Status ParseLabels(std::string_view text, Labels* out);

// Returns the value of `name`, or nullptr.
const std::string* FindLabel(const Labels& ls, std::string_view name);

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

// One `name op "value"` matcher of a stream selector or a label filter.
// Regular expressions are fully anchored, as in Prometheus and Loki. A
// LabelMatcher is immutable after Create and safe to share across threads.
class LabelMatcher {
 public:
  // Compiles the regex when type is a regex match. Error message for a bad
  // regex reads like Go's: "error parsing regexp: missing closing ): `(unclosed`".
  static Status Create(MatchType type, std::string name, std::string value,
                       std::shared_ptr<LabelMatcher>* out);

  bool Matches(std::string_view v) const;
  // True when this matcher matches the empty string (a missing label).
  bool MatchesEmpty() const { return matches_empty_; }

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  // `name="value"` / `name=~"value"` ...
  std::string ToString() const;

  LabelMatcher(MatchType t, std::string n, std::string v);
  ~LabelMatcher();

 private:
  MatchType type_;
  std::string name_;
  std::string value_;
  std::unique_ptr<re2::RE2> re_;
  // Fast paths for common regexes: a literal alternation `a|b|c` or `.*`/`.+`.
  std::vector<std::string> literal_set_;
  bool literal_only_ = false;
  int any_kind_ = 0;  // 1: ".*", 2: ".+"
  bool matches_empty_ = false;
};

using MatcherPtr = std::shared_ptr<LabelMatcher>;

}  // namespace lode
