/**
 * `pid1 init` against tini and dumb-init (the Debian packages) on the same workload, in the same
 * process, interleaved so that machine noise hits everyone alike:
 *   - start-up: from spawn() of the init to the first instruction of the child after its exec
 *     (the probe stamps CLOCK_MONOTONIC, the clock of process.hrtime);
 *   - forwarding latency: kill(init, SIGUSR1) to the probe's sigwaitinfo() return, median and p99;
 *   - memory: the init's VmRSS, RssAnon and Pss once started, and its peak (VmHWM) after the signals;
 *   - CPU: the init's own CPU time (schedstat, ns) per forwarded signal and for reaping 1,000 orphans.
 * Inits run as ordinary children (not PID 1), as subreapers: `tini -s`, dumb-init (a subreaper by
 * default is not needed for the probe), `pid1 init` (subreaper by itself).
 * Against Node itself (issue 13's goals, both ratios):
 *   - whole process: `INIT -- true` from spawn() to exit, against `node -e 0`, interleaved;
 *   - resident memory while supervising (VmRSS, once settled) against an idle node process.
 * pid1 init runs three ways: `pid1 init` (the CLI's bin, dist/src/cli/pid1.cjs), the bundled single file
 * (dist/init/pid1-init.cjs, what an image copies) and the unbundled entry (dist/src/init/bin.js).
 *
 *   node dist/bench/init.js [--runs N] [--signals N] [--json]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childrenOf, readStat } from '../src/proc/stat.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../..');
/** `pid1 init` as an installed package runs it: package.json's bin (src/cli/pid1.cts). */
const CLI = path.join(REPO, 'dist/src/cli/pid1.cjs');
const LEAN = path.join(REPO, 'dist/src/init/bin.js');
const BUNDLE = path.join(REPO, 'dist/init/pid1-init.cjs');
/** An idle node process: prints its start line without creating process.stdout (which would cost it memory), then waits. */
const IDLE_NODE = "require('fs').writeSync(1, 'start 0\\n'); setInterval(() => {}, 1 << 30)";

/** The child every init runs: stamps its start, answers SIGUSR1 with a stamp, can make orphans. */
const PROBE_C = `
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
static long long now_ns(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec * 1000000000LL + ts.tv_nsec; }
static void say(const char *what, long long v) { char b[64]; int n = snprintf(b, sizeof b, "%s %lld\\n", what, v); (void)!write(1, b, n); }
int main(int argc, char **argv) {
  long long started = now_ns();
  sigset_t set; sigemptyset(&set); sigaddset(&set, SIGUSR1); sigaddset(&set, SIGTERM); sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, 0);
  say("start", started);
  if (argc > 1 && !strcmp(argv[1], "--exit")) return 0;
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&set, &si);
    long long t = now_ns();
    if (sig == SIGTERM) return 0;
    if (sig == SIGUSR1) say("sig", t);
    if (sig == SIGUSR2) { /* make 1000 orphans: each child forks a grandchild and exits at once */
      for (int i = 0; i < 1000; i++) { pid_t p = fork(); if (p == 0) { if (fork() == 0) _exit(0); _exit(0); } }
      while (wait(0) > 0) {} /* reap our own children; the grandchildren are the init's orphans */
      say("orphans", t);
    }
  }
}
`;

function probeBinary(): string {
  const hash = crypto.createHash('sha256').update(PROBE_C).digest('hex').slice(0, 12);
  const out = path.join(os.tmpdir(), `pid1-bench-probe-${hash}`);
  if (!fs.existsSync(out)) {
    const src = `${out}.c`;
    fs.writeFileSync(src, PROBE_C);
    execFileSync('cc', ['-static', '-O2', '-o', `${out}.${process.pid}`, src], { stdio: 'pipe' });
    fs.renameSync(`${out}.${process.pid}`, out);
    fs.rmSync(src, { force: true });
  }
  return out;
}

interface Contender {
  name: string;
  argv: (probe: string, probeArgs: string[]) => string[];
  /** Reference only: not part of the ratios. */
  reference?: boolean;
  /** Orphans come to it when it is not PID 1 (dumb-init never makes itself a subreaper). */
  subreaper: boolean;
  /** Runs no child (the idle node): no start-up to the child, memory only. */
  idle?: boolean;
  /** How it runs `true` for the whole-process start-up (none: not measured). */
  whole?: string[];
}

