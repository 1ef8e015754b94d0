/**
 * Robustness on a generated corpus (hundreds of Dockerfiles with odd but valid syntax, malformed, binary
 * and huge files): no crash, per-file errors for malformed files, the run goes on. And the lexer agrees
 * with dockerfile-ast on every valid file (instructions, keywords, lines).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { lexDockerfile } from '../src/sources/dockerfile/lexer.js';
import { LineIndex } from '../src/document/text.js';
import { pid1 } from './helpers/cli.js';
import { rng, validDockerfile, writeCorpus } from './fixtures/lint/corpus.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-lint-corpus-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('hundreds of generated Dockerfiles: no crash, per-file errors, the run goes on', { timeout: 120_000 }, async () => {
  const stats = writeCorpus(root, 400);
  const r = await pid1(['lint', '--format', 'json', root], { timeout: 110_000 });
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr.slice(0, 500)}`);
  assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
  const out = JSON.parse(r.stdout) as {
    files: { file: string; kind: string; errors: { message: string; line?: number }[]; launches: unknown[] }[];
    summary: { files: number; errors: number; fileErrors: number };
  };
  const inputs = out.files.filter((f) => f.kind === 'dockerfile');
  assert.equal(inputs.length, stats.valid + stats.malformed + stats.binary + stats.huge);
  const internal = out.files.flatMap((f) => f.errors.filter((e) => /internal error/.test(e.message)).map((e) => `${f.file}: ${e.message}`));
  assert.deepEqual(internal, []);
  const validErrors = out.files.filter((f) => /\/p\d+\//.test(f.file)).flatMap((f) => f.errors.map((e) => `${f.file}: ${e.message}`));
  assert.deepEqual(validErrors, [], 'valid files lint without file errors');
  const malformed = out.files.filter((f) => f.file.includes('malformed'));
  const withErrors = malformed.filter((f) => f.errors.length > 0);
  assert.ok(withErrors.length >= 8, `malformed files with a per-file error: ${withErrors.length}`);
  for (const f of withErrors) for (const e of f.errors) assert.ok(e.message.length < 300 && !e.message.includes('\n'), `one line: ${e.message}`);
  const binary = out.files.filter((f) => f.file.includes('binary'));
  assert.ok(binary.filter((f) => f.errors.some((e) => /binary/.test(e.message))).length >= 5);
  const huge = out.files.find((f) => f.file.endsWith('huge/Dockerfile'));
  assert.equal(huge?.errors.length, 0);
  assert.equal(huge?.launches.length, 1);
  assert.ok(out.files.find((f) => f.file.endsWith('Dockerfile.toolarge'))?.errors.some((e) => /too large/.test(e.message)));
  assert.ok(out.summary.errors > 50, 'the corpus has plenty of real problems');
});

test('the lexer agrees with dockerfile-ast on instructions, keywords and lines', () => {
  const r = rng(7);
  let compared = 0;
  for (let i = 0; i < 300; i++) {
    const { dockerfile } = validDockerfile(r, i);
    const text = dockerfile.replace(/^\ufeff/, '');
    const ours = lexDockerfile(text);
    const lines = new LineIndex(text);
    const theirs = DockerfileParser.parse(text).getInstructions();
    const a = ours.instructions.map((x) => `${x.keyword}@${lines.position(x.start).line - 1}`);
    const b = theirs.map((x) => `${x.getKeyword()}@${x.getRange().start.line}`);
    assert.deepEqual(a, b, `file ${i}:\n${text}`);
    for (let k = 0; k < theirs.length; k++) {
      const t = theirs[k];
      const o = ours.instructions[k];
      if (!t || !o || o.heredocs.length || o.keyword === 'ONBUILD') continue;
      // dockerfile-ast keeps comment lines inside continuations; BuildKit (and we) drop them
      // dockerfile-ast leaves flags (--chmod=755) out of the arguments of COPY, ADD, FROM, RUN, ...
      const flags = 'getFlags' in t && typeof t.getFlags === 'function' ? (t.getFlags() as { toString(): string }[]).map((f) => f.toString()).join(' ') : '';
      const raw = `${flags} ${t.getRawArgumentsContent() ?? ''}`;
      if (/\n\s*#/.test(raw)) continue;
      const esc = ours.escape === '`' ? '`' : '\\\\';
      const theirArgs = raw.replace(new RegExp(`${esc}[ \\t]*\\r?\\n`, 'g'), ' ');
      assert.equal(o.args.value.split(/\s+/).filter(Boolean).join(' '), theirArgs.split(/\s+/).filter(Boolean).join(' '), `file ${i}, ${o.keyword} at line ${lines.position(o.start).line}`);
      compared++;
    }
    assert.equal(ours.escape, DockerfileParser.parse(text).getEscapeCharacter());
  }
  assert.ok(compared > 1000, `compared ${compared} instructions`);
});
