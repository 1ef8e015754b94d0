/**
 * `--fix` keeps its promises (issue 10, class 7): bytes that are not UTF-8 stay byte-for-byte outside the
 * edits; an edit someone saves while --fix runs is never lost (a real concurrent writer process); one run
 * reaches the fixed point; and the writer never writes outside the tree, through a symlink that leaves
 * it, or to something that is not a regular file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pid1 } from './helpers/cli.js';
import { tempDir } from './helpers/exec.js';
import { decodeWithOffsets } from '../src/document/bytes.js';
import { applyEditsToBytes } from '../src/document/edit.js';
import { NotWritten, writeChecked } from '../src/lint/apply.js';
import { runLint } from '../src/lint/run.js';
import { Confinement, readRegularFile, type FileSnapshot } from '../src/util/files.js';

test('the byte map: WHATWG UTF-8 decoding with offsets gives exactly what Buffer#toString gives (200,000 random inputs)', () => {
  // bytes chosen to hit every boundary of the decoder (lead bytes, continuation ranges, surrogates, overlongs)
  const pool = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xa0, 0x9f, 0xed, 0xef, 0xf0, 0x90, 0x8f, 0xf4, 0xf5, 0xff, 0xe2, 0x82, 0xac, 0x9f, 0x98, 0x80, 0x0a];
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let t = 0; t < 200_000; t++) {
    const b = Buffer.from(Array.from({ length: rand(12) }, () => (rand(5) ? (pool[rand(pool.length)] as number) : rand(256))));
    const d = decodeWithOffsets(b);
    assert.equal(d.text, b.toString('utf8'), `bytes ${b.toString('hex')}`);
    assert.equal(d.offsets[d.text.length], b.length);
  }
});

test('edits on bytes: everything outside an edit is kept, invalid UTF-8 included; copying U+FFFD is refused', () => {
  const bytes = Buffer.concat([Buffer.from('FROM debian:12\n# caf'), Buffer.from([0xe9, 0x20, 0xff, 0xfe, 0xc3]), Buffer.from('\nCMD python app.py\n')]);
  const text = bytes.toString('utf8');
  const at = text.indexOf('python');
  const r = applyEditsToBytes(bytes, text, [{ file: 'x', start: at, end: at + 'python app.py'.length, text: '["python", "app.py"]' }]);
  assert.ok(r.ok);
  assert.equal(r.bytes.toString('latin1'), bytes.toString('latin1').replace('python app.py', '["python", "app.py"]'));
  const bad = applyEditsToBytes(bytes, text, [{ file: 'x', start: 0, end: 4, text: 'caf\ufffd' }]);
  assert.deepEqual(bad, { ok: false, reason: 'the fix would rewrite bytes that are not UTF-8' });
});

test('--fix on a file that is not UTF-8: only the edit changes, byte for byte; a fix that would copy such bytes is not made', async () => {
  const dir = tempDir('pid1-fix-bytes-');
  // Latin-1 comment, a lone continuation byte, a truncated sequence, CRLF line ends and a BOM
  const head = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('FROM debian:12\r\n# caf'), Buffer.from([0xe9, 0x20, 0x80, 0xe2, 0x82]), Buffer.from('\r\n')]);
  const file = path.join(dir, 'Dockerfile');
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from('CMD python app.py\r\n# end '), Buffer.from([0xff]), Buffer.from('\r\n')]));
  const r = await pid1(['lint', '--fix', '--format', 'json', file]);
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(fs.readFileSync(file), Buffer.concat([head, Buffer.from('CMD ["python", "app.py"]\r\n# end '), Buffer.from([0xff]), Buffer.from('\r\n')]));
  // the service's name holds a byte that is not UTF-8: the JSON form would have to copy it as U+FFFD
  const other = path.join(dir, 'Dockerfile.latin1');
  const original = Buffer.concat([Buffer.from('FROM debian:12\nCMD python caf'), Buffer.from([0xe9]), Buffer.from('.py\n')]);
  fs.writeFileSync(other, original);
  const refused = await pid1(['lint', '--fix', '--format', 'json', other]);
  assert.equal(refused.code, 1);
  const out = JSON.parse(refused.stdout) as { files: { errors: { message: string }[] }[]; summary: { fixed: number } };
  assert.equal(out.summary.fixed, 0);
  assert.deepEqual(
    out.files.flatMap((f) => f.errors.map((e) => e.message)),
    ['not fixed: the fix would rewrite bytes that are not UTF-8'],
  );
  assert.deepEqual(fs.readFileSync(other), original, 'nothing written');
});

test('one run reaches the fixed point: CMD sh -c "x" becomes the exec form with exec inside, and a second run changes nothing', async () => {
  // (one fix does both: the JSON form alone would still run a dash that does not exec x, and is not offered)
  const dir = tempDir('pid1-fix-point-');
  const file = path.join(dir, 'Dockerfile');
  fs.writeFileSync(file, 'FROM debian:12\nCMD sh -c "python app.py"\n');
  const dry = await pid1(['lint', '--fix-dry-run', file]);
  assert.match(dry.stdout, /^-CMD sh -c "python app\.py"\n\+CMD \["sh", "-c", "exec python app\.py"\]$/m);
  const first = await pid1(['lint', '--fix', '--format', 'json', file]);
  assert.equal(first.code, 0, first.stdout);
  assert.equal((JSON.parse(first.stdout) as { summary: { fixed: number } }).summary.fixed, 1);
  assert.equal(fs.readFileSync(file, 'utf8'), 'FROM debian:12\nCMD ["sh", "-c", "exec python app.py"]\n');
  const second = await pid1(['lint', '--fix', '--format', 'json', file]);
  assert.equal((JSON.parse(second.stdout) as { summary: { fixed: number } }).summary.fixed, 0);
});

test('one run fixes a shell-form ENTRYPOINT and the script it runs, together (the JSON form alone would still lose the signal)', async () => {
  // One fix, two files: the exec form for the ENTRYPOINT and `exec` before the script's final command.
  const dir = tempDir('pid1-fix-rounds-');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM debian:12\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT /entrypoint.sh\n');
  fs.writeFileSync(path.join(dir, 'entrypoint.sh'), '#!/bin/sh\nset -e\ngunicorn app:app\n', { mode: 0o755 });
  const dry = await pid1(['lint', '--fix-dry-run', dir]);
  const r = await pid1(['lint', '--fix', '--format', 'json', dir]);
  const out = JSON.parse(r.stdout) as { summary: { fixed: number; errors: number } };
  assert.equal(fs.readFileSync(path.join(dir, 'entrypoint.sh'), 'utf8'), '#!/bin/sh\nset -e\nexec gunicorn app:app\n', dry.stdout);
  assert.match(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), /^ENTRYPOINT \["\/entrypoint\.sh"\]$/m);
  assert.equal(out.summary.errors, 0);
  assert.match(dry.stdout, /\+exec gunicorn app:app/);
  const again = await pid1(['lint', '--fix', '--format', 'json', dir]);
  assert.equal((JSON.parse(again.stdout) as { summary: { fixed: number } }).summary.fixed, 0);
});

function snap(file: string): FileSnapshot {
  const r = readRegularFile(file, 1 << 20);
  assert.ok(r.ok);
  return r.snap;
}

test('the writer: refuses a file changed since it was read, outside the tree, through a symlink that leaves it, or not regular', () => {
  const dir = tempDir('pid1-fix-write-');
  const root = path.join(dir, 'repo');
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  const conf = new Confinement([root]);
  const file = path.join(root, 'Dockerfile');
  fs.writeFileSync(file, 'one\n');
  const s = snap(file);
  fs.writeFileSync(file, 'two\n');
  assert.throws(
    () => writeChecked(file, Buffer.from('fixed\n'), s, conf),
    (e: unknown) => e instanceof NotWritten && /^it was changed while pid1 was fixing it: not written; run pid1 lint --fix again$/.test(e.message),
  );
  assert.equal(fs.readFileSync(file, 'utf8'), 'two\n');
  // replaced by another file (an editor's save by rename): also seen
  const s2 = snap(file);
  fs.writeFileSync(`${file}.new`, 'two\n');
  fs.renameSync(`${file}.new`, file);
  assert.throws(() => writeChecked(file, Buffer.from('fixed\n'), s2, conf), /it was replaced while pid1/);
  // unchanged: written, mode kept, no temp file left
  fs.chmodSync(file, 0o640);
  writeChecked(file, Buffer.from('fixed\n'), snap(file), conf);
  assert.equal(fs.readFileSync(file, 'utf8'), 'fixed\n');
  assert.equal(fs.statSync(file).mode & 0o777, 0o640);
  assert.deepEqual(fs.readdirSync(root), ['Dockerfile']);
  // outside the tree, and through a symlink that leaves it
  const out = path.join(outside, 'Dockerfile');
  fs.writeFileSync(out, 'outside\n');
  assert.throws(() => writeChecked(out, Buffer.from('x'), snap(out), conf), /it is outside the linted tree .*: not written/);
  fs.symlinkSync(out, path.join(root, 'Dockerfile.link'));
  assert.throws(() => writeChecked(path.join(root, 'Dockerfile.link'), Buffer.from('x'), snap(out), conf), /a symlink to .*outside\/Dockerfile, outside the linted tree .*: not written/);
  assert.equal(fs.readFileSync(out, 'utf8'), 'outside\n');
  // not a regular file (a FIFO swapped in after the read)
  const s3 = snap(file);
  fs.rmSync(file);
  execFileSync('mkfifo', [file]);
  assert.throws(() => writeChecked(file, Buffer.from('x'), s3, conf), /not a regular file \(a FIFO\): not written/);
});

// A writer process: N saves of the file, each followed by a check (after 1 ms, again after 20 ms if it
// looks lost) that the file still holds that save or a later one. MODE=rename saves as editors that
// write a temp file and rename it do; otherwise in place (open with O_TRUNC, write, close).
const WRITER = `
const fs = require('node:fs');
const [file, n, mode] = process.argv.slice(1);
const body = (i) => 'FROM debian:12\\n# edit ' + i + '\\nCMD python app.py --n ' + i + '\\n';
const markerOf = (t) => Number((/# edit (\\d+)/.exec(t) || [])[1] ?? -1);
const pause = new Int32Array(new SharedArrayBuffer(4));
let lost = 0, transient = 0;
for (let i = 1; i <= Number(n); i++) {
  if (mode === 'rename') { fs.writeFileSync(file + '.w', body(i)); fs.renameSync(file + '.w', file); } else fs.writeFileSync(file, body(i));
  Atomics.wait(pause, 0, 0, 1);
  if (markerOf(fs.readFileSync(file, 'utf8')) < i) {
    Atomics.wait(pause, 0, 0, 20);
    if (markerOf(fs.readFileSync(file, 'utf8')) < i) lost++; else transient++;
  }
}
process.stdout.write(JSON.stringify({ lost, transient }));
`;

async function race(mode: 'rename' | 'in-place', saves: number): Promise<{ lost: number; transient: number; runs: number; written: number; skipped: number }> {
  const dir = tempDir('pid1-fix-race-');
  const file = path.join(dir, 'Dockerfile');
  fs.writeFileSync(file, 'FROM debian:12\n# edit 0\nCMD python app.py\n');
  const w = spawn(process.execPath, ['-e', WRITER, file, String(saves), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  w.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let done = false;
  w.on('exit', () => {
    done = true;
  });
  let runs = 0;
  let written = 0;
  let skipped = 0;
  while (!done) {
    const o = await runLint({ paths: [file], fix: true });
    runs++;
    written += o.plans.length;
    if (o.result.files.some((f) => f.errors.some((e) => /^not fixed: it was (changed|replaced) while pid1 was fixing it/.test(e.message)))) skipped++;
    await new Promise((r) => setImmediate(r));
  }
  const r = JSON.parse(out) as { lost: number; transient: number };
  return { ...r, runs, written, skipped };
}

test('an edit saved while --fix runs is never lost (a writer process saving every millisecond)', async (t) => {
  const saves = 3000;
  const renamed = await race('rename', saves);
  t.diagnostic(`saves by rename: ${JSON.stringify(renamed)}`);
  const inPlace = await race('in-place', saves);
  t.diagnostic(`saves in place: ${JSON.stringify(inPlace)}`);
  for (const r of [renamed, inPlace]) {
    // the race ran when fixes met the writer's saves: written, or refused because a save came in between (on a loaded
    // CI machine most attempts are refused: 20 written and 1,437 refused in 5,025 runs was seen once)
    assert.ok(r.written > 0 && r.written + r.skipped > 20, `the race was not run: ${JSON.stringify(r)}`);
    assert.ok(r.skipped > 0, `no fix was ever refused for a concurrent save: ${JSON.stringify(r)}`);
  }
  assert.equal(renamed.lost, 0, 'a save by rename was lost');
  // in place: a write through a descriptor opened before the swap and made after the last check cannot be
  // seen by any writer that replaces files (a window of microseconds; rename-based --fix lost ~30% before)
  assert.ok(inPlace.lost <= 3, `saves in place lost: ${inPlace.lost} of ${saves}`);
});
