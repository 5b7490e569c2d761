// lode's log explorer: wires the editor, time range, charts, lines, live
// tail and label browser to the Loki API. State lives in the URL (state.js).

import * as api from './api.js';
import * as urlState from './state.js';
import { Editor } from './editor.js';
import { Chart } from './chart.js';
import { LineList } from './lines.js';
import { Tail } from './tail.js';
import { LabelBrowser } from './labels.js';
import { applyFilter, replaceSelector } from './query-edit.js';
import { statsText, toEntries } from './results.js';
import { bounds, isRelative, toInput, fromInput } from './timerange.js';

const $ = (id) => document.getElementById(id);
const MAX_LINES = 5000;

let range = { from: 'now-1h', to: 'now' };
let current = null; // AbortController of the running query
let lastLogs = null; // {query, start, end, limit} of the shown log lines
let paused = [];
let isPaused = false;
const completionCache = new Map();

const editor = new Editor({
  textarea: $('query'), overlay: $('query-hl'), list: $('completions'),
  onRun: () => run(true), complete,
});
const chart = new Chart($('chart'), { onZoom: (a, b) => { setRange({ from: a, to: b }); run(true); } });
const lines = new LineList($('lines'), { onFilter: (f) => { editor.value = applyFilter(editor.value, f); run(true); } });
const tail = new Tail({ onEntries: onTailEntries, onStatus: onTailStatus });
const browser = new LabelBrowser({
  names: $('lb-names'), values: $('lb-values'), selector: $('lb-selector'), filter: $('lb-filter'),
  fetchNames: () => complete('name'), fetchValues: (n) => complete('value', n),
});

// ---- completion: label names and values for the time range ----------------
async function complete(kind, label, selector = '') {
  const { start, end } = bounds(range);
  const key = `${api.getTenant()}|${Math.floor(start / 60000)}|${Math.floor(end / 60000)}|${kind}|${label || ''}|${selector}`;
  if (!completionCache.has(key)) {
    const p = kind === 'name' ? api.labels(start, end) : api.labelValues(label, start, end, selector);
    completionCache.set(key, p);
    p.catch(() => completionCache.delete(key));
    if (completionCache.size > 200) completionCache.delete(completionCache.keys().next().value);
  }
  return completionCache.get(key);
}

// ---- time range ---------------------------------------------------------------
function setRange(r) {
  range = { from: r.from, to: r.to };
  const rel = isRelative(range) && range.to === 'now';
  const sel = $('range');
  sel.value = rel && [...sel.options].some((o) => o.value === range.from) ? range.from : 'absolute';
  $('absolute').hidden = sel.value !== 'absolute';
  if (sel.value === 'absolute') {
    const { start, end } = bounds(range);
    $('abs-from').value = toInput(start, utc());
    $('abs-to').value = toInput(end, utc());
  }
}
const utc = () => $('utc').checked;

// ---- running a query ------------------------------------------------------------
function showError(e) {
  const el = $('query-error');
  if (!e) { el.hidden = true; el.textContent = ''; return; }
  const pos = e.position;
  if (pos) editor.setError(pos.line, pos.col);
  let msg = e.message;
  if (e.status === 401) msg += ' — set the tenant (X-Scope-OrgID) at the top right';
  el.textContent = msg;
  el.hidden = false;
}

function showStats(body, returned) {
  $('stats').textContent = statsText(body?.data?.stats?.summary, returned);
}

async function run(push) {
  const query = editor.value.trim();
  tail.stop();
  if (push) urlState.push({ query, range });
  showError(null);
  editor.clearError();
  if (!query) return;
  current?.abort();
  current = new AbortController();
  const signal = current.signal;
  const { start, end } = bounds(range);
  const limit = Number($('limit').value);
  document.body.classList.add('busy');
  try {
    if (api.isLogQuery(query)) {
      $('chart-title').textContent = 'Log volume';
      $('lines-panel').hidden = false;
      const step = api.niceStep(start, end);
      const [logs, vol] = await Promise.all([
        api.queryRange(query, { start, end, limit }, signal),
        api.queryRange(api.volumeQuery(query, step), { start, end, step }, signal).catch((e) => e),
      ]);
      const entries = toEntries(logs.data.result);
      lastLogs = { query, start, limit };
      lines.set(entries);
      $('line-count').textContent = `(${entries.length})`;
      $('more').hidden = entries.length < limit;
      showStats(logs, entries.length);
      if (vol instanceof Error) chart.clear(`Volume unavailable: ${vol.message}`);
      else chart.volume(vol.data.result, start, end, step);
    } else {
      $('chart-title').textContent = 'Metric';
      $('lines-panel').hidden = true;
      const step = api.niceStep(start, end, 250);
      const r = await api.queryRange(query, { start, end, step }, signal);
      showStats(r, null);
      if (r.data.resultType === 'matrix') {
        if (r.data.result.length) chart.series(r.data.result, start, end);
        else chart.clear('No data');
      } else {
        chart.clear(JSON.stringify(r.data.result));
      }
    }
  } catch (e) {
    if (e.name !== 'AbortError') showError(e);
  } finally {
    document.body.classList.remove('busy');
  }
}

