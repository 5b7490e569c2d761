// End-to-end test: real Loki client libraries from npm push to a running lode.
//
// Contract: LODE_URL names a lode that is ready (run.sh starts one with a
// fresh data directory). The clients do not talk to lode directly but to a
// recording proxy on 127.0.0.1 that forwards every request unchanged, so the
// test can also assert what went over the wire (winston-loki must really send
// snappy protobuf, not silently fall back to JSON). Each test then reads the
// lines back with GET /loki/api/v1/query_range and compares them exactly.
//
// Every wait is bounded: the per-test timeout, AbortSignal timeouts on fetch
// and `timeout` in run.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

import winston from 'winston';
import LokiTransport from 'winston-loki';
import pino from 'pino';

const require = createRequire(import.meta.url);
const snappy = require('snappy');

const LODE_URL = process.env.LODE_URL;
if (!LODE_URL) throw new Error('LODE_URL is not set (run tests/clients/run.sh)');

const RUN = randomBytes(4).toString('hex'); // keeps streams of this run apart
const TEST_TIMEOUT_MS = 30_000;
const startMs = Date.now();

// ---- recording proxy -------------------------------------------------------
// It runs in its own worker thread: pino's transport end() blocks the main
// thread (Atomics.wait) until the pino worker has sent its last batch, so a
// proxy on the main thread would deadlock with it.

const PROXY_SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const target = workerData.target;
const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  const headers = { ...req.headers };
  for (const h of ['host', 'content-length', 'connection', 'transfer-encoding']) delete headers[h];
  let status = 502;
  let text = '';
  try {
    const r = await fetch(new URL(req.url, target), {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      signal: AbortSignal.timeout(10000),
    });
    status = r.status;
    text = await r.text();
  } catch (e) {
    text = 'proxy: ' + e;
  }
  if (req.url.startsWith('/loki/api/v1/push')) {
    parentPort.postMessage({ type: 'push', headers: req.headers, body: new Uint8Array(body), status, text });
  }
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
parentPort.on('message', (m) => { if (m === 'close') { server.closeAllConnections(); server.close(() => process.exit(0)); } });
`;

const pushes = []; // {headers, body: Buffer, status, text}, in arrival order
let proxy;
let proxyUrl;

before(async () => {
  proxy = new Worker(PROXY_SOURCE, { eval: true, workerData: { target: LODE_URL } });
  proxy.on('message', (m) => {
    if (m.type === 'push') pushes.push({ ...m, body: Buffer.from(m.body) });
  });
  const [m] = await bounded(once(proxy, 'message'), 5000, 'recording proxy to listen');
  assert.equal(m.type, 'listening');
  proxyUrl = `http://127.0.0.1:${m.port}`;
});

after(async () => {
  const exited = once(proxy, 'exit');
  proxy.postMessage('close');
  await bounded(exited, 5000, 'recording proxy to stop').catch(() => proxy.terminate());
});

// ---- helpers ----------------------------------------------------------------

// Resolves when `pred()` holds; rejects with `what` after `ms`.
async function waitFor(pred, ms, what) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Races `p` against a timer so a library that never settles fails the test.
function bounded(p, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// GET query_range over [start of this file - 5m, now + 5m], forward order.
async function queryRange(query, headers = {}) {
  const u = new URL('/loki/api/v1/query_range', LODE_URL);
  u.searchParams.set('query', query);
  u.searchParams.set('start', String(BigInt(startMs - 300_000) * 1_000_000n));
  u.searchParams.set('end', String(BigInt(Date.now() + 300_000) * 1_000_000n));
  u.searchParams.set('direction', 'forward');
  u.searchParams.set('limit', '1000');
  const r = await fetch(u, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  assert.equal(r.status, 200, `query_range ${query} -> HTTP ${r.status}: ${text}`);
  const body = JSON.parse(text);
  assert.equal(body.status, 'success', `query_range ${query}: ${text}`);
  assert.equal(body.data.resultType, 'streams', `query_range ${query}: ${text}`);
  return body.data.result;
}

// Streams as sorted [labels, [line...]] pairs so comparisons ignore the order
// of streams and of label keys, but not the order of lines within a stream.
function normalize(result) {
  return result
    .map((s) => [sortedLabels(s.stream), s.values.map((v) => v[1])])
    .sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1));
}

