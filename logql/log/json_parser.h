// JSON stages: `| json`, `| json a="x.y", b`, and `| unpack`
// (pkg/logql/log/parser.go: JSONParser, JSONExpressionParser, UnpackParser).
//
// The line is read in place by a hand-written scanner (logql/json_scan.h)
// that follows the acceptance rules of the jsonparser library Loki uses
// (lenient about number syntax and trailing bytes after the top-level object,
// strict about structure), so the same lines get __error__=JSONParserErr
// with the same details. Values are views into the line unless they need
// unescaping; nothing is allocated per line once buffers are warm.
//
// `| json`: every string, number and boolean becomes a label named by the
// sanitised key path joined with `_` (nested objects are flattened, arrays
// and nulls are skipped, numbers keep their source text). The first value of
// a key wins; a clash with a stream label or structured metadata gets the
// `_extracted` suffix. Labels found before a syntax error are kept.
//
// `| json a="x.y"`: each parameter reads one path (`a.b`, `l[0]`,
// `h["User-Agent"]`); a missing path yields an empty label.
//
// `| unpack`: string fields become labels and `_entry` replaces the line,
// only when the object has an `_entry` key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "logql/log/log_stage.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

// `| json` with or without parameters. Fails with "cannot parse expression
// [x[]: ..." for an invalid path, or "invalid extracted label name 'x'".
Status NewJsonStage(const ParserStage& p, LogStagePtr* out);

LogStagePtr NewUnpackStage();

// Parses a json parameter path into its elements; an array index is kept
// as "[N]". On failure *err holds the reason.
bool ParseJsonPath(std::string_view expr, std::vector<std::string>* path, std::string* err);

// Loki's sanitizeLabelKey(key, true): trims Unicode spaces, prefixes `_` to
// a leading digit and maps every rune outside [A-Za-z0-9_] to `_`.
void SanitizeLabelKey(std::string_view key, std::string* out);

}  // namespace lode::logql
