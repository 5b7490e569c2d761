// The log explorer (GET /) in a real browser: Debian's chromium driven
// headless by puppeteer-core, against the real lode binary.
//
// Contract: LODE_BINARY, CHROMIUM and SCREENSHOT_DIR are set (run.sh). Each
// lode this file starts listens on a free loopback port with a fresh data
// directory and is killed at the end. Known lines are pushed with the JSON
// push API; every check reads what the page shows (DOM, URL, uPlot's data).
// Every wait is bounded (puppeteer timeouts, the test timeout, `timeout` in run.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const { LODE_BINARY, CHROMIUM, SCREENSHOT_DIR } = process.env;
if (!LODE_BINARY || !CHROMIUM || !SCREENSHOT_DIR) throw new Error('run tests/ui/run.sh');

const WAIT = { timeout: 10_000 };

// page.click, retried when the element was re-rendered between being found
// and clicked (the virtualised line list redraws rows): puppeteer's
// "Node is detached from document".
async function click(selector, tries = 5) {
  for (let i = 0; ; i++) {
    try {
      await page.click(selector);
      return;
    } catch (e) {
      if (i >= tries || !/detached|not clickable|no node found/i.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
const lodes = [];
let main; // {url}
let browser;
let page;
const errors = []; // uncaught page errors: the test fails on any

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

// Starts lode with `yaml` as its config file; resolves when /ready answers.
async function startLode(yaml = '') {
  const dir = mkdtempSync(join(tmpdir(), 'lode-ui-'));
  const cfg = join(dir, 'lode.yaml');
  writeFileSync(cfg, yaml);
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawn(LODE_BINARY, ['--config', cfg, '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, `data${attempt}`)],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    proc.stderr.on('data', (d) => { log += d; });
    const l = { url: `http://127.0.0.1:${port}`, proc, dir, log: () => log };
    lodes.push(l);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && proc.exitCode === null) {
      try {
        const r = await fetch(`${l.url}/ready`, { signal: AbortSignal.timeout(1000) });
        if (r.status === 200) return l;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
  }
  throw new Error('lode did not become ready');
}

async function push(l, streams, headers = {}) {
  const r = await fetch(`${l.url}/loki/api/v1/push`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ streams }),
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(r.status, 204, await r.text());
}

const nowNs = (offsetMs = 0) => (BigInt(Date.now() + offsetMs) * 1000000n).toString();

// 60 shop lines over the last 30 minutes: every 5th an error, every 7th a warning.
const SHOP = [];
for (let i = 59; i >= 0; i--) {
  const level = i % 5 === 0 ? 'error' : i % 7 === 0 ? 'warn' : 'info';
  SHOP.push([nowNs(-i * 30_000), `level=${level} msg="order ${i} handled" order=${i} user=u${i % 3}`, { trace_id: `t${i}` }]);
}
const NEWEST_SHOP = SHOP[SHOP.length - 1][1];
const LEVEL_COUNTS = { error: 12, warn: 7, info: 41 };

before(async () => {
  main = await startLode();
  await push(main, [
    { stream: { app: 'shop', env: 'prod' }, values: SHOP },
    { stream: { app: 'auth', env: 'dev' }, values: [[nowNs(-60_000), '{"level":"debug","msg":"token ok","user":{"id":7}}']] },
  ]);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--lang=en-US'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text()); });
});

after(async () => {
  await browser?.close();
  for (const l of lodes) {
    l.proc.kill('SIGTERM');
    rmSync(l.dir, { recursive: true, force: true });
  }
  assert.deepEqual(errors, [], 'errors in the page');
});

// Replaces the editor's text as a user would (select all, type).
async function typeQuery(text) {
  await click('#query');
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  if (text) await page.keyboard.type(text);
}

async function runQuery() {
  await page.keyboard.down('Shift');
  await page.keyboard.press('Enter');
  await page.keyboard.up('Shift');
}

const editorValue = () => page.$eval('#query', (t) => t.value);
const lineCount = () => page.evaluate(() => window.lode.lines.entries.length);

async function screenshot(name) {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

test('the page and its assets are served with types, ETags and gzip', async () => {
  let r = await fetch(`${main.url}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  const html = await r.text();
  assert.match(html, /\/ui\/app\.js/);
  r = await fetch(`${main.url}/ui/app.js`, { headers: { 'Accept-Encoding': 'identity' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+"$/);
  r = await fetch(`${main.url}/ui/app.js`, { headers: { 'Accept-Encoding': 'identity', 'If-None-Match': etag } });
  assert.equal(r.status, 304);
  r = await fetch(`${main.url}/ui/vendor/uPlot.iife.min.js`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-encoding'), 'gzip');
  const gzEtag = r.headers.get('etag');
  assert.match(gzEtag, /^"[0-9a-f]+-gzip"$/);
  assert.match(await r.text(), /uPlot/); // fetch inflates: the body is valid gzip
  r = await fetch(`${main.url}/ui/vendor/uPlot.iife.min.js`, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': gzEtag } });
  assert.equal(r.status, 304);
  r = await fetch(`${main.url}/ui/vendor/uPlot.iife.min.js`, { headers: { 'Accept-Encoding': 'identity', 'If-None-Match': gzEtag } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-encoding'), null);
  assert.equal(Number(r.headers.get('content-length')), (await r.arrayBuffer()).byteLength);
  r = await fetch(`${main.url}/ui/app.js`, { method: 'POST' });
  assert.equal(r.status, 405);
  r = await fetch(`${main.url}/ui/nope.js`);
  assert.equal(r.status, 404);
  r = await fetch(`${main.url}/ui/`);
  assert.equal(await r.text(), html);
});

test('a log query shows the volume by level, the lines newest first and the stats', async () => {
  const q = encodeURIComponent('{app="shop"}');
  await page.goto(`${main.url}/?query=${q}&from=now-1h&to=now`, { waitUntil: 'load' });
  await page.waitForSelector('.lines .row', WAIT);
  await page.waitForFunction(() => window.lode.chart.plot, WAIT);
  assert.equal(await lineCount(), 60);
  const first = await page.$eval('.lines .row .msg', (e) => e.textContent);
  assert.equal(first, NEWEST_SHOP);
  assert.equal(await page.$eval('.lines .row', (e) => e.className), 'row lvl-error'); // order 0 is an error
  // The histogram: one bar series per level whose counts add up per level.
  const byLevel = await page.evaluate(() => {
    const u = window.lode.chart.plot;
    const out = {};
    u.series.slice(1).forEach((s, i) => {
      let n = 0;
      for (let j = 0; j < u.data[0].length; j++) n += Number(s.value(u, u.data[i + 1][j], i + 1, j));
      out[s.label] = n;
    });
    return out;
  });
  assert.deepEqual(byLevel, LEVEL_COUNTS);
  assert.match(await page.$eval('#stats', (e) => e.textContent), /60 returned · .* and \d+ lines processed · [\d.]+ ms/);
  await screenshot('explorer-light');
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await page.goto(page.url(), { waitUntil: 'load' });
  await page.waitForSelector('.lines .row', WAIT);
  await page.waitForFunction(() => window.lode.chart.plot, WAIT);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(17, 18, 23)');
  await screenshot('explorer-dark');
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
});

// axe-core's WCAG 2 A/AA rules (contrast, labels, roles) on the main view
// with a line expanded, in both themes.
test('the page passes axe-core accessibility checks in light and dark', async () => {
  await page.setBypassCSP(true); // axe is injected as a script the page's CSP would refuse
  for (const scheme of ['light', 'dark']) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    await page.goto(`${main.url}/?query=${encodeURIComponent('{app="shop"}')}`, { waitUntil: 'load' });
    await page.waitForSelector('.lines .row', WAIT);
    await page.waitForFunction(() => window.lode.chart.plot, WAIT);
    await click('.lines .row .msg');
    await page.waitForSelector('.row .details', WAIT);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    });
    assert.deepEqual(violations, [], `${scheme} theme`);
  }
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
  await page.setBypassCSP(false);
});

test('a parse error is shown with its position in the editor', async () => {
  await typeQuery('{app="shop"} |= ');
  await runQuery();
  await page.waitForSelector('#query-error:not([hidden])', WAIT);
  assert.match(await page.$eval('#query-error', (e) => e.textContent), /parse error at line 1, col 16/);
  assert.equal(await page.$$eval('#query-hl mark.err', (m) => m.length), 1);
});

test('completion offers label names and values, and the query runs from the keyboard', async () => {
  // Matchers already typed narrow the values (label/<name>/values?query=).
  await typeQuery('{env="dev", app="');
  await page.waitForFunction(() => [...document.querySelectorAll('#completions:not([hidden]) li')].map((l) => l.textContent).join() === 'auth', WAIT);
  await page.keyboard.press('Escape');
  assert.equal(await page.$eval('#completions', (e) => e.hidden), true);
  await typeQuery('{ap');
  await page.waitForSelector('#completions:not([hidden]) li', WAIT);
  assert.deepEqual(await page.$$eval('#completions li', (l) => l.map((e) => e.textContent)), ['app']);
  await page.keyboard.press('Enter');
  assert.equal(await editorValue(), '{app=');
  await page.keyboard.type('"');
  await page.waitForFunction(() => [...document.querySelectorAll('#completions:not([hidden]) li')].length === 2, WAIT);
  assert.deepEqual(await page.$$eval('#completions li', (l) => l.map((e) => e.textContent)), ['auth', 'shop']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  assert.equal(await editorValue(), '{app="shop"');
  await page.keyboard.type('}');
  await runQuery();
  await page.waitForFunction(() => new URL(location).searchParams.get('query') === '{app="shop"}', WAIT);
  await page.waitForFunction(() => window.lode.lines.entries.length === 60, WAIT);
  assert.equal(await page.$eval('#query-error', (e) => e.hidden), true);
});

test('filter buttons change the query; the back button restores it', async () => {
  await click('.lines .row .msg');
  await page.waitForSelector('.row .details', WAIT);
  await screenshot('explorer-details');
  // Stream label env="prod" goes into the selector.
  await click('.row .details button.filter[data-kind="label"][data-key="env"][data-op="="]');
  await page.waitForFunction(() => document.getElementById('query').value === '{app="shop", env="prod"}', WAIT);
  await page.waitForFunction(() => new URL(location).searchParams.get('query') === '{app="shop", env="prod"}', WAIT);
  await page.waitForFunction(() => window.lode.lines.entries.length === 60, WAIT);
  // A field parsed in the browser (logfmt) adds the parser and a label filter.
  await click('.lines .row .msg');
  await page.waitForSelector('.row .details', WAIT);
  await click('.row .details button.filter[data-kind="parsed"][data-key="level"][data-op="!="]');
  await page.waitForFunction(() => document.getElementById('query').value.endsWith('| logfmt | level!="error"'), WAIT);
  await page.waitForFunction(() => window.lode.lines.entries.length === 60 - 12, WAIT);
  assert.equal(await page.$eval('.lines .row', (e) => e.className), 'row lvl-info');
  // Hide lines like this one: != "<line>".
  await click('.lines .row .msg');
  await page.waitForSelector('.row .details', WAIT);
  const line = await page.$eval('.lines .row .msg', (e) => e.textContent);
  await click('.row .details button.line-filter');
  await page.waitForFunction((l) => document.getElementById('query').value.endsWith(`!= ${JSON.stringify(l)}`), WAIT, line);
  await page.waitForFunction(() => window.lode.lines.entries.length === 60 - 12 - 1, WAIT);
  await page.goBack();
  await page.waitForFunction(() => document.getElementById('query').value.endsWith('| logfmt | level!="error"'), WAIT);
  await page.waitForFunction(() => window.lode.lines.entries.length === 48, WAIT);
});

test('a metric query draws a time series with a legend', async () => {
  await typeQuery('sum by (level) (count_over_time({app="shop"} | logfmt [5m]))');
  await runQuery();
  await page.waitForFunction(() => document.querySelectorAll('.u-legend .u-series').length === 4, WAIT);
  const legend = await page.$$eval('.u-legend .u-series .u-label', (l) => l.map((e) => e.textContent).slice(1).sort());
  assert.deepEqual(legend, ['{level="error"}', '{level="info"}', '{level="warn"}']);
  assert.equal(await page.$eval('#lines-panel', (e) => e.hidden), true);
  await screenshot('explorer-metric');
});

test('live tail shows newly pushed lines, pauses, and counts dropped entries', async () => {
  await typeQuery('{app="tail"}');
  await click('#tail');
  await page.waitForFunction(() => /Live: live · 0 dropped/.test(document.getElementById('tail-status').textContent), WAIT);
  await push(main, [{ stream: { app: 'tail' }, values: [[nowNs(), 'level=warn msg="first tailed line"']] }]);
  await page.waitForFunction(() => document.querySelector('.lines .row .msg')?.textContent === 'level=warn msg="first tailed line"', WAIT);
  await click('#tail-pause');
  await push(main, [{ stream: { app: 'tail' }, values: [[nowNs(), 'msg="while paused"']] }]);
  await page.waitForFunction(() => /1 waiting/.test(document.getElementById('line-count').textContent), WAIT);
  assert.equal(await lineCount(), 1);
  await click('#tail-pause');
  await page.waitForFunction(() => document.querySelector('.lines .row .msg')?.textContent === 'msg="while paused"', WAIT);
  await screenshot('explorer-tail');
  // lode reports entries it skipped for a slow client in dropped_entries;
  // the counter adds them up (a frame is fed to the live socket's handler).
  await page.evaluate(() => window.lode.tail.ws.onmessage({
    data: JSON.stringify({ streams: [], dropped_entries: [{ timestamp: '1', labels: {} }, { timestamp: '2', labels: {} }] }),
  }));
  assert.match(await page.$eval('#tail-status', (e) => e.textContent), /Live: live · 2 dropped/);
  await click('#tail');
  await page.waitForFunction(() => !window.lode.tail.active, WAIT);
});

test('5,000 lines render virtualised and load more pages with limit', async () => {
  const values = [];
  for (let i = 0; i < 6000; i++) values.push([nowNs(-600_000 + i * 10), `level=info bulk line ${i}`]);
  await push(main, [{ stream: { app: 'bulk' }, values }]);
  await page.select('#limit', '5000');
  await typeQuery('{app="bulk"}');
  const t0 = Date.now();
  await runQuery();
  await page.waitForFunction(() => window.lode.lines.entries.length === 5000, { timeout: 20_000 });
  const ms = Date.now() - t0;
  const rows = await page.$$eval('.lines .row', (r) => r.length);
  assert.ok(rows < 100, `${rows} rows in the DOM`);
  assert.equal(await page.$eval('.lines .row .msg', (e) => e.textContent), 'level=info bulk line 5999');
  // Scrolling: the longest time the list's render takes in one frame over
  // 100 scroll steps through the 5,000 lines (jank would be > 16 ms).
  const worst = await page.evaluate(async () => {
    const el = document.querySelector('.lines');
    const list = window.lode.lines;
    let max = 0;
    for (let k = 1; k <= 100; k++) {
      el.scrollTop = (el.scrollHeight * k) / 100;
      const t0 = performance.now();
      list.render();
      max = Math.max(max, performance.now() - t0);
      await new Promise((r) => requestAnimationFrame(r));
    }
    el.scrollTop = 0;
    list.render();
    await new Promise((r) => requestAnimationFrame(r));
    return max;
  });
  assert.ok(worst < 50, `render took up to ${worst} ms`);
  // The keyboard walks the rows past the rendered ones.
  await page.focus('.lines .row');
  for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.querySelector('.msg').textContent), 'level=info bulk line 5939');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement.querySelector('.details'), WAIT);
  // Scrolling to the bottom renders the oldest of the 5,000.
  await page.$eval('.lines', (e) => { e.scrollTop = e.scrollHeight; });
  await page.waitForFunction(() => [...document.querySelectorAll('.lines .row .msg')].some((m) => m.textContent === 'level=info bulk line 1000'), WAIT);
  await click('#more');
  await page.waitForFunction(() => window.lode.lines.entries.length === 6000, WAIT);
  await page.$eval('.lines', (e) => { e.scrollTop = e.scrollHeight; });
  await page.waitForFunction(() => [...document.querySelectorAll('.lines .row .msg')].some((m) => m.textContent === 'level=info bulk line 0'), WAIT);
  console.log(`# 5000 lines: query + render ${ms} ms, ${rows} rows in the DOM, scroll render at most ${worst.toFixed(1)} ms a frame`);
  await page.select('#limit', '1000');
});

test('time range: relative choices, drag-zoom on the chart, absolute range, all in the URL', async () => {
  await typeQuery('{app="shop"}');
  await page.select('#range', 'now-6h');
  await page.waitForFunction(() => new URL(location).searchParams.get('from') === 'now-6h', WAIT);
  await page.waitForFunction(() => window.lode.chart.plot && window.lode.lines.entries.length === 60, WAIT);
  // Drag across the middle of the plot area.
  const box = await page.$eval('#chart .u-over', (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; });
  const y = box[1] + box[3] / 2;
  await page.mouse.move(box[0] + box[2] * 0.90, y);
  await page.mouse.down();
  await page.mouse.move(box[0] + box[2] * 0.95, y, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => /^\d+$/.test(new URL(location).searchParams.get('from') || ''), WAIT);
  const [from, to] = await page.evaluate(() => ['from', 'to'].map((k) => Number(new URL(location).searchParams.get(k))));
  const span = to - from;
  assert.ok(span > 0.04 * 6 * 3600e3 && span < 0.06 * 6 * 3600e3, `zoomed span ${span} ms`);
  assert.equal(await page.$eval('#range', (e) => e.value), 'absolute');
  assert.equal(await page.$eval('#absolute', (e) => e.hidden), false);
  await page.waitForFunction(() => window.lode.lines.entries.length < 60, WAIT);
  // An absolute range typed in (UTC), then back to the relative one.
  await click('#utc');
  await page.$eval('#abs-from', (e) => { e.value = '2020-01-01T00:00:00'; });
  await page.$eval('#abs-to', (e) => { e.value = '2020-01-02T00:00:00'; });
  await click('#abs-apply');
  await page.waitForFunction(() => new URL(location).searchParams.get('from') === String(Date.UTC(2020, 0, 1)), WAIT);
  await page.waitForFunction(() => window.lode.lines.entries.length === 0, WAIT);
  await page.goBack();
  await page.goBack();
  await page.waitForFunction(() => new URL(location).searchParams.get('from') === 'now-6h', WAIT);
  await page.waitForFunction(() => window.lode.lines.entries.length === 60, WAIT);
  assert.equal(await page.$eval('#range', (e) => e.value), 'now-6h');
  // UTC timestamps in the lines.
  const shown = await page.$eval('.lines .row time', (e) => e.textContent);
  const ts = Number(BigInt(SHOP[SHOP.length - 1][0]) / 1000000n);
  assert.equal(shown, new Date(ts).toISOString().replace('T', ' ').replace('Z', ''));
  await click('#utc');
});

test('wrap and copy a line', async () => {
  const long = `level=info msg="${'x'.repeat(400)}"`;
  await push(main, [{ stream: { app: 'long' }, values: [[nowNs(), long]] }]);
  await typeQuery('{app="long"}');
  await runQuery();
  await page.waitForFunction(() => window.lode.lines.entries.length === 1, WAIT);
  const h1 = await page.$eval('.lines .row', (e) => e.offsetHeight);
  await click('#wrap');
  await page.waitForFunction((h) => document.querySelector('.lines .row').offsetHeight > 2 * h, WAIT, h1);
  await click('#wrap');
  await page.waitForFunction((h) => document.querySelector('.lines .row').offsetHeight === h, WAIT, h1);
  await browser.defaultBrowserContext().overridePermissions(main.url, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
  await page.hover('.lines .row');
  await click('.lines .row .copy');
  await page.waitForFunction(() => document.querySelector('.lines .row .copy').textContent === 'Copied', WAIT);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), long);
});

test('the label browser builds a selector', async () => {
  await click('#labels-toggle');
  await page.waitForFunction(() => [...document.querySelectorAll('#lb-names button')].some((b) => b.textContent === 'env'), WAIT);
  await page.evaluate(() => [...document.querySelectorAll('#lb-names button')].find((b) => b.textContent === 'env').click());
  await page.waitForFunction(() => document.querySelectorAll('#lb-values button').length === 2, WAIT);
  await page.type('#lb-filter', 'DE');
  assert.deepEqual(await page.$$eval('#lb-values button:not([hidden])', (b) => b.map((e) => e.textContent)), ['dev']);
  await page.evaluate(() => [...document.querySelectorAll('#lb-values button')].find((b) => b.textContent === 'dev').click());
  assert.equal(await page.$eval('#lb-selector', (e) => e.textContent), '{env="dev"}');
  await click('#lb-use');
  await page.waitForFunction(() => window.lode.lines.entries.length === 1, WAIT);
  assert.equal(await editorValue(), '{env="dev"}');
  await click('#labels-toggle');
});

// The target is 300 ms on an idle machine; this shared CI box runs four
// builds at once, so the bound here is looser and the numbers are printed.
test('the page loads fast and stays small', async () => {
  const p = await browser.newPage();
  await p.goto(`${main.url}/`, { waitUntil: 'load' });
  const cold = await p.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
  await p.reload({ waitUntil: 'load' });
  const [warm, bytes] = await p.evaluate(() => [
    performance.getEntriesByType('navigation')[0].loadEventEnd,
    performance.getEntriesByType('resource').reduce((n, e) => n + e.encodedBodySize, 0),
  ]);
  await p.close();
  // What the page costs on the wire: itself and everything it links, gzipped.
  const html = await (await fetch(`${main.url}/`)).text();
  const paths = ['/', ...[...html.matchAll(/(?:href|src)="(\/ui\/[^"]+)"/g)].map((m) => m[1])];
  let wire = 0;
  for (const path of paths) {
    const r = await fetch(`${main.url}${path}`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(r.status, 200, path);
    wire += Number(r.headers.get('content-length'));
    await r.arrayBuffer();
  }
  console.log(`# page load: ${cold.toFixed(0)} ms first, ${warm.toFixed(0)} ms reload; ${paths.length} files, ${(wire / 1024).toFixed(1)} kB gzipped (${bytes} B re-sent on reload)`);
  assert.ok(wire < 100 * 1024, `the page is ${wire} bytes`);
  assert.ok(cold < 1500 && warm < 1500, `load took ${cold} / ${warm} ms`);
});

test('with auth_enabled the tenant selector sends X-Scope-OrgID, also to the tail', async () => {
  const l = await startLode('auth_enabled: true\n');
  await push(l, [{ stream: { app: 'a' }, values: [[nowNs(-1000), 'tenant one line']] }], { 'X-Scope-OrgID': 'one' });
  const p = await browser.newPage();
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(`${l.url}/?query=${encodeURIComponent('{app="a"}')}`, { waitUntil: 'load' });
  await p.waitForSelector('#query-error:not([hidden])', WAIT);
  assert.match(await p.$eval('#query-error', (e) => e.textContent), /no org id/);
  await p.type('#tenant', 'one');
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => window.lode.lines.entries.length === 1, WAIT);
  assert.equal(await p.evaluate(() => localStorage.getItem('lode.tenant')), 'one');
  await p.click('#tail');
  await p.waitForFunction(() => /Live: live/.test(document.getElementById('tail-status').textContent), WAIT);
  await push(l, [{ stream: { app: 'a' }, values: [[nowNs(), 'tenant one tailed']] }], { 'X-Scope-OrgID': 'one' });
  await p.waitForFunction(() => document.querySelector('.lines .row .msg')?.textContent === 'tenant one tailed', WAIT);
  await p.evaluate(() => localStorage.removeItem('lode.tenant'));
  await p.close();
});

test('ui.enabled: false turns the page off (404) and leaves the API on', async () => {
  const l = await startLode('ui:\n  enabled: false\n');
  for (const path of ['/', '/ui/', '/ui/app.js', '/ui']) {
    const r = await fetch(`${l.url}${path}`, { redirect: 'manual' });
    assert.equal(r.status, 404, path);
  }
  assert.equal((await fetch(`${l.url}/loki/api/v1/labels`)).status, 200);
});
