// A minimal streaming JSON writer for large responses (no DOM). Strings are
// escaped as Go's encoding/json does, with invalid UTF-8 replaced by U+FFFD,
// so any stored line can be returned.
#pragma once

#include <string>
#include <string_view>

#include "base/labels.h"

namespace lode::server {

void AppendJsonString(std::string* out, std::string_view s);

// {"a":"1","b":"2"}
void AppendLabelsObject(std::string* out, const Labels& ls);

}  // namespace lode::server
