#include "logql/log/json_parser.h"

#include <cstdint>

#include "base/utf8.h"
#include "logql/log/json_scan.h"

namespace lode::logql {

// ---------------------------------------------------------------------------
// Label key sanitising and UTF-8 repair (shared with the other parsers)
// ---------------------------------------------------------------------------

namespace {

bool IsUnicodeSpace(uint32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

std::string_view TrimUnicodeSpace(std::string_view s) {
  while (!s.empty()) {
    size_t w;
    uint32_t r = DecodeRune(s, 0, &w);
    if (!IsUnicodeSpace(r)) break;
    s.remove_prefix(w);
  }
  while (!s.empty()) {
    // Find the start of the last rune (at most 4 bytes back).
    size_t start = s.size() - 1;
    size_t lim = s.size() >= 4 ? s.size() - 4 : 0;
    while (start > lim && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t w;
    uint32_t r = DecodeRune(s, start, &w);
    if (start + w != s.size()) {
      r = kRuneError;  // invalid tail byte: a single RuneError
      start = s.size() - 1;
    }
    if (!IsUnicodeSpace(r)) break;
    s.remove_suffix(s.size() - start);
  }
  return s;
}

void AppendMappedRunes(std::string_view key, std::string* to) {
  for (size_t i = 0; i < key.size();) {
    const char c = key[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
      to->push_back(ok ? c : '_');
      ++i;
      continue;
    }
    size_t w;
    DecodeRune(key, i, &w);
    to->push_back('_');
    i += w;
  }
}

// Loki's appendSanitized: a leading digit gets `_` only at the start.
void AppendSanitized(std::string_view key, std::string* to) {
  key = TrimUnicodeSpace(key);
  if (key.empty()) return;
  if (to->empty() && key[0] >= '0' && key[0] <= '9') to->push_back('_');
  AppendMappedRunes(key, to);
}

}  // namespace

void SanitizeLabelKey(std::string_view key, std::string* out) {
  // Fast path: already a valid label name.
  bool valid = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
  for (size_t i = 0; valid && i < key.size(); ++i) {
    const char c = key[i];
    valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
  }
  if (valid) {
    out->assign(key.data(), key.size());
    return;
  }
  out->clear();
  AppendSanitized(key, out);
}

// ---------------------------------------------------------------------------
// Shared value decoding
// ---------------------------------------------------------------------------

namespace {

// unescapeJSONString: unescapes a string value ("" on a bad escape) and
// replaces invalid UTF-8 by spaces.
std::string_view UnescapeValue(std::string_view raw, std::string* buf, std::string* buf2) {
  std::string_view v;
  if (!json::Unescape(raw, buf, &v)) return {};
  return ReplaceInvalidUtf8(v, buf2);
}

// ---------------------------------------------------------------------------
// | json
// ---------------------------------------------------------------------------

struct JsonState : StageState {
  std::string prefix;
  std::string key;
  std::vector<std::string> key_bufs;
  std::string value_buf, value_buf2;
  LabelsBuilder* lbs = nullptr;
};

class JsonVisitor : public json::MemberVisitor {
 public:
  explicit JsonVisitor(JsonState* st) : st_(st) {}

  const char* Parse(std::string_view obj, int depth) {
    if (st_->key_bufs.size() <= static_cast<size_t>(depth)) {
      st_->key_bufs.resize(static_cast<size_t>(depth) + 1);
    }
    return json::ObjectEach(obj, this, &st_->key_bufs[static_cast<size_t>(depth)], depth);
  }

  const char* Visit(std::string_view key, const json::Value& v, int depth) override {
    switch (v.type) {
      case json::Type::kString:
      case json::Type::kNumber:
      case json::Type::kBoolean:
        LabelValue(key, v);
        return nullptr;
      case json::Type::kObject: {
        const size_t plen = st_->prefix.size();
        if (!st_->prefix.empty()) st_->prefix.push_back('_');
        AppendSanitized(key, &st_->prefix);
        const char* err = Parse(v.raw, depth + 1);
        st_->prefix.resize(plen);
        return err;
      }
      default:
        return nullptr;
    }
  }

 private:
  void LabelValue(std::string_view key, const json::Value& v) {
    std::string& name = st_->key;
    if (st_->prefix.empty()) {
      SanitizeLabelKey(key, &name);
    } else {
      name.assign(st_->prefix);
      name.push_back('_');
      AppendSanitized(key, &name);
    }
    if (!st_->lbs->ResolveParsedName(&name)) return;
    std::string_view value;
    switch (v.type) {
      case json::Type::kString:
        value = UnescapeValue(v.raw, &st_->value_buf, &st_->value_buf2);
        break;
      case json::Type::kBoolean:
        value = v.raw == "true" ? "true" : "false";
        break;
      default:
        value = v.raw;
        break;
    }
    st_->lbs->SetResolvedParsed(name, value);
  }

  JsonState* st_;
};

class JsonStage : public LogStage {
 public:
  std::unique_ptr<StageState> NewState() const override { return std::make_unique<JsonState>(); }

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs,
               StageState* state) const override {
    auto* st = static_cast<JsonState*>(state);
    st->prefix.clear();
    st->lbs = lbs;
    JsonVisitor visitor(st);
    if (const char* err = visitor.Parse(*line, 0)) {
      lbs->SetErr(kErrJSON);
      lbs->SetErrDetails(err);
    }
    return true;
  }
};

// ---------------------------------------------------------------------------
// | json a="path", ...
// ---------------------------------------------------------------------------

struct JsonExprParam {
  std::string label;
  std::vector<std::string> path;
};

// Finds the value at `path` in the JSON text `data`.
bool FindPath(std::string_view data, const std::vector<std::string>& path, size_t depth,
              std::string* key_buf, json::Value* out) {
  json::Value cur;
  if (json::GetValue(data, 0, &cur) != nullptr) return false;
  if (depth == path.size()) {
    *out = cur;
    return true;
  }
  const std::string& elem = path[depth];
  if (elem.size() >= 3 && elem.front() == '[' && elem.back() == ']') {
    if (cur.type != json::Type::kArray) return false;
    size_t idx = 0;
    for (size_t i = 1; i + 1 < elem.size(); ++i)
      idx = idx * 10 + static_cast<size_t>(elem[i] - '0');
    size_t n = 0;
    json::Value found;
    bool ok = false;
    json::ArrayEach(cur.raw, [&](const json::Value& v) {
      if (n++ == idx) {
        found = v;
        ok = true;
        return false;
      }
      return true;
    });
    if (!ok) return false;
    std::string_view sub = found.type == json::Type::kString
                               ? std::string_view(found.raw.data() - 1, found.raw.size() + 2)
                               : found.raw;
    return FindPath(sub, path, depth + 1, key_buf, out);
  }
  if (cur.type != json::Type::kObject) return false;
  struct Finder : json::MemberVisitor {
    std::string_view want;
    json::Value found;
    bool ok = false;
    const char* Visit(std::string_view key, const json::Value& v, int) override {
      if (key == want) {
        found = v;
        ok = true;
        return "stop";
      }
      return nullptr;
    }
  } finder;
  finder.want = elem;
  json::ObjectEach(cur.raw, &finder, key_buf, 0);
  if (!finder.ok) return false;
  std::string_view sub =
      finder.found.type == json::Type::kString
          ? std::string_view(finder.found.raw.data() - 1, finder.found.raw.size() + 2)
          : finder.found.raw;
  return FindPath(sub, path, depth + 1, key_buf, out);
}

struct JsonExprState : StageState {
  std::string key_buf, key, value_buf, value_buf2;
};

class JsonExprStage : public LogStage {
 public:
  explicit JsonExprStage(std::vector<JsonExprParam> params) : params_(std::move(params)) {}

  std::unique_ptr<StageState> NewState() const override {
    return std::make_unique<JsonExprState>();
  }

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs,
               StageState* state) const override {
    auto* st = static_cast<JsonExprState*>(state);
    if (line->empty()) return true;
    const char c0 = (*line)[0];
    if (c0 != '"' && c0 != '{' && c0 != '[') {
      lbs->SetErr(kErrJSON);
      return true;
    }
    for (const auto& p : params_) {
      json::Value v;
      if (!FindPath(*line, p.path, 0, &st->key_buf, &v)) continue;
      st->key.assign(p.label);
      if (lbs->BaseHas(st->key)) st->key.append(kExtractedSuffix);
      std::string_view value;
      switch (v.type) {
        case json::Type::kNull:
          break;
        case json::Type::kObject:
          value = v.raw;
          break;
        default:
          value = UnescapeValue(v.raw, &st->value_buf, &st->value_buf2);
          break;
      }
      lbs->Set(LabelCategory::kParsed, st->key, value);
    }
    for (const auto& p : params_) {
      std::string_view unused;
      if (!lbs->Get(p.label, &unused)) lbs->Set(LabelCategory::kParsed, p.label, "");
    }
    return true;
  }

 private:
  std::vector<JsonExprParam> params_;
};

// ---------------------------------------------------------------------------
// | unpack
// ---------------------------------------------------------------------------

struct UnpackState : StageState {
  std::string key_buf, entry_buf, name;
  std::vector<std::string> names, values;
  size_t n = 0;
  std::string_view entry;
  bool packed = false;
  LabelsBuilder* lbs = nullptr;
  std::string value_buf, value_buf2;
};

class UnpackVisitor : public json::MemberVisitor {
 public:
  explicit UnpackVisitor(UnpackState* st) : st_(st) {}
  const char* Visit(std::string_view key, const json::Value& v, int) override {
    if (v.type != json::Type::kString) return nullptr;
    if (key == "_entry") {
      std::string_view unesc;
      if (!json::Unescape(v.raw, &st_->entry_buf, &unesc)) return json::kMalformedStringEscape;
      if (unesc.data() != st_->entry_buf.data()) st_->entry_buf.assign(unesc);
      st_->entry = st_->entry_buf;
      st_->packed = true;
      return nullptr;
    }
    std::string& field = st_->name;
    field.assign(key);
    if (st_->lbs->BaseHas(field) || st_->lbs->HasMetadata(field)) field.append(kExtractedSuffix);
    if (st_->n == st_->names.size()) {
      st_->names.emplace_back();
      st_->values.emplace_back();
    }
    SanitizeLabelKey(field, &st_->names[st_->n]);
    std::string_view value = UnescapeValue(v.raw, &st_->value_buf, &st_->value_buf2);
    st_->values[st_->n].assign(value);
    ++st_->n;
    return nullptr;
  }

