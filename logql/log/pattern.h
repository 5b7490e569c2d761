// Loki's pattern expressions (pkg/logql/log/pattern): alternating literals
// and captures, e.g. `<ip> - - [<_>] "<method> <path> <_>"`.
//
// A capture is `<` identifier `>` (identifier: [A-Za-z_][A-Za-z0-9_]*);
// `<_>` is unnamed. Every other byte is literal. Used by the `| pattern`
// parser (named captures become labels) and by the `|>` / `!>` line
// filters (only `<_>` allowed; the whole line must match). A Pattern is
// immutable and thread-safe; matching does not allocate.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace lode::logql {

class Pattern {
 public:
  // For the `| pattern` parser: needs at least one named capture, no two
  // adjacent captures, unique names. Errors read like Loki's
  // ("at least one capture is required", "found consecutive capture '<a><b>':
  // invalid expression", "duplicate capture name (a): invalid expression").
  static Status ParseParser(std::string_view src, std::unique_ptr<Pattern>* out);

  // For `|>` / `!>`: no adjacent captures, no named captures
  // ("named captures are not allowed: found '<a>'"); an empty pattern only
  // matches the empty line.
  static Status ParseLineFilter(std::string_view src, std::unique_ptr<Pattern>* out);

  // Loki's Matcher.Matches: fills *captures with the named captures found,
  // in order (fewer when the line ends early, none when the leading literal
  // does not match).
  void Matches(std::string_view line, std::vector<std::string_view>* captures) const;

  // Loki's Matcher.Test: whether the whole line matches (line filters).
  bool Test(std::string_view line) const;

  const std::vector<std::string>& names() const { return names_; }

 private:
  struct Node {
    bool capture = false;
    bool named = false;  // capture other than <_>
    std::string text;    // literal bytes or capture name
  };
  static Status Parse(std::string_view src, std::vector<Node>* nodes);

  std::vector<Node> nodes_;
  std::vector<std::string> names_;
};

}  // namespace lode::logql
