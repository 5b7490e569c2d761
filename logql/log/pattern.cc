#include "logql/log/pattern.h"

#include <set>

namespace lode::logql {

namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdent(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// Index of `lit` in `s` (memmem semantics; empty lit matches at 0).
size_t Find(std::string_view s, std::string_view lit) { return s.find(lit); }

}  // namespace

Status Pattern::Parse(std::string_view src, std::vector<Node>* nodes) {
  if (src.empty()) {
    return Status::InvalidArgument(
        "parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or "
        "LITERAL");
  }
  size_t i = 0;
  while (i < src.size()) {
    if (src[i] == '<' && i + 1 < src.size() && IsIdentStart(src[i + 1])) {
      size_t j = i + 2;
      while (j < src.size() && IsIdent(src[j])) ++j;
      if (j < src.size() && src[j] == '>') {
        Node n;
        n.capture = true;
        n.text.assign(src.substr(i + 1, j - i - 1));
        n.named = n.text != "_";
        nodes->push_back(std::move(n));
        i = j + 1;
        continue;
      }
    }
    if (nodes->empty() || nodes->back().capture) nodes->push_back(Node{});
    nodes->back().text.push_back(src[i]);
    ++i;
  }
  return Status::OK();
}

Status Pattern::ParseParser(std::string_view src, std::unique_ptr<Pattern>* out) {
  auto p = std::make_unique<Pattern>();
  LODE_RETURN_IF_ERROR(Parse(src, &p->nodes_));
  for (const auto& n : p->nodes_)
    if (n.capture && n.named) p->names_.push_back(n.text);
  if (p->names_.empty()) return Status::InvalidArgument("at least one capture is required");
  for (size_t i = 0; i + 1 < p->nodes_.size(); ++i) {
    if (p->nodes_[i].capture && p->nodes_[i + 1].capture) {
      return Status::InvalidArgument("found consecutive capture '<" + p->nodes_[i].text + "><" +
                                     p->nodes_[i + 1].text + ">': invalid expression");
    }
  }
  std::set<std::string> seen;
  for (const auto& name : p->names_) {
    if (!seen.insert(name).second) {
      return Status::InvalidArgument("duplicate capture name (" + name + "): invalid expression");
    }
  }
  *out = std::move(p);
  return Status::OK();
}

Status Pattern::ParseLineFilter(std::string_view src, std::unique_ptr<Pattern>* out) {
  auto p = std::make_unique<Pattern>();
  if (!src.empty()) {
    LODE_RETURN_IF_ERROR(Parse(src, &p->nodes_));
    for (size_t i = 0; i + 1 < p->nodes_.size(); ++i) {
      if (p->nodes_[i].capture && p->nodes_[i + 1].capture) {
        return Status::InvalidArgument("found consecutive capture '<" + p->nodes_[i].text + "><" +
                                       p->nodes_[i + 1].text + ">': invalid expression");
      }
    }
    for (const auto& n : p->nodes_) {
      if (n.capture && n.named) {
        return Status::InvalidArgument("named captures are not allowed: found '<" + n.text + ">'");
      }
    }
  }
  *out = std::move(p);
  return Status::OK();
}

void Pattern::Matches(std::string_view in, std::vector<std::string_view>* captures) const {
  captures->clear();
  if (in.empty() || nodes_.empty()) return;
  size_t e = 0;
  if (!nodes_[0].capture) {
    if (in.substr(0, nodes_[0].text.size()) != nodes_[0].text) return;
    in.remove_prefix(nodes_[0].text.size());
    e = 1;
  }
  if (e == nodes_.size()) return;
  // From here: capture, literal, capture, ... (literal)?
  while (e < nodes_.size()) {
    const Node& capt = nodes_[e];
    if (e + 1 == nodes_.size()) {  // ending on a capture
      if (capt.named) captures->push_back(in);
      return;
    }
    const Node& lit = nodes_[e + 1];
    e += 2;
    size_t i = Find(in, lit.text);
    if (i == std::string_view::npos) {
      // A missed literal makes the capture run to the end of the line.
      if (capt.named) captures->push_back(in);
      return;
    }
    if (capt.named) captures->push_back(in.substr(0, i));
    in.remove_prefix(i + lit.text.size());
  }
}

bool Pattern::Test(std::string_view in) const {
  if (in.empty() || nodes_.empty()) return in.empty() && nodes_.empty();
  size_t off = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].capture) continue;
    size_t j = Find(in.substr(off), nodes_[i].text);
    if (j == std::string_view::npos) return false;
    // Repeated literals or an empty capture: no match.
    if (i != 0 && j == 0) return false;
    off += j + nodes_[i].text.size();
  }
  const bool req_rem = nodes_.back().capture;
  const bool has_rem = off != in.size();
  return req_rem == has_rem;
}

}  // namespace lode::logql
