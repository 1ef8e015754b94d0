/**
 * Running `pid1 init` in tests: as the init of a real PID namespace (startNamespace) or as a plain
 * child of the test (then it is a child subreaper), with its report in a temporary file that the
 * test reads back. Everything started here is killed by PID at exit, descendants first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { childrenOf } from '../../src/proc/stat.js';
import { CLI } from './cli.js';
import { startNamespace, type Namespace } from './ns.js';
import { waitFor } from './exec.js';
import { svcBinary } from './rootfs.js';
import { parseReport, type InitEvent, type InitRun } from '../../src/init/report.js';
import { tempDir } from './exec.js';

const tmp = tempDir('pid1-init-test-');
let seq = 0;

/** A fresh report path. */
export function reportPath(): string {
  return path.join(tmp, `report-${++seq}.jsonl`);
}

/** The last run in a report file (undefined while nothing was written). */
export function lastRun(file: string): InitRun | undefined {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const runs = parseReport(text);
  return runs[runs.length - 1];
}

export function eventsOf<K extends InitEvent['init']>(run: InitRun | undefined, kind: K): Extract<InitEvent, { init: K }>[] {
  return (run?.events ?? []).filter((e): e is Extract<InitEvent, { init: K }> => e.init === kind);
}

/** Wait until the report holds an event matching `pred`. */
export function waitForEvent<K extends InitEvent['init']>(
  file: string,
  kind: K,
  pred: (e: Extract<InitEvent, { init: K }>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Extract<InitEvent, { init: K }>> {
  return waitFor(`report event "${kind}" in ${file}`, () => eventsOf(lastRun(file), kind).find(pred), timeoutMs);
}

/** The test service (test/fixtures/svc.c, static), through a link named `svc` so that its comm is "svc". */
export function svc(): string {
  const link = path.join(tmp, 'bin', 'svc');
  if (!fs.existsSync(link)) {
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(svcBinary(), link);
  }
  return link;
}

export interface InitInNamespace {
  ns: Namespace;
  report: string;
  run(): InitRun | undefined;
}

/** `pid1 init [opts] -- cmd` as PID 1 of a new PID namespace. */
export async function initInNamespace(opts: string[], cmd: string[], o: { readyLine?: RegExp; env?: NodeJS.ProcessEnv } = {}): Promise<InitInNamespace> {
  const report = reportPath();
  const ns = await startNamespace([process.execPath, CLI, 'init', '--report', report, ...opts, '--', ...cmd], o);
  return { ns, report, run: () => lastRun(report) };
}

/** Children of a process from /proc (any thread), for cleanup and assertions. */
export function childPids(pid: number): number[] {
  return childrenOf(pid);
}

/** Every descendant of pid, parents first. */
export function treeOf(pid: number): number[] {
  const out: number[] = [];
  const queue = childPids(pid);
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    out.push(p);
    queue.push(...childPids(p));
  }
  return out;
}

/** SIGKILL a process and all its descendants, by PID, descendants first. */
export function killTree(pid: number): void {
  for (const p of [...treeOf(pid).reverse(), pid]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export interface InitHere {
  proc: ChildProcess;
  pid: number;
  report: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  run(): InitRun | undefined;
}

const started = new Set<number>();

/** `pid1 init [opts] -- cmd` as an ordinary child of the test: not PID 1, so a child subreaper. */
export function initHere(opts: string[], cmd: string[], o: { env?: NodeJS.ProcessEnv; entry?: string } = {}): InitHere {
  const report = reportPath();
  const args = o.entry ? [o.entry] : [CLI, 'init'];
  const proc = spawn(process.execPath, [...args, '--report', report, ...opts, '--', ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
  const pid = proc.pid;
  if (pid === undefined) throw new Error('pid1 init did not start');
  started.add(pid);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      started.delete(pid);
      resolve({ code, signal });
    }),
  );
  return { proc, pid, report, output: () => out, exited, run: () => lastRun(report) };
}

/** Kill what initHere started that is still running (its descendants first). */
export function cleanupInits(): void {
  for (const pid of started) killTree(pid);
  started.clear();
}

process.on('exit', () => {
  cleanupInits();
  fs.rmSync(tmp, { recursive: true, force: true });
});