const TRUE = '/bin/true';
const CONTENDERS: Contender[] = [
  { name: 'tini', subreaper: true, argv: (p, a) => ['/usr/bin/tini', '-s', '--', p, ...a], whole: ['/usr/bin/tini', '-s', '--', TRUE] },
  { name: 'dumb-init', subreaper: false, argv: (p, a) => ['/usr/bin/dumb-init', p, ...a], whole: ['/usr/bin/dumb-init', TRUE] },
  { name: 'pid1 init', subreaper: true, argv: (p, a) => [process.execPath, CLI, 'init', '--', p, ...a], whole: [process.execPath, CLI, 'init', '--', TRUE] },
  { name: 'pid1 init (bundle)', subreaper: true, argv: (p, a) => [process.execPath, BUNDLE, '--', p, ...a], whole: [process.execPath, BUNDLE, '--', TRUE] },
  { name: 'pid1 init (unbundled entry)', subreaper: true, argv: (p, a) => [process.execPath, LEAN, '--', p, ...a], whole: [process.execPath, LEAN, '--', TRUE] },
  // What any Node-based init pays before it can do anything: start Node, spawn the child.
  {
    name: 'node floor',
    reference: true,
    subreaper: false,
    argv: (p, a) => [process.execPath, '-e', `require('child_process').spawn(${JSON.stringify(p)}, ${JSON.stringify(a)}, { stdio: 'inherit' }).on('exit', (c) => process.exit(c))`],
  },
  // The yardsticks of issue 13: `node -e 0` for the whole-process start-up, an idle node for memory.
  { name: 'node -e 0', reference: true, idle: true, subreaper: false, argv: () => [process.execPath, '-e', IDLE_NODE], whole: [process.execPath, '-e', '0'] },
];
/** Issue 13's pair of ratios is taken for these against the node yardsticks. */
const AGAINST_NODE = ['pid1 init', 'pid1 init (bundle)', 'pid1 init (unbundled entry)', 'tini', 'dumb-init'];

/** A running init with line-based access to the probe's stdout. */
class Running {
  readonly proc: ChildProcess;
  private buf = '';
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;
  readonly exited: Promise<number | null>;

