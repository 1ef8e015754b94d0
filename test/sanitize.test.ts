/**
 * The one sanitiser (src/util/sanitize.ts): text views escape what a terminal or a GitHub Actions runner
 * would act on; JSON stays exact; excerpts stay short. The runner's rules it follows are in
 * actions/runner src/Runner.Common/ActionCommand.cs (a line that starts with "::" after TrimStart, and
 * "##[" anywhere in a line, are commands).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { excerpt, kernelBytesToText, safeDeep, safeJson, safeLineStart, safeLines, safeName, safeText } from '../src/util/sanitize.js';

test('safeText: controls, C1, separators and bidi controls as escapes; ##[ broken; backslashes kept unless asked', () => {
  assert.equal(safeText('plain text: CMD ["a", "b"] \\ (continued)'), 'plain text: CMD ["a", "b"] \\ (continued)');
  assert.equal(safeText('a\nb\tc\rd'), 'a\\nb\\tc\\rd');
  assert.equal(safeText('\x1b[2J\x07\x9b31m\x7f\x00'), '\\e[2J\\x07\\x9b31m\\x7f\\x00');
  assert.equal(safeText('abc\u202edcba\u2066\u2028\u200e\ufeff'), 'abc\\u202edcba\\u2066\\u2028\\u200e\\ufeff');
  assert.equal(safeText('see ##[error]x and ##[group]'), 'see ##\\[error]x and ##\\[group]');
  assert.equal(safeText('a\tb', { keepTabs: true }), 'a\tb');
  assert.equal(safeText('back\\slash\n', { backslashes: true }), 'back\\\\slash\\n');
  // idempotent: a message made safe twice (by a source and by a format) reads the same
  const once = safeText('\x1b[31m##[error]x');
  assert.equal(safeText(once), once);
});

test("safeName (pid1 watch's process names): the same escapes, backslashes doubled, other text as it is", () => {
  assert.equal(safeName('plain-name_1.2 ünïcødé'), 'plain-name_1.2 ünïcødé');
  assert.equal(safeName('\x1b[2J\n::error::x\\n'), '\\e[2J\\n::error::x\\\\n');
  // a comm read from the kernel as latin1 bytes: UTF-8 decoded, then made safe
  assert.equal(safeName(kernelBytesToText(Buffer.from('srv-\u00e9\x9b', 'utf8').toString('latin1'))), 'srv-é\\x9b');
});

test('safeLineStart: a line-leading "::" (after whitespace, as the runner trims) becomes a ./ path', () => {
  assert.equal(safeLineStart('::error file=x::y/Dockerfile'), './::error file=x::y/Dockerfile');
  assert.equal(safeLineStart('  ::warning::x'), './::warning::x');
  assert.equal(safeLineStart('svc/Dockerfile'), 'svc/Dockerfile');
  assert.equal(safeLines('ok\r\n::error::x\n\x1b'), 'ok\n::error::x\n\\e');
});

test('safeJson: the same value after JSON.parse, with nothing raw that a terminal or the runner acts on', () => {
  const value = { s: 'a\x1b[2J\x9b\u2028\u202e##[error]x\n::error::y', n: 1, list: ['##[', '\x7f'] };
  const text = safeJson(value);
  assert.deepEqual(JSON.parse(text), value);
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u202e]/.test(text));
  assert.ok(!text.includes('##['));
  assert.ok(text.split('\n').every((l) => !/^\s*::/.test(l)));
});

test('excerpt: short, safe, marked when cut; safeDeep: every string of a report', () => {
  assert.equal(excerpt('ROOT:*:20228:0:99999:7:::', 8), 'ROOT:*:2…');
  assert.equal(excerpt('\x1b[31m', 8), '\\e[31m');
  assert.deepEqual(safeDeep({ a: ['\x1b'], b: { c: '\n' }, d: 3, e: null }), { a: ['\\e'], b: { c: '\\n' }, d: 3, e: null });
});
