// Turning Loki responses into what the page shows: log entries (newest
// first, with level and fields) and a one-line summary of query statistics.

import { detectLevel, parseFields } from './fields.js';

// Entries of a streams result (categorize-labels encoding: values may carry
// {structuredMetadata, parsed} as a third element), newest first. Each entry:
// {tsNs, ts (ms), line, labels, meta, parsed, fields?, parser?, level, key}.
export function toEntries(result) {
  const out = [];
  for (const s of result) {
    for (const v of s.values) {
      const extra = v[2] || {};
      const meta = extra.structuredMetadata || null;
      const parsed = extra.parsed || null;
      const e = {
        tsNs: v[0], ts: Number(v[0].slice(0, -6) || 0), line: v[1], labels: s.stream, meta, parsed,
        key: `${v[0]}\u0000${JSON.stringify(s.stream)}\u0000${v[1]}`,
      };
      if (!parsed) {
        const f = parseFields(e.line);
        if (Object.keys(f.fields).length) { e.fields = f.fields; e.parser = f.parser; }
      }
      e.level = detectLevel(s.stream, meta, parsed || e.fields, e.line);
      out.push(e);
    }
  }
  // Nanosecond strings compare as numbers when their lengths are equal.
  return out.sort((a, b) => (b.tsNs.length - a.tsNs.length) || (a.tsNs < b.tsNs ? 1 : a.tsNs > b.tsNs ? -1 : 0));
}

export function formatBytes(n) {
  const u = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
  return `${i ? n.toFixed(1) : n} ${u[i]}`;
}

// "60 returned · 3.0 kB and 60 lines processed · 0.8 ms" from data.stats.summary.
export function statsText(summary, returned) {
  if (!summary) return '';
  const r = returned != null ? `${returned} returned · ` : '';
  return `${r}${formatBytes(summary.totalBytesProcessed)} and ${summary.totalLinesProcessed} lines processed · ${(summary.execTime * 1000).toFixed(1)} ms`;
}