  constructor(argv: string[]) {
    const [file, ...args] = argv;
    if (!file) throw new Error('empty argv');
    this.proc = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    live.add(this.proc);
    this.proc.stdout?.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
      }
      this.waiter?.();
    });
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code) => {
        live.delete(this.proc);
        resolve(code);
      }),
    );
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error('not started');
    return this.proc.pid;
  }

  /** The next line starting with `word`, as its number. */
  async next(word: string, timeoutMs = 10_000): Promise<bigint> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const idx = this.lines.findIndex((l) => l.startsWith(`${word} `));
      if (idx >= 0) {
        const [line] = this.lines.splice(idx, 1);
        return BigInt((line ?? '').split(' ')[1] ?? '0');
      }
      if (Date.now() > end) throw new Error(`no "${word}" line from ${this.proc.spawnfile} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) if (p.pid) killTree(p.pid);
});

/** SIGKILL what we started, by PID: its descendants first, so that none is orphaned alive. */
function killTree(pid: number): void {
  for (const c of childrenOf(pid)) killTree(c);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** CPU time of a process, all threads, in ms: the first field of each task's schedstat is ns on CPU. */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* thread gone */
    }
  }
  return ns / 1e6;
}

function zombiesUnder(pid: number): number {
  return childrenOf(pid).filter((k) => readStat(k)?.state === 'Z').length;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

export interface ContenderResult {
  name: string;
  reference: boolean;
  startupMs: { median: number; p90: number };
  /** `INIT -- true` from spawn() to exit (for the idle node: `node -e 0`). */
  wholeMs?: { median: number; p90: number };
  latencyUs: { median: number; p99: number };
  rssKb: number;
  /** RssAnon: heap and stacks, charged to the container's memory cgroup whoever else maps the binary. */
  anonKb: number;
  pssKb: number;
  peakRssKb: number;
  cpuUsPerSignal: number;
  reap1000CpuMs: number;
}

export interface InitBenchResult {
  machine: string;
  runs: number;
  signals: number;
  results: ContenderResult[];
  /** pid1 init (each entry) divided by each peer: >1 means pid1 init is slower / bigger. */
  ratios: Record<string, Record<string, Record<string, number>>>;
  /** Each init against node: whole-process start-up / `node -e 0`, VmRSS while supervising / an idle node's. */
  vsNode: Record<string, { startup: number; rss: number }>;
}

/** Spawn to exit of one whole process, in ms. */
async function wholeOnce(argv: string[]): Promise<number> {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty argv');
  const t0 = process.hrtime.bigint();
  const p = spawn(file, args, { stdio: 'ignore' });
  live.add(p);
  await new Promise((resolve) => p.once('exit', resolve));
  live.delete(p);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function startupOnce(c: Contender, probe: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = new Running(c.argv(probe, ['--exit']));
  const started = await r.next('start');
  await r.exited;
  return Number(started - t0) / 1e6;
}

type Steady = Omit<ContenderResult, 'startupMs' | 'name' | 'reference'>;

/**
 * All contenders run side by side; signal i goes to each of them in turn, so that a noisy moment of
 * the machine hits every contender alike. Then memory, CPU, and one by one the orphan reaping.
 */
async function steadyState(contenders: Contender[], probe: string, signals: number): Promise<Map<string, Steady>> {
  const running = contenders.map((c) => ({ c, r: new Running(c.argv(probe, [])), lat: [] as number[], rss: 0, anon: 0, pss: 0, cpu0: 0 }));
  const out = new Map<string, Steady>();
  try {
    for (const x of running) await x.r.next('start');
    await new Promise((res) => setTimeout(res, 300)); // let them settle after their start
    for (const x of running) {
      x.rss = statusKb(x.r.pid, 'VmRSS');
      x.anon = statusKb(x.r.pid, 'RssAnon');
      x.pss = pssKb(x.r.pid);
      x.cpu0 = cpuMs(x.r.pid);
    }
    // The references forward nothing (Node's default SIGUSR1 opens the inspector): memory only.
    const forwarding = running.filter((x) => !x.c.reference);
    for (let i = 0; i < signals; i++) {
      for (const x of forwarding) {
        const t0 = process.hrtime.bigint();
        process.kill(x.r.pid, 'SIGUSR1');
        const got = await x.r.next('sig');
        x.lat.push(Number(got - t0) / 1e3);
      }
    }
    for (const x of running) {
      const pid = x.r.pid;
      const cpuPerSignal = x.c.reference ? NaN : ((cpuMs(pid) - x.cpu0) * 1000) / signals;
      const peakRssKb = statusKb(pid, 'VmHWM');
      // Reaping: the probe makes 1,000 orphans; they are re-parented to the init when it is a subreaper.
      let reap = NaN;
      if (x.c.subreaper) {
        const cpu1 = cpuMs(pid);
        process.kill(pid, 'SIGUSR2');
        await x.r.next('orphans', 30_000);
        const end = Date.now() + 30_000;
        await new Promise((res) => setTimeout(res, 200));
        while (zombiesUnder(pid) > 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
        reap = cpuMs(pid) - cpu1;
      }
      out.set(x.c.name, {
        latencyUs: x.c.reference ? { median: NaN, p99: NaN } : { median: quantile(x.lat, 0.5), p99: quantile(x.lat, 0.99) },
        rssKb: x.rss,
        anonKb: x.anon,
        pssKb: x.pss,
        peakRssKb,
        cpuUsPerSignal: cpuPerSignal,
        reap1000CpuMs: reap,
      });
    }
    for (const x of forwarding) process.kill(x.r.pid, 'SIGTERM');
    await Promise.race([Promise.all(forwarding.map((x) => x.r.exited)), new Promise((res) => setTimeout(res, 5000))]);
    return out;
  } finally {
    for (const x of running) killTree(x.r.pid);
  }
}

export async function benchInit(opts: { runs?: number; signals?: number } = {}): Promise<InitBenchResult> {
  const runs = opts.runs ?? 30;
  const signals = opts.signals ?? 1000;
  const probe = probeBinary();
  const contenders = CONTENDERS.filter((c) => c.argv(probe, []).every((a, i) => i > 1 || !a.startsWith('/') || fs.existsSync(a)));
  const startups = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const wholes = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const toChild = contenders.filter((c) => !c.idle);
  for (const c of toChild) await startupOnce(c, probe); // warm the page cache
  for (const c of contenders) if (c.whole) await wholeOnce(c.whole);
  for (let i = 0; i < runs; i++) {
    for (const c of toChild) startups.get(c.name)?.push(await startupOnce(c, probe));
    for (const c of contenders) if (c.whole) wholes.get(c.name)?.push(await wholeOnce(c.whole));
  }
  const steady = await steadyState(contenders, probe, signals);
  const results: ContenderResult[] = [];
  for (const c of contenders) {
    const s = startups.get(c.name) ?? [];
    const w = wholes.get(c.name) ?? [];
    const st = steady.get(c.name);
    const wholeMs = w.length ? { wholeMs: { median: quantile(w, 0.5), p90: quantile(w, 0.9) } } : {};
    if (st) results.push({ name: c.name, reference: !!c.reference, startupMs: { median: quantile(s, 0.5), p90: quantile(s, 0.9) }, ...wholeMs, ...st });
  }
  const ratios: InitBenchResult['ratios'] = {};
  const by = new Map(results.map((r) => [r.name, r]));
  const vsNode: InitBenchResult['vsNode'] = {};
  const node = by.get('node -e 0');
  const nodeWholes = wholes.get('node -e 0') ?? [];
  for (const name of AGAINST_NODE) {
    const o = by.get(name);
    const w = wholes.get(name) ?? [];
    if (!o || !node || !w.length || w.length !== nodeWholes.length) continue;
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    // Start-up: the median of the ratios taken run by run (each pair ran back to back), so that the
    // machine's drift during the bench cancels out; memory is steady enough for a plain ratio.
    vsNode[name] = {
      startup: r2(
        quantile(
          w.map((ms, i) => ms / (nodeWholes[i] ?? NaN)),
          0.5,
        ),
      ),
      rss: r2(o.rssKb / node.rssKb),
    };
  }
  for (const ours of ['pid1 init', 'pid1 init (bundle)', 'pid1 init (unbundled entry)']) {
    const o = by.get(ours);
    if (!o) continue;
    ratios[ours] = {};
    for (const peer of ['tini', 'dumb-init']) {
      const p = by.get(peer);
      if (!p) continue;
      const r = (a: number, b: number): number => Math.round((a / b) * 10) / 10;
      ratios[ours][peer] = {
        startup: r(o.startupMs.median, p.startupMs.median),
        latencyMedian: r(o.latencyUs.median, p.latencyUs.median),
        latencyP99: r(o.latencyUs.p99, p.latencyUs.p99),
        rss: r(o.rssKb, p.rssKb),
        anon: r(o.anonKb, p.anonKb),
        pss: r(o.pssKb, p.pssKb),
        cpuPerSignal: r(o.cpuUsPerSignal, p.cpuUsPerSignal),
        ...(Number.isNaN(p.reap1000CpuMs) ? {} : { reap1000Cpu: r(o.reap1000CpuMs, p.reap1000CpuMs) }),
      };
    }
  }
  return { machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, Linux ${os.release()}, Node ${process.version}`, runs, signals, results, ratios, vsNode };
}

