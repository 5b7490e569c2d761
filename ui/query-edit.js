// Edits of a LogQL query's text made by the filter buttons: a label
// matcher goes into the (first) stream selector, a structured-metadata or
// parsed field becomes a label filter stage, a line becomes a `!=` filter.

const quote = (s) => JSON.stringify(String(s));

// The [start, end) of the first {...} selector outside strings, or null.
export function selectorSpan(q) {
  let inStr = null;
  let open = -1;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (inStr) {
      if (c === '\\' && inStr === '"') i++;
      else if (c === inStr) inStr = null;
    } else if (c === '"' || c === '`') inStr = c;
    else if (c === '{' && open < 0) open = i;
    else if (c === '}' && open >= 0) return [open, i + 1];
  }
  return null;
}

export function addLabelMatcher(q, key, op, value) {
  const span = selectorSpan(q);
  const m = `${key}${op}${quote(value)}`;
  if (!span) return `{${m}}${q ? ' ' + q : ''}`;
  const inner = q.slice(span[0] + 1, span[1] - 1).trim();
  if (inner.split(',').map((s) => s.trim()).includes(m)) return q;
  return q.slice(0, span[0]) + `{${inner ? inner + ', ' : ''}${m}}` + q.slice(span[1]);
}

// Appends a pipeline stage to a log query (metric queries are left alone).
export function addStage(q, stage) {
  return `${q.trimEnd()} ${stage}`;
}

export function replaceSelector(q, selector) {
  const span = selectorSpan(q);
  return span ? q.slice(0, span[0]) + selector + q.slice(span[1]) : selector;
}

// The query after clicking a filter button (dataset of the button):
// kind label|meta|parsed|line, key, value, op (= or !=), parser (json|logfmt
// when the field was parsed in the browser and the query has no parser yet).
export function applyFilter(q, { kind, key, value, op, parser }) {
  if (kind === 'label') return addLabelMatcher(q, key, op, value);
  if (kind === 'line') return addStage(q, `!= ${quote(value)}`);
  let out = q;
  if (parser && !new RegExp(`\\|\\s*${parser}\\b`).test(q)) out = addStage(out, `| ${parser}`);
  return addStage(out, `| ${key}${op}${quote(value)}`);
}
