// The explorer's DOM-free modules (ui/*.js) under node: query edits made by
// the filter buttons, highlighting, completion-free helpers, field parsing,
// levels, entries and time ranges. UI_SRC names the ui/ source directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const { UI_SRC } = process.env;
if (!UI_SRC) throw new Error('UI_SRC is not set (run tests/ui/run.sh)');
const load = (name) => import(pathToFileURL(join(UI_SRC, name)).href);
const qe = await load('query-edit.js');
const hl = await load('highlight.js');
const fields = await load('fields.js');
const results = await load('results.js');
const tr = await load('timerange.js');
const api = await load('api.js');

test('filter buttons: label matchers go into the selector, fields become stages', () => {
  assert.equal(qe.applyFilter('{app="a"}', { kind: 'label', key: 'env', op: '=', value: 'prod' }), '{app="a", env="prod"}');
  assert.equal(qe.applyFilter('{app="a", env="prod"}', { kind: 'label', key: 'env', op: '=', value: 'prod' }), '{app="a", env="prod"}');
  // Braces inside strings are not the selector's end.
  assert.equal(qe.applyFilter('{app="}{"} |= "x"', { kind: 'label', key: 'k', op: '!=', value: 'v"q' }), '{app="}{", k!="v\\"q"} |= "x"');
  assert.equal(qe.applyFilter('', { kind: 'label', key: 'a', op: '=', value: 'b' }), '{a="b"}');
  assert.equal(qe.applyFilter('{a="b"}', { kind: 'line', value: 'say "hi"\\' }), '{a="b"} != "say \\"hi\\"\\\\"');
  assert.equal(qe.applyFilter('{a="b"}', { kind: 'parsed', key: 'user', op: '=', value: '7', parser: 'logfmt' }), '{a="b"} | logfmt | user="7"');
  assert.equal(qe.applyFilter('{a="b"} | logfmt', { kind: 'parsed', key: 'user', op: '!=', value: '7', parser: 'logfmt' }), '{a="b"} | logfmt | user!="7"');
  assert.equal(qe.applyFilter('{a="b"}', { kind: 'meta', key: 'trace_id', op: '=', value: 't1' }), '{a="b"} | trace_id="t1"');
  assert.equal(qe.replaceSelector('sum(rate({a="b"}[1m]))', '{c="d"}'), 'sum(rate({c="d"}[1m]))');
});

test('highlighting: token classes and the error mark', () => {
  const types = hl.tokenize('sum by (app) (rate({app=~"a.*"} |= `x` | json [5m])) # c')
    .filter((t) => t.type !== 'ws').map((t) => `${t.type}:${t.text}`);
  assert.deepEqual(types, ['fn:sum', 'kw:by', 'punc:(', 'id:app', 'punc:)', 'punc:(', 'fn:rate', 'punc:(', 'punc:{', 'lbl:app',
    'op:=~', 'str:"a.*"', 'punc:}', 'op:|=', 'str:`x`', 'op:|', 'kw:json', 'punc:[', 'dur:5m', 'punc:]', 'punc:)', 'punc:)', 'cmt:# c']);
  assert.equal(hl.toHtml('{a="<b>"}'), '<span class="t-punc">{</span><span class="t-lbl">a</span><span class="t-op">=</span><span class="t-str">"&lt;b&gt;"</span><span class="t-punc">}</span>\n');
  assert.match(hl.toHtml('{a=}', 3), /<mark class="err">}<\/mark>/);
  assert.match(hl.toHtml('{a=', 3), /<mark class="err"> <\/mark>\n$/);
});

test('fields: JSON (flattened) and logfmt (quoted values)', () => {
  assert.deepEqual(fields.parseFields('{"level":"info","user":{"id":7},"tags":["a"]}'),
    { parser: 'json', fields: { level: 'info', user_id: '7', tags: '["a"]' } });
  assert.deepEqual(fields.parseFields('level=warn msg="a \\"b\\" c" empty= n=1'),
    { parser: 'logfmt', fields: { level: 'warn', msg: 'a "b" c', empty: '', n: '1' } });
  assert.deepEqual(fields.parseFields('just text'), { parser: 'logfmt', fields: {} });
});

test('levels: labels, metadata, fields, then the line', () => {
  assert.equal(fields.detectLevel({ level: 'ERR' }, null, null, 'info'), 'error');
  assert.equal(fields.detectLevel({}, { severity: 'Warning' }, null, ''), 'warn');
  assert.equal(fields.detectLevel({}, null, { lvl: 'dbg' }, ''), 'debug');
  assert.equal(fields.detectLevel({}, null, null, '{"level":"fatal"}'), 'fatal');
  assert.equal(fields.detectLevel({}, null, null, '2024 [ERROR] disk full'), 'error');
  assert.equal(fields.detectLevel({}, null, null, 'nothing here'), 'unknown');
});

test('entries: newest first across streams, metadata and parsed labels kept', () => {
  const e = results.toEntries([
    { stream: { a: '1' }, values: [['999000000', 'old'], ['1000000001000000', 'level=info new', { structuredMetadata: { t: 'x' } }]] },
    { stream: { a: '2' }, values: [['1000000000000000', '{"level":"error"}', { parsed: { level: 'error' } }]] },
  ]);
  assert.deepEqual(e.map((x) => x.line), ['level=info new', '{"level":"error"}', 'old']);
  assert.deepEqual(e.map((x) => x.level), ['info', 'error', 'unknown']);
  assert.equal(e[0].ts, 1000000001);
  assert.deepEqual(e[0].meta, { t: 'x' });
  assert.deepEqual(e[0].fields, { level: 'info' });
  assert.equal(e[1].fields, undefined); // lode parsed it: no browser parsing
  assert.equal(results.statsText({ totalBytesProcessed: 3000, totalLinesProcessed: 60, execTime: 0.0008 }, 60),
    '60 returned · 3.0 kB and 60 lines processed · 0.8 ms');
});

test('time ranges and steps', () => {
  assert.equal(tr.resolve('now-5m', 1e6), 1e6 - 300e3);
  assert.equal(tr.resolve('now', 5), 5);
  assert.equal(tr.resolve('1700000000000'), 1700000000000);
  assert.ok(Number.isNaN(tr.resolve('yesterday')));
  assert.equal(tr.formatTime(Date.UTC(2024, 1, 3, 4, 5, 6, 7), true), '2024-02-03 04:05:06.007');
  assert.equal(tr.fromInput('2024-02-03T04:05', true), Date.UTC(2024, 1, 3, 4, 5));
  assert.equal(tr.toInput(Date.UTC(2024, 1, 3, 4, 5, 6), true), '2024-02-03T04:05:06');
  assert.equal(api.niceStep(0, 3600e3), 30);
  assert.equal(api.niceStep(0, 30 * 86400e3), 21600);
  assert.equal(api.ns(1.5), '1500000');
  assert.ok(api.isLogQuery(' # c\n{a="b"} |= "x"'));
  assert.ok(!api.isLogQuery('sum(count_over_time({a="b"}[1m]))'));
  assert.equal(api.volumeQuery('{a="b"} |= "x"', 60), 'sum by (level, detected_level) (count_over_time({a="b"} |= "x" | drop __error__[60s]))');
});