async function loadMore() {
  if (!lastLogs || !lines.entries.length) return;
  const oldest = lines.entries[lines.entries.length - 1];
  const endNs = (BigInt(oldest.tsNs) + 1n).toString();
  const btn = $('more');
  btn.disabled = true;
  try {
    const r = await api.queryRange(lastLogs.query, { start: lastLogs.start, endNs, limit: lastLogs.limit });
    const seen = new Set(lines.entries.map((e) => e.key));
    const fresh = toEntries(r.data.result).filter((e) => !seen.has(e.key));
    lines.append(fresh);
    $('line-count').textContent = `(${lines.entries.length})`;
    btn.hidden = fresh.length === 0;
  } catch (e) {
    showError(e);
  } finally {
    btn.disabled = false;
  }
}

// ---- live tail --------------------------------------------------------------------
function toggleTail() {
  if (tail.active) { tail.stop(); return; }
  const query = editor.value.trim();
  if (!api.isLogQuery(query)) { showError(new Error('Live tail needs a log query ({...} with filters)')); return; }
  showError(null);
  lines.set([]);
  $('lines-panel').hidden = false;
  $('chart-title').textContent = 'Log volume';
  $('stats').textContent = '';
  chart.clear('Live tail: new lines appear below as they arrive. Run the query for the volume.');
  $('more').hidden = true;
  paused = [];
  setPaused(false);
  tail.start(api.tailUrl(query, Date.now() - 60_000, 100));
}

function onTailEntries(streams) {
  const entries = toEntries(streams);
  if (!entries.length) return;
  if (isPaused) {
    paused = entries.concat(paused).slice(0, MAX_LINES);
  } else {
    lines.prepend(entries, MAX_LINES);
  }
  $('line-count').textContent = `(${lines.entries.length}${paused.length ? `, ${paused.length} waiting` : ''})`;
}

function onTailStatus(state, dropped) {
  const live = tail.active;
  $('tail').setAttribute('aria-pressed', String(live));
  $('tail').textContent = live ? 'Stop live' : 'Live';
  $('tail-pause').hidden = !live;
  const st = $('tail-status');
  st.hidden = false;
  st.textContent = `Live: ${state} · ${dropped} dropped`;
  st.dataset.dropped = dropped;
}

function setPaused(p) {
  isPaused = p;
  $('tail-pause').setAttribute('aria-pressed', String(p));
  $('tail-pause').textContent = p ? 'Resume' : 'Pause';
  if (!p && paused.length) {
    lines.prepend(paused, MAX_LINES);
    paused = [];
    $('line-count').textContent = `(${lines.entries.length})`;
  }
}

// ---- controls ---------------------------------------------------------------------
$('query-form').addEventListener('submit', (e) => { e.preventDefault(); run(true); });
$('tail').addEventListener('click', toggleTail);
$('tail-pause').addEventListener('click', () => setPaused(!isPaused));
$('more').addEventListener('click', loadMore);
$('wrap').addEventListener('change', (e) => lines.setWrap(e.target.checked));
$('utc').addEventListener('change', (e) => {
  lines.setUtc(e.target.checked);
  chart.utc = e.target.checked;
  localStorage.setItem('lode.utc', e.target.checked ? '1' : '');
  setRange(range);
  if (chart.plot) run(false);
});
$('range').addEventListener('change', (e) => {
  if (e.target.value === 'absolute') {
    const { start, end } = bounds(range);
    setRange({ from: start, to: end });
    $('abs-from').focus();
    return;
  }
  setRange({ from: e.target.value, to: 'now' });
  run(true);
});
$('abs-apply').addEventListener('click', () => {
  const a = fromInput($('abs-from').value, utc());
  const b = fromInput($('abs-to').value, utc());
  if (!(a < b)) { showError(new Error('The start of the range must be before its end')); return; }
  setRange({ from: a, to: b });
  run(true);
});
$('tenant').addEventListener('change', (e) => {
  api.setTenant(e.target.value);
  localStorage.setItem('lode.tenant', api.getTenant());
  completionCache.clear();
  run(false);
});
$('labels-toggle').addEventListener('click', (e) => {
  const open = $('label-browser').hidden;
  $('label-browser').hidden = !open;
  e.target.setAttribute('aria-expanded', String(open));
  if (open) browser.open();
});
$('lb-use').addEventListener('click', () => {
  editor.value = replaceSelector(editor.value, browser.selector());
  run(true);
});
$('lb-clear').addEventListener('click', () => browser.clear());

urlState.onPop((s) => {
  editor.value = s.query;
  setRange(s.range);
  run(false);
});

// ---- start ------------------------------------------------------------------------
const saved = localStorage.getItem('lode.tenant') || '';
$('tenant').value = saved;
api.setTenant(saved);
$('utc').checked = localStorage.getItem('lode.utc') === '1';
lines.setUtc(utc());
chart.utc = utc();
const initial = urlState.read();
editor.value = initial.query;
setRange({
  from: /^\d+$/.test(initial.range.from) ? Number(initial.range.from) : initial.range.from,
  to: /^\d+$/.test(initial.range.to) ? Number(initial.range.to) : initial.range.to,
});
if (initial.query) run(false);
else chart.clear('Type a LogQL query, e.g. {job="app"}, and press Shift+Enter.');
$('query').focus();
window.lode = { editor, lines, chart, tail }; // for tests and the curious
