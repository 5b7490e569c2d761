// Formatting stages: `| line_format "..."`, `| label_format a=b, c="..."`
// and `| decolorize` (pkg/logql/log/fmt.go).
//
// line_format renders a Go template over the current labels (including
// `__error__` when set) and replaces the line; a template runtime error
// keeps the line and sets __error__=TemplateFormatErr with the error text.
//
// label_format applies its items in order. `dst=src` renames: the value of
// src moves to dst in src's category and src is deleted. `dst="{{...}}"`
// sets a parsed label from a template; all templates of one stage see the
// same snapshot of the labels, taken before the first template runs.
//
// decolorize removes ANSI escape sequences (the stripansi pattern).
#pragma once

#include "base/status.h"
#include "logql/log/log_stage.h"
#include "logql/syntax/ast.h"

namespace lode::logql {

// Errors: "invalid line template: template: line:1: ...".
Status NewLineFormatStage(const LineFormatStage& f, LogStagePtr* out);

// Errors: "__error__ cannot be formatted", "multiple label name 'x' not
// allowed in a single format operation", "invalid template for label 'x':
// template: label:1: ...".
Status NewLabelFormatStage(const LabelFormatStage& f, LogStagePtr* out);

LogStagePtr NewDecolorizeStage();

}  // namespace lode::logql
