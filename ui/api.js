// The Loki HTTP API, as lode serves it. Every call sends the tenant
// (X-Scope-OrgID) when one is set and turns a non-2xx answer into an
// ApiError carrying Loki's text (e.g. "parse error at line 1, col 5: ...").

let tenant = '';

export function setTenant(t) { tenant = t.trim(); }
export function getTenant() { return tenant; }

export class ApiError extends Error {
  constructor(status, text) {
    super(text.trim() || `HTTP ${status}`);
    this.status = status;
  }
  // {line, col, message} (1-based) when this is a LogQL parse error.
  get position() {
    const m = /parse error at line (\d+), col (\d+): ?(.*)/s.exec(this.message);
    return m ? { line: Number(m[1]), col: Number(m[2]), message: m[3] } : null;
  }
}

async function get(path, params, signal) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
  const headers = { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' };
  if (tenant) headers['X-Scope-OrgID'] = tenant;
  const r = await fetch(u, { headers, signal });
  const text = await r.text();
  if (!r.ok) throw new ApiError(r.status, text);
  const body = JSON.parse(text);
  if (body.status && body.status !== 'success') throw new ApiError(r.status, body.error || text);
  return body;
}

// Times are milliseconds; Loki takes nanoseconds (as strings, since they exceed 2^53).
export const ns = (ms) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

export function queryRange(query, { start, end, endNs, limit, step, direction = 'backward' }, signal) {
  return get('/loki/api/v1/query_range', {
    query, start: ns(start), end: endNs ?? ns(end), limit, step, direction,
  }, signal);
}

export async function labels(start, end, signal) {
  return (await get('/loki/api/v1/labels', { start: ns(start), end: ns(end) }, signal)).data || [];
}

export async function labelValues(name, start, end, query, signal) {
  const path = `/loki/api/v1/label/${encodeURIComponent(name)}/values`;
  return (await get(path, { start: ns(start), end: ns(end), query }, signal)).data || [];
}

// The query Grafana's Explore runs for the logs volume of a log query:
// lines per step, by level and detected level.
export function volumeQuery(logQuery, stepSeconds) {
  return `sum by (level, detected_level) (count_over_time(${logQuery} | drop __error__[${stepSeconds}s]))`;
}

// A step (seconds) that gives about `points` buckets over [start, end] ms,
// rounded to a "nice" duration.
export function niceStep(start, end, points = 120) {
  const raw = Math.max(1, (end - start) / 1000 / points);
  const nice = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  return nice.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
}

// ws:// URL of the live tail. Browsers cannot set headers on a WebSocket, so
// the tenant goes in the query string (lode accepts it there for upgrades).
export function tailUrl(query, startMs, limit) {
  const u = new URL('/loki/api/v1/tail', location.origin);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('query', query);
  u.searchParams.set('start', ns(startMs));
  u.searchParams.set('limit', String(limit));
  if (tenant) u.searchParams.set('X-Scope-OrgID', tenant);
  return u.toString();
}

// True when `q` is a log query (no metric aggregation around the selector).
export function isLogQuery(q) {
  const s = q.replace(/#[^\n]*/g, '').replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""').trim();
  return s.startsWith('{');
}
