/**
 * What `pid1 watch` costs the machine it watches: a signal storm (kill(2) of SIGTERM in a tight loop
 * at a namespace init that ignores it, the lost-stop case, so that every signal takes the kernel's
 * full path and fires signal_generate) measured in signals/s
 *   - with no watcher (the peer),
 *   - with a watcher of that namespace (every signal passes the kernel filter: parsed and reported),
 *   - with a watcher of another namespace (the kernel filter rejects every signal of the storm),
 * interleaved, median of the runs; and the watcher's own CPU time (utime+stime from /proc/PID/stat)
 * as a fraction of the storm's wall time, with how many of the storm's signals it reported and how
 * many the kernel dropped (a full buffer). Also an idle watcher's CPU.
 *
 *   npm run bench -- watch     (root and tracefs; skipped otherwise)
 */
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStat } from '../src/proc/stat.js';
import { startNamespace, type Namespace } from '../test/helpers/ns.js';
import { waitFor } from '../test/helpers/exec.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../src/cli/main.js');
const STORM_SECONDS = 1;
const RUNS = 5;
const SIGTERM = 15;

const STORM_C = `
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: storm PID SIGNAL SECONDS\\n"); return 2; }
  pid_t pid = (pid_t)atoi(argv[1]);
  int sig = atoi(argv[2]);
  double secs = atof(argv[3]), t0 = now(), el = 0;
  unsigned long n = 0;
  while (el < secs) {
    for (int i = 0; i < 1000; i++, n++)
      if (kill(pid, sig)) { perror("storm: kill"); return 1; }
    el = now() - t0;
  }
  printf("%lu %.6f\\n", n, el);
  return 0;
}
`;

function stormBinary(): string {
  const hash = crypto.createHash('sha256').update(STORM_C).digest('hex').slice(0, 12);
  const out = path.join(os.tmpdir(), `pid1-storm-${hash}`);
  if (!fs.existsSync(out)) {
    const src = `${out}.c`;
    fs.writeFileSync(src, STORM_C);
    execFileSync('cc', ['-O2', '-o', `${out}.${process.pid}`, src], { stdio: 'pipe' });
    fs.renameSync(`${out}.${process.pid}`, out);
    fs.rmSync(src);
  }
  return out;
}

/** One storm: signals per second. */
function storm(bin: string, pid: number): number {
  const [n, s] = execFileSync(bin, [String(pid), String(SIGTERM), String(STORM_SECONDS)], { encoding: 'utf8' })
    .trim()
    .split(' ')
    .map(Number);
  return (n as number) / (s as number);
}

/**
 * CPU seconds a process has used, all its threads (Node's libuv and V8 threads too), from each
 * task's schedstat (first field: ns on a CPU; finer than stat's 10 ms clock ticks).
 */
function cpuSeconds(pid: number): number {
  let ns = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* thread gone */
    }
  }
  return ns / 1e9;
}

interface Watcher {
  pid: number;
  out: string;
  stop(): Promise<{ signals: number; lostEvents: number }>;
}

