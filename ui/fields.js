// Client-side helpers for one log entry: its fields (JSON or logfmt) and
// its level, following Loki's detected_level rules closely enough to colour lines.

// {parser: "json"|"logfmt", fields} of a line; fields is {} when it has none.
export function parseFields(line) {
  const t = line.trimStart();
  if (t.startsWith('{')) {
    try {
      const o = JSON.parse(t);
      if (o && typeof o === 'object' && !Array.isArray(o)) return { parser: 'json', fields: flatten(o, '', {}) };
    } catch { /* not JSON: try logfmt */ }
  }
  return { parser: 'logfmt', fields: logfmt(line) };
}

function flatten(o, prefix, out) {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}_${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

// key=value pairs; values may be "quoted". Returns {} when the line has none.
export function logfmt(line) {
  const out = {};
  const re = /([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;
  let m;
  while ((m = re.exec(line))) out[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  return out;
}

const LEVELS = {
  trace: 'trace', debug: 'debug', dbg: 'debug', info: 'info', inf: 'info', information: 'info', notice: 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn', error: 'error', err: 'error', eror: 'error', crit: 'critical',
  critical: 'critical', fatal: 'fatal', panic: 'fatal', emerg: 'fatal', alert: 'critical',
};

export function normalizeLevel(v) { return LEVELS[String(v).toLowerCase()] || 'unknown'; }

// The level of an entry: a level label, structured metadata, parsed field,
// a level=/"level": field in the line, else a level keyword.
export function detectLevel(labels, meta, parsed, line) {
  for (const src of [labels, meta, parsed]) {
    if (!src) continue;
    for (const k of ['detected_level', 'level', 'lvl', 'severity', 'loglevel']) if (src[k]) return normalizeLevel(src[k]);
  }
  const m = /\b(?:level|lvl|severity)"?\s*[=:]\s*"?([A-Za-z]+)/i.exec(line);
  if (m) return normalizeLevel(m[1]);
  const k = /\b(TRACE|DEBUG|INFO|WARN(?:ING)?|ERROR|ERR|CRITICAL|FATAL|PANIC)\b/i.exec(line);
  return k ? normalizeLevel(k[1]) : 'unknown';
}

export const LEVEL_ORDER = ['critical', 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'unknown'];
