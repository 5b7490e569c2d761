// End-to-end test: the OpenTelemetry JS SDK (@opentelemetry/sdk-logs) sends
// logs to lode's POST /otlp/v1/logs with its real exporters, protobuf
// (@opentelemetry/exporter-logs-otlp-proto) and JSON with gzip
// (@opentelemetry/exporter-logs-otlp-http); the test reads them back with
// LogQL and checks stream labels (Loki 3's mapping of resource attributes),
// structured metadata (log attributes, severity, trace and span ids, scope)
// and lines.
//
// Contract: LODE_URL names a ready lode (run.sh). The exporters talk to a
// recording proxy on 127.0.0.1 that forwards bytes unchanged, so the test
// also asserts the encoding that went over the wire and lode's 200 answers.
// Every wait is bounded (fetch timeouts, test timeouts, run.sh's timeout).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';

import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';

const LODE_URL = process.env.LODE_URL;
if (!LODE_URL) throw new Error('LODE_URL is not set (run tests/clients/run.sh)');

const RUN = randomBytes(4).toString('hex');
const TEST_TIMEOUT_MS = 30_000;
const startMs = Date.now();

// ---- recording proxy (same thread: the exporters are asynchronous) ---------
const exports = []; // {contentType, contentEncoding, status, body: Buffer}
let proxy;
let proxyUrl;

before(async () => {
  proxy = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = { ...req.headers };
    for (const h of ['host', 'content-length', 'connection', 'transfer-encoding']) delete headers[h];
    let status = 502;
    let body = Buffer.alloc(0);
    let ctype = 'text/plain';
    try {
      const r = await fetch(new URL(req.url, LODE_URL), {
        method: req.method,
        headers,
        body: Buffer.concat(chunks),
        signal: AbortSignal.timeout(10_000),
      });
      status = r.status;
      ctype = r.headers.get('content-type') ?? '';
      body = Buffer.from(await r.arrayBuffer());
    } catch (e) {
      body = Buffer.from('proxy: ' + e);
    }
    exports.push({
      path: req.url,
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
      status,
      body,
    });
    res.writeHead(status, { 'content-type': ctype });
    res.end(body);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
});

after(() => {
  proxy.closeAllConnections();
  proxy.close();
});

// ---- helpers -----------------------------------------------------------------
async function queryRange(query) {
  const u = new URL('/loki/api/v1/query_range', LODE_URL);
  u.searchParams.set('query', query);
  u.searchParams.set('start', String((startMs - 300_000) * 1e6));
  u.searchParams.set('end', String((Date.now() + 300_000) * 1e6));
  u.searchParams.set('direction', 'forward');
  u.searchParams.set('limit', '1000');
  const r = await fetch(u, {
    headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  assert.equal(r.status, 200, `query_range ${query} -> HTTP ${r.status}: ${text}`);
  return JSON.parse(text).data.result;
}

// Sends the records through a real LoggerProvider + exporter, flushes and
// shuts it down; returns the recorded exports.
async function emitWith(exporter, resourceAttrs, records) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resourceAttrs),
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 50 })],
  });
  const logger = provider.getLogger('shop.checkout', '2.1.0');
  const before = exports.length;
  for (const r of records) logger.emit(r);
  await provider.forceFlush();
  await provider.shutdown();
  return exports.slice(before);
}

function spanContext(traceId, spanId) {
  return trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
}

const TRACE_ID = randomBytes(16).toString('hex');
const SPAN_ID = randomBytes(8).toString('hex');

async function checkRoundTrip(exporter, wantContentType, wantEncoding, service) {
  const resource = {
    'service.name': service,
    'service.namespace': 'shop',
    'deployment.environment': 'test',
    'host.name': 'node-' + RUN,
    'process.pid': 4242,
  };
  const t0 = Date.now();
  const sent = await emitWith(exporter, resource, [
    {
      body: `order placed ${RUN}`,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      timestamp: t0,
      attributes: { 'order.id': 'o-1', 'http.status_code': 201, user: { tier: 'gold' } },
      context: spanContext(TRACE_ID, SPAN_ID),
    },
    {
      body: { event: 'payment', amount: 12.5, ok: false },
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      timestamp: t0 + 1,
      attributes: { 'order.id': 'o-2' },
    },
  ]);
  assert.ok(sent.length >= 1, 'the exporter sent nothing');
  for (const s of sent) {
    assert.equal(s.path, '/otlp/v1/logs');
    assert.equal(s.contentType, wantContentType);
    assert.equal(s.contentEncoding, wantEncoding);
    assert.equal(s.status, 200, `lode answered ${s.status}: ${s.body}`);
  }

  const selector = `{service_name="${service}"}`;
  const result = await queryRange(selector);
  assert.equal(result.length, 1, JSON.stringify(result));
  assert.deepEqual(result[0].stream, {
    deployment_environment: 'test',
    service_name: service,
    service_namespace: 'shop',
  });
  const values = result[0].values;
  assert.equal(values.length, 2, JSON.stringify(values));
  assert.equal(values[0][0], String(BigInt(t0) * 1000000n));
  assert.equal(values[0][1], `order placed ${RUN}`);
  assert.equal(values[1][1], '{"amount":12.5,"event":"payment","ok":false}');
  const md = values[0][2].structuredMetadata;
  assert.equal(md.trace_id, TRACE_ID);
  assert.equal(md.span_id, SPAN_ID);
  assert.equal(md.flags, '1');
  assert.equal(md.severity_text, 'INFO');
  assert.equal(md.severity_number, '9');
  assert.equal(md.order_id, 'o-1');
  assert.equal(md.http_status_code, '201');
  assert.equal(md.user_tier, 'gold');
  assert.equal(md.host_name, 'node-' + RUN);
  assert.equal(md.process_pid, '4242');
  assert.equal(md.scope_name, 'shop.checkout');
  assert.equal(md.scope_version, '2.1.0');
  assert.ok(md.observed_timestamp, JSON.stringify(md));
  assert.equal(values[1][2].structuredMetadata.severity_text, 'ERROR');

  // The structured metadata filters Grafana uses for trace-to-logs.
  const byTrace = await queryRange(`${selector} | trace_id="${TRACE_ID}"`);
  assert.equal(byTrace.length, 1);
  assert.deepEqual(byTrace[0].values.map((v) => v[1]), [`order placed ${RUN}`]);
  const errors = await queryRange(`${selector} | detected_level="error"`);
  assert.deepEqual(errors.flatMap((s) => s.values.map((v) => v[1])), [values[1][1]]);
  const json = await queryRange(`${selector} | severity_text="ERROR" | json | event="payment"`);
  assert.equal(json.length, 1);
}

test('OTLP protobuf exporter (@opentelemetry/exporter-logs-otlp-proto)', { timeout: TEST_TIMEOUT_MS }, async () => {
  const exporter = new ProtoExporter({ url: `${proxyUrl}/otlp/v1/logs`, headers: { 'X-Scope-OrgID': 'fake' } });
  await checkRoundTrip(exporter, 'application/x-protobuf', undefined, `checkout-proto-${RUN}`);
});

test('OTLP JSON exporter with gzip (@opentelemetry/exporter-logs-otlp-http)', { timeout: TEST_TIMEOUT_MS }, async () => {
  const exporter = new JsonExporter({
    url: `${proxyUrl}/otlp/v1/logs`,
    headers: { 'X-Scope-OrgID': 'fake' },
    compression: 'gzip',
  });
  await checkRoundTrip(exporter, 'application/json', 'gzip', `checkout-json-${RUN}`);
});
