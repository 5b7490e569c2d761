// Turning OTLP attribute names and values into Loki label names and strings
// exactly as Loki 3 does (pdata's Value.AsString, otlptranslator's
// LabelNamer): used by the mapping in otlp.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/otlp_logs.h"

namespace lode::ingest {

// Bump allocator for the strings a mapping creates (numbers, hex ids,
// sanitised names, JSON of nested values). Views stay valid for the life of
// the arena. Not thread-safe.
class OtlpArena {
 public:
  std::string_view Copy(std::string_view s);
  char* Alloc(size_t n);

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* p_ = nullptr;
  size_t left_ = 0;
};

// otlptranslator.LabelNamer{}.Build (Loki 3.7): every run of characters
// other than [A-Za-z0-9] becomes one '_', `__x__` keeps its underscores
// around the sanitised inner part, a leading digit gets "key_". Returns
// false with *error set for an empty name or one of underscores only.
// *out is `name` itself when nothing changes, else a copy in *arena.
bool SanitizeLabelName(std::string_view name, OtlpArena* arena, std::string_view* out,
                       std::string* error);

// pdata Value.AsString(): strings as they are, booleans and integers in Go's
// formatting, doubles as ES6 numbers, bytes as standard base64, arrays and
// kvlists as Go's encoding/json would marshal them (sorted keys, HTML-safe
// escaping).
std::string_view ValueAsString(const OtlpLogs& logs, const OtlpValue& v, OtlpArena* arena);

// Go's strconv.FormatInt(v, 10) into the arena (small values are static).
std::string_view IntString(int64_t v, OtlpArena* arena);

// Lower-case hex of raw bytes.
std::string_view HexString(std::string_view raw, OtlpArena* arena);

}  // namespace lode::ingest
