/**
 * `pid1 test`'s time from the stop signal to its verdict, against the time `docker stop` itself takes
 * on a container with the same image and launch: for a graceful service (exec form: both wait for the
 * same shutdown) and for a lost SIGTERM (dash shell form) where `--fast` concludes from the kernel's
 * evidence instead of waiting out the grace period that `docker stop` must wait.
 */
import { performance } from 'node:perf_hooks';
import { dockerAvailable, testImage, startContainer, removeContainer, cleanupDocker, logsOf } from '../test/helpers/docker.js';
import { run as exec, waitFor } from '../test/helpers/exec.js';
import { runTest } from '../src/runtime/run-test.js';
import { Resources } from '../src/runtime/cleanup.js';

const GRACE = 10; // Docker's default: what `docker stop` waits for a lost signal

interface Case {
  name: string;
  entrypoint: string[];
  fast: boolean;
  reps: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function ours(image: string, c: Case): Promise<{ ms: number; verdict: string }> {
  const r = await runTest(
    {
      image,
      entrypoint: c.entrypoint,
      env: {},
      network: 'none',
      grace: GRACE,
      fast: c.fast,
      readiness: { log: /ready/, timeoutMs: 30_000 },
    },
    { resources: new Resources() },
  );
  return { ms: r.durations.verdictMs ?? NaN, verdict: r.verdict };
}

async function peer(image: string, c: Case): Promise<number> {
  const [first, ...rest] = c.entrypoint;
  const name = await startContainer({ image, entrypoint: [first as string, ...rest] });
  try {
    await waitFor('ready', () => (/ready/.test(logsOf(name)) ? true : undefined), 30_000);
    const t0 = performance.now();
    const r = await exec('docker', ['stop', '-t', String(GRACE), name]);
    const ms = performance.now() - t0;
    if (r.code !== 0) throw new Error(`docker stop failed: ${r.stderr.trim()}`);
    return ms;
  } finally {
    removeContainer(name);
  }
}

export async function run(): Promise<void> {
  if (!dockerAvailable()) {
    console.log('stop: skipped (no Docker engine answers)');
    return;
  }
  const image = testImage({ shell: 'dash' });
  const cases: Case[] = [
    { name: 'graceful service (exec form)', entrypoint: ['svc', '--workers', '1'], fast: false, reps: 5 },
    { name: 'lost SIGTERM (dash shell form), pid1 test --fast', entrypoint: ['/bin/sh', '-c', 'svc --workers 1'], fast: true, reps: 2 },
  ];
  try {
    for (const c of cases) {
      const a: number[] = [];
      const b: number[] = [];
      let verdict = '';
      for (let i = 0; i < c.reps; i++) {
        const o = await ours(image, c);
        a.push(o.ms);
        verdict = o.verdict;
        b.push(await peer(image, c));
      }
      const ma = median(a);
      const mb = median(b);
      console.log(
        `${c.name}: pid1 test verdict ${verdict} ${ma.toFixed(0)} ms after the stop signal; docker stop -t ${GRACE} takes ${mb.toFixed(0)} ms; ratio ${(ma / mb).toFixed(3)} (median of ${c.reps})`,
      );
    }
  } finally {
    cleanupDocker();
  }
}
