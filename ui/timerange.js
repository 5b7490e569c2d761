// Time ranges: relative ("now-1h" .. "now") or absolute (ms since epoch),
// and formatting of timestamps in local time or UTC.

const UNITS = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

// ms for "now", "now-5m" or an epoch-ms number/string; NaN when invalid.
export function resolve(expr, now = Date.now()) {
  if (typeof expr === 'number') return expr;
  if (expr === 'now') return now;
  const m = /^now-(\d+)([smhdw])$/.exec(expr);
  if (m) return now - Number(m[1]) * UNITS[m[2]];
  return /^\d+$/.test(expr) ? Number(expr) : NaN;
}

export function isRelative(range) { return String(range.from).startsWith('now'); }

// {start, end} in ms.
export function bounds(range) {
  const now = Date.now();
  return { start: resolve(range.from, now), end: resolve(range.to, now) };
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

export function formatTime(ms, utc, withMs = true) {
  const d = new Date(ms);
  const g = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  const s = `${g[0]}-${pad(g[1])}-${pad(g[2])} ${pad(g[3])}:${pad(g[4])}:${pad(g[5])}`;
  return withMs ? `${s}.${pad(g[6], 3)}` : s;
}

// The value of a datetime-local input for ms, and back.
export function toInput(ms, utc) { return formatTime(ms, utc, false).replace(' ', 'T'); }
export function fromInput(v, utc) {
  if (!v) return NaN;
  return utc ? Date.parse(v + (v.length === 16 ? ':00Z' : 'Z')) : new Date(v).getTime();
}