export function formatInitBench(b: InitBenchResult): string {
  const rows = [['init', 'start-up ms (p50/p90)', 'whole -- true ms (p50/p90)', 'latency us (p50/p99)', 'RSS MB', 'anon MB', 'PSS MB', 'peak RSS MB', 'CPU us/signal', 'CPU ms/1000 reaps']];
  const mb = (kb: number): string => (kb / 1024).toFixed(1);
  for (const r of b.results) {
    rows.push([
      r.reference ? `${r.name} (reference)` : r.name,
      Number.isNaN(r.startupMs.median) ? '-' : `${r.startupMs.median.toFixed(1)} / ${r.startupMs.p90.toFixed(1)}`,
      r.wholeMs ? `${r.wholeMs.median.toFixed(1)} / ${r.wholeMs.p90.toFixed(1)}` : '-',
      Number.isNaN(r.latencyUs.median) ? '-' : `${r.latencyUs.median.toFixed(0)} / ${r.latencyUs.p99.toFixed(0)}`,
      mb(r.rssKb),
      mb(r.anonKb),
      mb(r.pssKb),
      mb(r.peakRssKb),
      Number.isNaN(r.cpuUsPerSignal) ? '-' : r.cpuUsPerSignal.toFixed(1),
      Number.isNaN(r.reap1000CpuMs) ? '-' : r.reap1000CpuMs.toFixed(1),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const out = [`pid1 init vs tini and dumb-init (${b.runs} start-ups each, ${b.signals} signals each; ${b.machine})`, ...lines, ''];
  const node = b.results.find((r) => r.name === 'node -e 0');
  if (node?.wholeMs) {
    out.push(
      `against node: whole process of \`INIT -- true\` / \`node -e 0\` (${node.wholeMs.median.toFixed(1)} ms; median of the run-by-run ratios), VmRSS while supervising / an idle node's (${mb(node.rssKb)} MB):`,
    );
    for (const [name, r] of Object.entries(b.vsNode)) out.push(`  ${name}: start-up x${r.startup}, RSS x${r.rss}`);
    out.push('');
  }
  for (const [ours, peers] of Object.entries(b.ratios)) {
    for (const [peer, r] of Object.entries(peers)) {
      const reap = r.reap1000Cpu === undefined ? '' : `, CPU/1000 reaps x${r.reap1000Cpu}`;
      out.push(`${ours} / ${peer}: start-up x${r.startup}, latency p50 x${r.latencyMedian}, p99 x${r.latencyP99}, RSS x${r.rss}, anon x${r.anon}, PSS x${r.pss}, CPU/signal x${r.cpuPerSignal}${reap}`);
    }
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const num = (flag: string): number | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const result = await benchInit({ runs: num('--runs'), signals: num('--signals') });
  process.stdout.write(`${args.includes('--json') ? JSON.stringify(result, null, 2) : formatInitBench(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench/init: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

/** For `npm run bench` (bench/run.ts). */
export async function run(): Promise<void> {
  process.stdout.write(`${formatInitBench(await benchInit())}\n`);
}
