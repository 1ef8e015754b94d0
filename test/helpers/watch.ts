/**
 * `pid1 watch` run as a user would (the built CLI, as a child process), its output collected line by
 * line. Every watcher a test starts is ended (by its PID) when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { TestContext } from 'node:test';
import { CLI } from './cli.js';
import { waitFor } from './exec.js';
import type { WatchEvent } from '../../src/runtime/trace/events.js';

export const TRACEFS = '/sys/kernel/tracing';

/** Skip unless we are root with tracefs mounted; in CI (PID1_REQUIRE_DOCKER=1) that is a failure. */
export function requireTracefs(t: TestContext): boolean {
  const ok = process.getuid?.() === 0 && fs.existsSync(`${TRACEFS}/instances`);
  if (ok) return true;
  if (process.env.PID1_REQUIRE_DOCKER === '1') throw new Error(`pid1 watch tests need root and tracefs at ${TRACEFS} (scripts/install-deps.sh mounts it)`);
  t.skip(`needs root and tracefs at ${TRACEFS}`);
  return false;
}

export interface WatchRun {
  child: ChildProcess;
  pid: number;
  lines: string[];
  stderr(): string;
  /** Parsed --json lines (empty for pretty output). */
  events: WatchEvent[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first event matching `pred` (waiting for it). */
  next<T extends WatchEvent>(what: string, pred: (e: WatchEvent) => e is T, timeoutMs?: number): Promise<T>;
}

const live = new Set<ChildProcess>();

/** Start `pid1 watch ARGS`; with --json, resolves once the watch has started (its `watch` event). */
export async function startWatch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<WatchRun> {
  const child = spawn(process.execPath, [CLI, 'watch', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  live.add(child);
  const lines: string[] = [];
  const events: WatchEvent[] = [];
  const json = args.includes('--json');
  let err = '';
  let rest = '';
  child.stdout?.on('data', (d: Buffer) => {
    rest += d.toString('utf8');
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, i);
      rest = rest.slice(i + 1);
      lines.push(line);
      if (json) events.push(JSON.parse(line) as WatchEvent);
    }
  });
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  if (child.pid === undefined) throw new Error('pid1 watch did not start');
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const run: WatchRun = {
    child,
    pid: child.pid,
    lines,
    events,
    exited,
    stderr: () => err,
    next: (what, pred, timeoutMs = 20_000) => waitFor(`${what} (stderr: ${err.trim()})`, () => events.find(pred), timeoutMs),
  };
  if (json) {
    await waitFor(`pid1 watch to start (stderr: ${err.trim()})`, () => {
      if (done && !events.length) throw new Error(`pid1 watch exited before it started: ${err.trim()}`);
      return events.find((e) => e.event === 'watch');
    });
  } else {
    await waitFor(`pid1 watch to start (stderr: ${err.trim()})`, () => {
      if (done && !lines.length) throw new Error(`pid1 watch exited before it started: ${err.trim()}`);
      return lines.some((l) => l.startsWith('pid1 watch: kernel filter')) ? true : undefined;
    });
  }
  return run;
}

/** The tracefs instance a watcher made (from its start event or line). */
export function instanceOf(run: WatchRun): string {
  const start = run.events.find((e) => e.event === 'watch');
  if (start?.event === 'watch') return start.instance;
  const m = /tracefs instance (\S+)/.exec(run.lines.join('\n'));
  if (!m?.[1]) throw new Error('no instance named in the output');
  return m[1];
}

/**
 * End every watcher still running (by its PID) and wait for it: after each test, so that a failed
 * assertion never leaves one alive (its pipes would keep the test process from ending).
 */
export async function stopWatchers(): Promise<void> {
  const all = [...live];
  for (const c of all) {
    try {
      if (c.pid) process.kill(c.pid, 'SIGTERM'); // it removes its own instance
    } catch {
      /* gone */
    }
  }
  await Promise.all(
    all.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) resolve();
          else c.once('exit', () => resolve());
        }),
    ),
  );
}

process.on('exit', () => {
  for (const c of live) {
    try {
      if (c.pid) process.kill(c.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});