async function startWatcher(targetPid: number, dir: string): Promise<Watcher> {
  const out = path.join(dir, `watch-${crypto.randomBytes(4).toString('hex')}.jsonl`);
  const fd = fs.openSync(out, 'w');
  const child = spawn(process.execPath, [CLI, 'watch', '--pid', String(targetPid), '--json'], { stdio: ['ignore', fd, 'inherit'] });
  fs.closeSync(fd);
  const pid = child.pid as number;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await waitFor('the watcher to start', () => (fs.readFileSync(out, 'utf8').includes('"event":"watch"') ? true : undefined), 10_000);
  return {
    pid,
    out,
    stop: async () => {
      child.kill('SIGINT');
      await exited;
      const last = fs.readFileSync(out, 'utf8').trim().split('\n').at(-1) ?? '{}';
      const end = JSON.parse(last) as { event?: string; signals?: number; lostEvents?: number };
      if (end.event !== 'end') throw new Error(`the watcher did not end cleanly: ${last}`);
      return { signals: end.signals ?? 0, lostEvents: end.lostEvents ?? 0 };
    },
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export async function run(): Promise<void> {
  if (process.getuid?.() !== 0 || !fs.existsSync('/sys/kernel/tracing/instances')) {
    console.log('watch: skipped (needs root and tracefs at /sys/kernel/tracing)');
    return;
  }
  const bin = stormBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-bench-watch-'));
  // The storm's target: `sleep` as PID 1 of its namespace has no handler, so every SIGTERM is ignored.
  const target: Namespace = await startNamespace(['sleep', '100000']);
  const other: Namespace = await startNamespace(['sleep', '100000']);
  try {
    storm(bin, target.initPid); // warm-up
    const none: number[] = [];
    const watched: number[] = [];
    const filtered: number[] = [];
    const cpuWatched: number[] = [];
    const cpuFiltered: number[] = [];
    const seen: number[] = [];
    const dropped: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      none.push(storm(bin, target.initPid));
      {
        const w = await startWatcher(target.initPid, dir);
        const c0 = cpuSeconds(w.pid);
        const t0 = process.hrtime.bigint();
        const rate = storm(bin, target.initPid);
        // Let it read what the storm left in the buffer before its CPU is counted.
        await new Promise((r) => setTimeout(r, 300));
        const wall = Number(process.hrtime.bigint() - t0) / 1e9;
        cpuWatched.push((cpuSeconds(w.pid) - c0) / wall);
        watched.push(rate);
        const r = await w.stop();
        seen.push(r.signals / (rate * STORM_SECONDS));
        dropped.push(r.lostEvents);
      }
      {
        const w = await startWatcher(other.initPid, dir);
        const c0 = cpuSeconds(w.pid);
        const t0 = process.hrtime.bigint();
        filtered.push(storm(bin, target.initPid));
        await new Promise((r) => setTimeout(r, 300));
        const wall = Number(process.hrtime.bigint() - t0) / 1e9;
        cpuFiltered.push((cpuSeconds(w.pid) - c0) / wall);
        await w.stop();
      }
    }
    const idle = await startWatcher(other.initPid, dir);
    const i0 = cpuSeconds(idle.pid);
    await new Promise((r) => setTimeout(r, 5000));
    const idleCpu = (cpuSeconds(idle.pid) - i0) / 5;
    await idle.stop();
    const n = median(none);
    console.log(`signal storm (kill(2) SIGTERM at a namespace init that ignores it, ${STORM_SECONDS} s, median of ${RUNS}), ${os.cpus().length} CPUs:`);
    const extraNs = (rate: number): string => ((1 / rate - 1 / n) * 1e9).toFixed(0);
    console.log(`  no watcher: ${(n / 1e3).toFixed(0)}k signals/s (the peer)`);
    console.log(
      `  watching that namespace: ${(median(watched) / 1e3).toFixed(0)}k signals/s, ratio ${(median(watched) / n).toFixed(3)} (+${extraNs(median(watched))} ns per signal); watcher CPU ${(median(cpuWatched) * 100).toFixed(0)}% of a core; it reported ${(median(seen) * 100).toFixed(1)}% of the storm's signals, the kernel dropped ${median(dropped).toFixed(0)} events (full buffer)`,
    );
    console.log(
      `  watching another namespace (the kernel filter rejects the storm): ${(median(filtered) / 1e3).toFixed(0)}k signals/s, ratio ${(median(filtered) / n).toFixed(3)} (+${extraNs(median(filtered))} ns per signal); watcher CPU ${(median(cpuFiltered) * 100).toFixed(2)}% of a core`,
    );
    console.log(`  idle watcher: ${(idleCpu * 100).toFixed(2)}% of a core`);
    if (readStat(target.initPid)?.state === 'Z') throw new Error('the storm target died');
  } finally {
    await target.destroy();
    await other.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
