/**
 * A Dockerfile with many ENV lines: the time to read 100,000 against 10,000, in the same process (target:
 * at most ~15x, i.e. linear; copying the variable map per key made it quadratic, ~100x).
 */
import { makeDocument } from '../src/document/document.js';
import { DocumentStore } from '../src/document/store.js';
import { lintDockerfileSource } from '../src/sources/dockerfile/launch.js';

function text(n: number): string {
  const lines = ['FROM debian:bookworm-slim'];
  for (let i = 0; i < n; i++) lines.push(i % 2 ? `ENV V${i}=$V${i - 1}:x` : `ENV V${i} value ${i}`);
  lines.push('CMD ["svc"]');
  return `${lines.join('\n')}\n`;
}

function timeMs(n: number): number {
  const doc = makeDocument('Dockerfile', text(n), 'dockerfile');
  const t0 = process.hrtime.bigint();
  lintDockerfileSource(doc, new DocumentStore(), { context: process.cwd() });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function measure(rounds = 5): { smallMs: number; largeMs: number; ratio: number } {
  for (let i = 0; i < 3; i++) timeMs(10_000); // warm up
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < rounds; i++) {
    small.push(timeMs(10_000));
    large.push(timeMs(100_000));
  }
  const smallMs = Math.min(...small);
  const largeMs = Math.min(...large);
  return { smallMs, largeMs, ratio: largeMs / smallMs };
}

export async function run(): Promise<void> {
  const r = measure();
  console.log(
    `ENV lines: 10,000 in ${r.smallMs.toFixed(0)} ms, 100,000 in ${r.largeMs.toFixed(0)} ms: ratio ${r.ratio.toFixed(1)}x (target <= 15x: linear; quadratic is ~100x)${r.ratio <= 15 ? '' : ': ABOVE TARGET'}`,
  );
}
