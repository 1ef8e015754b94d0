/**
 * Decoding masks and reading a live process tree: pid1's own decoder against the simplest peer
 * (BigInt bit test per signal, what most scripts do), and `pid1 inspect --pid`'s /proc walk against
 * `ps -eo pid,ppid,pgid,sid,stat,comm` over the same machine.
 */
import { execFileSync } from 'node:child_process';
import { decodeMask } from '../src/model/signals.js';
import { namespaceTree } from '../src/proc/tree.js';

function time(fn: () => void, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function run(): Promise<void> {
  const masks = Array.from({ length: 1000 }, (_, i) => ((BigInt(i) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn).toString(16).padStart(16, '0'));
  const ours = time(() => {
    for (const m of masks) decodeMask(m);
  }, 50);
  const peer = time(() => {
    for (const m of masks) {
      const v = BigInt(`0x${m}`);
      const out: number[] = [];
      for (let s = 1; s <= 64; s++) if ((v >> BigInt(s - 1)) & 1n) out.push(s);
    }
  }, 50);
  console.log(`decodeMask: ${(((50 * masks.length) / ours) * 1000).toFixed(0)} masks/s; ratio to a bare BigInt loop: ${(ours / peer).toFixed(2)}x the time (validation included)`);
  const walk = time(() => namespaceTree(process.pid), 20) / 20;
  const ps = time(() => execFileSync('ps', ['-eo', 'pid,ppid,pgid,sid,stat,comm']), 20) / 20;
  console.log(`process tree with masks (in-process): ${walk.toFixed(1)} ms per walk; ratio to one \`ps -eo ...\` run: ${(walk / ps).toFixed(2)}`);
}
