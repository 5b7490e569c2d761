// Charts with uPlot (loaded as the global `uPlot` from the embedded dist):
// the log volume as bars stacked by level, and metric results as time
// series with a legend. Dragging across a chart selects a time range.

import { LEVEL_ORDER, normalizeLevel } from './fields.js';
import { formatTime } from './timerange.js';

export const LEVEL_COLORS = {
  critical: '#b877d9', fatal: '#b877d9', error: '#e02f44', warn: '#ff9900', info: '#56a64b',
  debug: '#3274d9', trace: '#6ed0e0', unknown: '#8e8e8e',
};
const PALETTE = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9', '#705da0',
  '#508642', '#cca300', '#447ebc', '#c15c17'];

export class Chart {
  constructor(el, { onZoom }) {
    this.el = el;
    this.onZoom = onZoom;
    this.plot = null;
    this.utc = false;
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(el);
  }

  size() { return { width: Math.max(200, this.el.clientWidth), height: 180 }; }

  clear(message = '') {
    this.plot?.destroy();
    this.plot = null;
    this.el.textContent = message;
  }

  // Rows of a Loki matrix on a common x axis (seconds); missing points are `fill`.
  static align(result, start, end, step, fill) {
    const xs = new Set();
    for (const s of result) for (const [t] of s.values) xs.add(Number(t));
    // The step grid (empty buckets are 0), anchored on the server's own
    // timestamps so bars do not fall between grid points.
    if (step) {
      const anchor = xs.size ? Math.min(...xs) : start / 1000;
      const first = anchor - Math.floor((anchor - start / 1000) / step) * step;
      for (let t = first; t <= end / 1000; t += step) xs.add(t);
    }
    const x = [...xs].sort((a, b) => a - b);
    const index = new Map(x.map((t, i) => [t, i]));
    const ys = result.map((s) => {
      const y = new Array(x.length).fill(fill);
      for (const [t, v] of s.values) y[index.get(Number(t))] = Number(v);
      return y;
    });
    return { x, ys };
  }

  // Log volume: result of api.volumeQuery, stacked by level.
  volume(result, start, end, step) {
    // Series are by (level, detected_level); merge those of one normalised level.
    const merged = new Map();
    for (const s of result) {
      const name = normalizeLevel(s.metric.detected_level || s.metric.level || 'unknown');
      const acc = merged.get(name) || new Map();
      for (const [t, v] of s.values) acc.set(t, (acc.get(t) || 0) + Number(v));
      merged.set(name, acc);
    }
    const levels = [...merged.keys()].sort((a, b) => LEVEL_ORDER.indexOf(a) - LEVEL_ORDER.indexOf(b));
    const rows = levels.map((l) => ({ values: [...merged.get(l)] }));
    const { x, ys } = Chart.align(rows, start, end, step, 0);
    const names = levels;
    // Stack: series k holds the sum of the levels 0..k; drawn from the top
    // of the stack down so each bar shows its own share.
    const stacked = [];
    ys.forEach((y, k) => stacked.push(k ? y.map((v, j) => v + stacked[k - 1][j]) : y.slice()));
    const draw = names.map((_, k) => names.length - 1 - k);
    const bars = uPlot.paths.bars({ size: [0.9, 40], align: 0 });
    const series = [{ value: (u, v) => (v == null ? '' : formatTime(v * 1000, this.utc, false)) }];
    for (const k of draw) {
      series.push({
        label: names[k],
        fill: LEVEL_COLORS[names[k]] || '#888',
        stroke: LEVEL_COLORS[names[k]] || '#888',
        width: 0,
        paths: bars,
        points: { show: false },
        value: (u, v, si, idx) => (idx == null ? '' : String(ys[k][idx])),
      });
    }
    this.draw({ series, data: [x, ...draw.map((k) => stacked[k])], start, end, counts: true });
  }

  // A metric result (matrix) as lines, one per series, with a legend.
  series(result, start, end) {
    const { x, ys } = Chart.align(result, start, end, 0, null);
    const series = [{ value: (u, v) => (v == null ? '' : formatTime(v * 1000, this.utc, false)) }];
    result.forEach((s, i) => {
      // A series of one level gets that level's colour, as in the volume.
      const level = Object.keys(s.metric).length === 1 && (s.metric.level || s.metric.detected_level);
      const c = (level && LEVEL_COLORS[normalizeLevel(level)]) || PALETTE[i % PALETTE.length];
      series.push({ label: labelText(s.metric), stroke: c, width: 1.5, spanGaps: false, points: { size: 4 } });
    });
    this.draw({ series, data: [x, ...ys], start, end });
  }

  // counts: the y axis holds whole numbers (no 0.5 ticks).
  draw({ series, data, start, end, counts = false }) {
    this.plot?.destroy();
    this.el.textContent = '';
    const styles = getComputedStyle(document.body);
    const axis = { stroke: styles.getPropertyValue('--muted').trim() || '#888', grid: { stroke: styles.getPropertyValue('--grid').trim() || '#8882', width: 1 }, ticks: { show: false } };
    const opts = {
      ...this.size(),
      series,
      scales: { x: { time: true, range: () => [start / 1000, end / 1000] } },
      axes: [
        { ...axis, space: 70, values: (u, ticks) => ticks.map((t) => tickLabel(t * 1000, end - start, this.utc)) },
        { ...axis, size: 50, ...(counts ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6, 1e7] } : {}) },
      ],
      cursor: { drag: { x: true, y: false, setScale: false } },
      legend: { live: true },
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const a = u.posToVal(u.select.left, 'x') * 1000;
          const b = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
          u.setSelect({ left: 0, width: 0 }, false);
          this.onZoom(Math.floor(a), Math.ceil(b));
        }],
      },
    };
    this.plot = new uPlot(opts, data, this.el);
  }
}

export function labelText(metric) {
  const e = Object.entries(metric);
  return e.length ? `{${e.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : '{}';
}

// A time axis label as short as the range allows: seconds for under 10
// minutes, hours and minutes up to a day, the date beyond.
function tickLabel(ms, span, utc) {
  const s = formatTime(ms, utc, false); // YYYY-MM-DD HH:MM:SS
  if (span <= 600e3) return s.slice(11, 19);
  if (span <= 86400e3) return s.slice(11, 16);
  return s.slice(5, 16);
}