function sortedLabels(o) {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// Polls until the query returns `count` lines (ingest is synchronous in lode,
// so the first try normally succeeds); returns the last result.
async function queryLines(query, count, headers = {}) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await queryRange(query, headers);
    const n = result.reduce((acc, s) => acc + s.values.length, 0);
    if (n >= count || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function assertTimestamps(result, loMs, hiMs) {
  for (const s of result) {
    for (const [ts] of s.values) {
      assert.match(ts, /^\d{19}$/, `timestamp ${ts} is not a 19-digit nanosecond string`);
      const ns = BigInt(ts);
      assert.ok(ns >= BigInt(loMs) * 1_000_000n && ns <= BigInt(hiMs) * 1_000_000n,
        `timestamp ${ts} outside [${loMs}, ${hiMs}] ms`);
    }
  }
}

// The push requests recorded since `n`, once at least `want` have arrived
// (the proxy reports each before it answers, but on another thread).
async function pushesSince(n, want = 1) {
  await waitFor(() => pushes.length >= n + want, 5000, `${want} push request(s) at the proxy`);
  await new Promise((r) => setTimeout(r, 50)); // let any extra request show up too
  return pushes.slice(n);
}

// ---- winston-loki: snappy protobuf -----------------------------------------

// Logs three lines through winston-loki and waits until the transport has
// taken all of them, then closes it (close() sends the final batch).
async function logWithWinston(json, app) {
  const errors = [];
  const transport = new LokiTransport({
    host: proxyUrl,
    json,
    labels: { app, run: RUN },
    interval: 60, // only close() sends: one request, deterministic
    timeout: 5000,
    gracefulShutdown: false,
    clearOnError: true,
    onConnectionError: (e) => errors.push(e),
  });
  const logger = winston.createLogger({ level: 'debug', transports: [transport] });
  let logged = 0;
  transport.on('logged', () => logged++);
  logger.info('hello from winston');
  logger.warn('disk almost full', { labels: { component: 'db' } });
  logger.error('request failed', { user: 'alice', attempt: 3 });
  await waitFor(() => logged === 3, 5000, 'winston transport to take 3 lines');
  await bounded(transport.close(), 10_000, 'winston-loki close()');
  logger.close();
  assert.deepEqual(errors.map(String), [], 'winston-loki reported connection errors');
  return transport;
}

test('winston-loki pushes snappy protobuf', { timeout: TEST_TIMEOUT_MS }, async () => {
  const before = pushes.length;
  const t0 = Date.now();
  const transport = await logWithWinston(false, 'winston');
  const t1 = Date.now();
  assert.equal(transport.batcher.options.json, false,
    'winston-loki fell back to JSON: the snappy native binding did not load');

  const sent = await pushesSince(before);
  assert.equal(sent.length, 1, `expected one push request, got ${sent.length}`);
  const p = sent[0];
  assert.equal(p.status, 204, `lode answered the push with ${p.status}: ${p.text}`);
  assert.equal(p.headers['content-type'], 'application/x-protobuf');
  assert.equal(p.headers['content-encoding'], undefined, 'winston-loki sets no Content-Encoding for snappy');
  const raw = snappy.uncompressSync(p.body);
  assert.equal(raw[0], 0x0a, 'decompressed body does not start with PushRequest.streams (field 1)');

  const result = await queryLines(`{app="winston", run="${RUN}"}`, 3);
  assert.deepEqual(normalize(result), normalize([
    { stream: { app: 'winston', run: RUN, level: 'info' },
      values: [[0, 'hello from winston {"level":"info"}']] },
    { stream: { app: 'winston', run: RUN, level: 'warn', component: 'db' },
      values: [[0, 'disk almost full {"level":"warn"}']] },
    { stream: { app: 'winston', run: RUN, level: 'error' },
      values: [[0, 'request failed {"user":"alice","attempt":3,"level":"error"}']] },
  ]));
  assertTimestamps(result, t0, t1);

  // The extra label is indexed: a selector on it finds exactly that line.
  const db = await queryRange(`{app="winston", run="${RUN}", component="db"}`);
  assert.deepEqual(normalize(db).map(([, lines]) => lines), [['disk almost full {"level":"warn"}']]);
});

test('winston-loki JSON mode sends structured metadata', { timeout: TEST_TIMEOUT_MS }, async () => {
  const before = pushes.length;
  await logWithWinston(true, 'winston-json');
  const sent = await pushesSince(before);
  assert.equal(sent.length, 1, `expected one push request, got ${sent.length}`);
  assert.equal(sent[0].status, 204, `lode answered the push with ${sent[0].status}: ${sent[0].text}`);
  assert.equal(sent[0].headers['content-type'], 'application/json');
  const body = JSON.parse(sent[0].body.toString('utf8'));
  assert.ok(body.streams.every((s) => s.values.every((v) => v.length === 3 && typeof v[2] === 'object')),
    'winston-loki JSON values carry a structured-metadata object');

  // With categorize-labels the metadata is split from the indexed labels.
  // winston-loki repeats `level` (a stream label) in the metadata; Loki renames
  // metadata that collides with a stream label to NAME_extracted
  // (LabelsBuilder.Add in pkg/logql/log/labels.go).
  const sel = `{app="winston-json", run="${RUN}"}`;
  const result = await queryLines(sel, 3, { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' });
  const got = result
    .flatMap((s) => s.values.map((v) => ({ stream: sortedLabels(s.stream), line: v[1], meta: v[2] })))
    .sort((a, b) => (a.line < b.line ? -1 : 1));
  assert.deepEqual(got, [
    { stream: sortedLabels({ app: 'winston-json', run: RUN, level: 'warn', component: 'db' }),
      line: 'disk almost full {"level":"warn"}',
      meta: { structuredMetadata: { level_extracted: 'warn' } } },
    { stream: sortedLabels({ app: 'winston-json', run: RUN, level: 'info' }),
      line: 'hello from winston {"level":"info"}',
      meta: { structuredMetadata: { level_extracted: 'info' } } },
    { stream: sortedLabels({ app: 'winston-json', run: RUN, level: 'error' }),
      line: 'request failed {"user":"alice","attempt":3,"level":"error"}',
      meta: { structuredMetadata: { attempt: '3', level_extracted: 'error', user: 'alice' } } },
  ]);

  // A label filter on structured metadata.
  const alice = await queryRange(`${sel} | user="alice"`);
  assert.deepEqual(alice.flatMap((s) => s.values.map((v) => v[1])),
    ['request failed {"user":"alice","attempt":3,"level":"error"}']);
});

// ---- pino-loki: JSON, run the documented way (pino.transport worker) ------

test('pino-loki pushes JSON with labels and structured metadata', { timeout: TEST_TIMEOUT_MS }, async () => {
  const before = pushes.length;
  const transport = pino.transport({
    target: 'pino-loki',
    options: {
      host: proxyUrl,
      labels: { app: 'pino', run: RUN },
      propsToLabels: ['component'],
      batching: { interval: 60 }, // only close sends: one request
      timeout: 5000,
    },
  });
  const logger = pino({ base: { hostname: 'lode-test-host' } }, transport);
  const t0 = Date.now();
  logger.info('hello from pino');
  logger.warn({ component: 'api', meta: { trace_id: 'abc123', attempt: 2 } }, 'slow request');
  logger.error({ err_code: 'E42' }, 'boom');
  const t1 = Date.now();
  const closed = once(transport, 'close');
  transport.end();
  await bounded(closed, 10_000, 'pino transport to close');

  const sent = await pushesSince(before);
  assert.equal(sent.length, 1, `expected one push request, got ${sent.length}`);
  assert.equal(sent[0].status, 204, `lode answered the push with ${sent[0].status}: ${sent[0].text}`);
  assert.equal(sent[0].headers['content-type'], 'application/json');

  const sel = `{app="pino", run="${RUN}"}`;
  const result = await queryLines(sel, 3, { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' });
  assertTimestamps(result, t0, t1);
  const base = { app: 'pino', run: RUN, hostname: 'lode-test-host' };
  // pino-loki keeps pino's millisecond "time" in the line and sends it as the
  // entry timestamp (ns); the expected lines take it from the timestamp.
  const got = result
    .flatMap((s) => s.values.map((v) => ({ stream: sortedLabels(s.stream), ts: v[0], line: v[1], meta: v[2] })))
    .sort((a, b) => (a.line < b.line ? -1 : 1));
  for (const g of got) assert.match(g.ts, /000000$/, `pino-loki timestamp ${g.ts} is not whole milliseconds`);
  const ms = (g) => g.ts.slice(0, -6);
  assert.deepEqual(got.map(({ ts, ...rest }) => rest), [
    { stream: sortedLabels({ ...base, level: 'info' }),
      line: `{"level":30,"time":${ms(got[0])},"msg":"hello from pino"}`, meta: undefined },
    { stream: sortedLabels({ ...base, level: 'warning', component: 'api' }),
      line: `{"level":40,"time":${ms(got[1])},"component":"api","meta":{"trace_id":"abc123","attempt":2},"msg":"slow request"}`,
      meta: { structuredMetadata: { trace_id: 'abc123', attempt: '2' } } },
    { stream: sortedLabels({ ...base, level: 'error' }),
      line: `{"level":50,"time":${ms(got[2])},"err_code":"E42","msg":"boom"}`, meta: undefined },
  ]);

  // Without categorize-labels Loki merges structured metadata into the stream labels.
  const plain = await queryRange(`${sel} | trace_id="abc123"`);
  assert.deepEqual(normalize(plain).map(([labels]) => labels), [
    sortedLabels({ ...base, level: 'warning', component: 'api', trace_id: 'abc123', attempt: '2' }),
  ]);
});