 private:
  UnpackState* st_;
};

class UnpackStage : public LogStage {
 public:
  std::unique_ptr<StageState> NewState() const override { return std::make_unique<UnpackState>(); }

  bool Process(int64_t, std::string_view* line, LabelsBuilder* lbs,
               StageState* state) const override {
    auto* st = static_cast<UnpackState*>(state);
    if (line->empty()) return true;
    if ((*line)[0] != '{') {
      lbs->SetErr(kErrJSON);
      lbs->SetErrDetails("expecting json object(6), but it is not");
      return true;
    }
    st->n = 0;
    st->packed = false;
    st->lbs = lbs;
    UnpackVisitor visitor(st);
    if (const char* err = json::ObjectEach(*line, &visitor, &st->key_buf, 0)) {
      lbs->SetErr(kErrJSON);
      lbs->SetErrDetails(err);
      return true;
    }
    if (!st->packed) return true;
    for (size_t i = 0; i < st->n; ++i) {
      // The suffix was decided on the raw key, as Loki does; first value wins.
      if (st->names[i].empty() || lbs->Extracted(st->names[i]) || !lbs->PassesHints(st->names[i])) {
        continue;
      }
      lbs->Set(LabelCategory::kParsed, st->names[i], st->values[i]);
    }
    *line = st->entry;
    return true;
  }
};

}  // namespace

// ---------------------------------------------------------------------------
// Path expressions: a.b, l[0], h["User-Agent"]
// ---------------------------------------------------------------------------

bool ParseJsonPath(std::string_view expr, std::vector<std::string>* path, std::string* err) {
  enum Tok { kEnd, kLsb, kRsb, kDot, kField, kString, kIndex, kError };
  size_t i = 0;
  std::string text;
  auto lex = [&]() -> Tok {
    while (i < expr.size() && (expr[i] == ' ' || expr[i] == '\t' || expr[i] == '\n')) ++i;
    if (i >= expr.size() || expr[i] == '\0') return kEnd;
    char c = expr[i];
    if (c >= '0' && c <= '9') {
      text.clear();
      while (i < expr.size()) {
        char d = expr[i];
        if (d == '.' && !text.empty()) {
          *err = "cannot use float as array index";
          return kError;
        }
        if (d == ' ' || d == '\t' || d == '\n' || d == '.' || d == ']') break;
        if (d < '0' || d > '9') {
          *err = std::string("non-integer value: ") + d;
          return kError;
        }
        text.push_back(d);
        ++i;
      }
      return kIndex;
    }
    ++i;
    switch (c) {
      case '[':
        return kLsb;
      case ']':
        return kRsb;
      case '.':
        return kDot;
      case '"':
        text.clear();
        while (i < expr.size() && expr[i] != '"' && expr[i] != ']' && expr[i] != '\0') {
          text.push_back(expr[i++]);
        }
        if (i < expr.size()) ++i;  // the closing quote or bracket is consumed
        return kString;
      default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
          text.assign(1, c);
          while (i < expr.size()) {
            char d = expr[i];
            if (!((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || d == '_' ||
                  (d >= '0' && d <= '9'))) {
              break;
            }
            text.push_back(d);
            ++i;
          }
          return kField;
        }
        *err = std::string("unexpected char ") + c;
        return kError;
    }
  };
  auto syntax = [&](const char* what) {
    *err = std::string("syntax error: ") + what;
    return false;
  };
  path->clear();
  // Bracketed access: `[` (STRING | INDEX) `]`.
  auto bracket = [&]() -> bool {
    Tok t = lex();
    if (t == kError) return false;
    if (t == kString) {
      path->push_back(text);
    } else if (t == kIndex) {
      std::string idx(1, '[');
      idx.append(std::to_string(std::stoll(text.substr(0, 18))));
      idx.push_back(']');
      path->push_back(std::move(idx));
    } else {
      return syntax("unexpected token, expecting INDEX or STRING");
    }
    t = lex();
    if (t == kError) return false;
    if (t != kRsb) return syntax("unexpected token, expecting RSB");
    return true;
  };
  Tok t = lex();
  if (t == kField) {
    path->push_back(text);
  } else if (t == kLsb) {
    if (!bracket()) return false;
  } else if (t == kError) {
    return false;
  } else {
    return syntax("unexpected token, expecting FIELD or LSB");
  }
  while (true) {
    t = lex();
    if (t == kEnd) return true;
    if (t == kError) return false;
    if (t == kLsb) {
      if (!bracket()) return false;
    } else if (t == kDot) {
      t = lex();
      if (t == kError) return false;
      if (t != kField) return syntax("unexpected token, expecting FIELD");
      path->push_back(text);
    } else {
      return syntax("unexpected token");
    }
  }
}

Status NewJsonStage(const ParserStage& p, LogStagePtr* out) {
  if (p.params.empty()) {
    *out = std::make_unique<JsonStage>();
    return Status::OK();
  }
  std::vector<JsonExprParam> params;
  for (const auto& e : p.params) {
    JsonExprParam jp;
    std::string err;
    if (!ParseJsonPath(e.expr, &jp.path, &err)) {
      return Status::InvalidArgument("cannot parse expression [" + e.expr + "]: " + err);
    }
    if (!IsValidLabelName(e.label)) {
      return Status::InvalidArgument("invalid extracted label name '" + e.label + "'");
    }
    jp.label = e.label;
    params.push_back(std::move(jp));
  }
  *out = std::make_unique<JsonExprStage>(std::move(params));
  return Status::OK();
}

LogStagePtr NewUnpackStage() { return std::make_unique<UnpackStage>(); }

}  // namespace lode::logql
