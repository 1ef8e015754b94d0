/**
 * `pid1 lint` throughput against dockerfile-utils' validate on the same generated Dockerfiles:
 * - in-process: files linted per second (pid1: lex, stages, launch chain, shell analysis with
 *   tree-sitter, entrypoint scripts from the build context, every rule) vs validate();
 * - whole CLI: `pid1 lint --format json TREE` vs a one-process dockerfile-utils walker over the same tree
 *   (node start-up included in both).
 * Printed as ratios (pid1 / peer, higher is better for pid1), best of interleaved rounds; the target is >= 2x.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';
import { loadShellParser } from '../src/model/shell.js';
import { Linter } from '../src/lint/engine.js';
import { makeDocument } from '../src/document/document.js';
import { discover } from '../src/sources/walk.js';
import { writeCorpus } from '../test/fixtures/lint/corpus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../src/cli/main.js');
const PEER = path.resolve(here, '_peer-dockerfile-utils.js');

/** The best of interleaved rounds: the least disturbed by other load on the machine (CI shares 2 cores). */
function median(xs: number[]): number {
  return Math.min(...xs);
}

function timeMs(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export interface LintBench {
  files: number;
  cliFiles: number;
  inProcess: { pid1PerSec: number; peerPerSec: number; ratio: number };
  cli: { pid1Ms: number; peerMs: number; ratio: number };
}

export async function measure(count = 2000, rounds = 7, cliCount = 6000): Promise<LintBench> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-bench-lint-'));
  try {
    writeCorpus(root, count, 1234, false);
    const found = discover([root]);
    const texts = found.map((f) => ({ abs: f.abs, text: fs.readFileSync(f.abs, 'utf8') }));
    await loadShellParser();
    const ours = (): void => {
      const linter = new Linter();
      for (const t of texts) {
        const doc = makeDocument(t.abs, t.text, 'dockerfile', t.abs);
        linter.store.add(doc);
        linter.lint(doc);
      }
      linter.result();
    };
    const peer = (): void => {
      for (const t of texts) validate(t.text);
    };
    ours();
    peer(); // warm up
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < rounds; i++) {
      a.push(timeMs(ours));
      b.push(timeMs(peer));
    }
    const pid1PerSec = texts.length / (median(a) / 1000);
    const peerPerSec = texts.length / (median(b) / 1000);
    // the whole-CLI run goes over a larger tree (the same generator, more files)
    writeCorpus(root, cliCount, 1234, false);
    const cliFiles = discover([root]).length;
    const cliA: number[] = [];
    const cliB: number[] = [];
    for (let i = 0; i < 3; i++) {
      cliA.push(
        timeMs(() => {
          try {
            execFileSync(process.execPath, [CLI, 'lint', '--format', 'json', root], { stdio: 'pipe', maxBuffer: 1 << 30 });
          } catch (e) {
            if ((e as { status?: number }).status !== 1) throw e;
          }
        }),
      );
      cliB.push(
        timeMs(() => {
          execFileSync(process.execPath, [PEER, root], { stdio: 'pipe', maxBuffer: 1 << 30 });
        }),
      );
    }
    return {
      files: texts.length,
      cliFiles,
      inProcess: { pid1PerSec, peerPerSec, ratio: pid1PerSec / peerPerSec },
      cli: { pid1Ms: median(cliA), peerMs: median(cliB), ratio: median(cliB) / median(cliA) },
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const r = await measure();
  console.log(`pid1 lint over ${r.files} generated Dockerfiles, against dockerfile-utils validate on the same files (target >= 2x):`);
  console.log(`  in-process: pid1 ${r.inProcess.pid1PerSec.toFixed(0)} files/s, dockerfile-utils ${r.inProcess.peerPerSec.toFixed(0)} files/s: ratio ${r.inProcess.ratio.toFixed(2)}x`);
  console.log(`  whole CLI over ${r.cliFiles} files:  pid1 ${r.cli.pid1Ms.toFixed(0)} ms, dockerfile-utils walker ${r.cli.peerMs.toFixed(0)} ms: ratio ${r.cli.ratio.toFixed(2)}x`);
}
