// LogQL syntax highlighting: a small tokenizer producing HTML for the
// editor's overlay. Token classes: str, num, dur, kw, fn, op, lbl, cmt, punc.

const KEYWORDS = new Set(['json', 'logfmt', 'regexp', 'pattern', 'unpack', 'line_format', 'label_format',
  'drop', 'keep', 'decolorize', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset',
  'bool', 'unwrap', 'ip', 'and', 'or', 'unless', 'duration', 'duration_seconds', 'bytes']);
const FUNCTIONS = new Set(['rate', 'count_over_time', 'bytes_over_time', 'bytes_rate', 'rate_counter',
  'avg_over_time', 'sum_over_time', 'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time',
  'quantile_over_time', 'first_over_time', 'last_over_time', 'absent_over_time', 'sum', 'avg', 'min', 'max',
  'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'sort', 'sort_desc', 'label_replace', 'vector', 'approx_topk']);

const RULES = [
  ['cmt', /#[^\n]*/y],
  ['str', /"(?:[^"\\\n]|\\.)*"?|`[^`]*`?/y],
  ['dur', /\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y)(?:\d+(?:ns|us|µs|ms|s|m|h|d|w|y))*/y],
  ['num', /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y],
  ['op', /\|=|\|~|!=|!~|=~|==|>=|<=|\|>|!>|[|=<>+\-*/%^]/y],
  ['id', /[A-Za-z_][A-Za-z0-9_.]*/y],
  ['punc', /[{}()[\],]/y],
  ['ws', /\s+/y],
];

// [{type, text, start}] covering all of `src`.
export function tokenize(src) {
  const out = [];
  let i = 0;
  while (i < src.length) {
    let matched = false;
    for (const [type, re] of RULES) {
      re.lastIndex = i;
      const m = re.exec(src);
      if (m && m[0].length) {
        out.push({ type, text: m[0], start: i });
        i += m[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) out.push({ type: 'other', text: src[i], start: i++ });
  }
  // Identifiers: keyword, function, or a label name (followed by a matcher).
  for (let k = 0; k < out.length; k++) {
    const t = out[k];
    if (t.type !== 'id') continue;
    let n = k + 1;
    while (n < out.length && out[n].type === 'ws') n++;
    const next = out[n];
    if (FUNCTIONS.has(t.text) && next && (next.text === '(' || next.text === 'by' || next.text === 'without')) t.type = 'fn';
    else if (KEYWORDS.has(t.text)) t.type = 'kw';
    else if (next && next.type === 'op' && /^(=|!=|=~|!~|==|>=|<=|>|<)$/.test(next.text)) t.type = 'lbl';
  }
  return out;
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// HTML for the overlay; `errorAt` (an offset or -1) gets a wavy underline.
export function toHtml(src, errorAt = -1) {
  let html = '';
  for (const t of tokenize(src)) {
    const end = t.start + t.text.length;
    if (errorAt >= t.start && errorAt < end) {
      const a = errorAt - t.start;
      html += span(t.type, t.text.slice(0, a)) + `<mark class="err">${esc(t.text[a])}</mark>` + span(t.type, t.text.slice(a + 1));
    } else {
      html += span(t.type, t.text);
    }
  }
  if (errorAt >= src.length && errorAt >= 0) html += '<mark class="err"> </mark>';
  return html + '\n';
}

function span(type, text) {
  if (!text) return '';
  return type === 'ws' || type === 'id' || type === 'other' ? esc(text) : `<span class="t-${type}">${esc(text)}</span>`;
}
