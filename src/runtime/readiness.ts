/**
 * When to stop: a stop sent before the service has installed its handlers proves nothing. Readiness
 * is any combination of a log line, a TCP port on 127.0.0.1, a command that succeeds inside, and a
 * fixed delay, all required; with none given, pid1 waits until the process tree and every process's
 * signal dispositions have not changed for 300 ms ("settled").
 */
import net from 'node:net';
import { namespaceTree } from '../proc/tree.js';
import { mono, sleep } from './clock.js';
import { seconds } from './durations.js';
import { NoStart, type Target } from './target.js';

export interface Readiness {
  log?: RegExp;
  /** TCP port on 127.0.0.1 (host-network runs). */
  port?: number;
  command?: string[];
  delayMs?: number;
  timeoutMs: number;
}

interface ReadyResult {
  ms: number;
  /** One line per condition met, with when. */
  how: string[];
}

const SETTLE_MS = 300;

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(500, () => done(false));
  });
}

/** Every process of the namespace with its handlers: when this stops changing, the service has settled. */
function treeSignature(hostPid: number): string | undefined {
  try {
    const t = namespaceTree(hostPid);
    return t.processes.map((p) => `${p.hostPid}:${p.comm}:${p.rawMasks.SigCgt}:${p.rawMasks.SigIgn}:${p.takes.join(',')}`).join(' ');
  } catch {
    return undefined;
  }
}

export async function waitReady(target: Target, r: Readiness): Promise<ReadyResult> {
  const t0 = mono();
  const deadline = t0 + r.timeoutMs;
  const how: string[] = [];
  const since = (): string => `${Math.round(mono() - t0)} ms`;
  const check = async (what: string, ok: () => boolean | Promise<boolean>, everyMs: number): Promise<void> => {
    for (;;) {
      if (target.exit) {
        const last = target.logs
          .slice(-3)
          .map((l) => l.line)
          .join(' | ');
        throw new NoStart(`it exited with status ${target.exit.exitCode} before it was ready (waiting for ${what})${last ? `; last output: ${last}` : ''}`, target.exit.exitCode);
      }
      if (await ok()) return;
      if (mono() > deadline) throw new NoStart(`not ready after ${seconds(r.timeoutMs)} (waiting for ${what})`);
      await sleep(everyMs);
    }
  };
  if (r.log) {
    const re = r.log;
    let seen = 0; // lines already scanned (the buffer only shrinks when it drops its oldest lines)
    await check(
      `a log line matching /${re.source}/`,
      () => {
        if (seen > target.logs.length) seen = 0;
        const hit = target.logs.slice(seen).some((l) => re.test(l.line));
        seen = target.logs.length;
        return hit;
      },
      10,
    );
    how.push(`log line /${re.source}/ after ${since()}`);
  }
  if (r.port !== undefined) {
    const port = r.port;
    await check(`127.0.0.1:${port} to accept connections`, () => tryConnect(port), 100);
    how.push(`127.0.0.1:${port} accepted a connection after ${since()}`);
  }
  if (r.command) {
    const cmd = r.command;
    let last = '';
    await check(
      `${JSON.stringify(cmd)} to succeed inside`,
      async () => {
        const res = await target.exec(cmd, Math.max(1000, deadline - mono()));
        last = res.error ?? res.output.trim().split('\n').pop() ?? '';
        return res.code === 0;
      },
      250,
    ).catch((err: unknown) => {
      if (err instanceof NoStart && last) err.message += `; the command said: ${last}`;
      throw err;
    });
    how.push(`${JSON.stringify(cmd)} succeeded after ${since()}`);
  }
  if (r.delayMs !== undefined) {
    const until = mono() + r.delayMs;
    await check(`the ${r.delayMs} ms delay`, () => mono() >= until, 10);
    how.push(`waited ${r.delayMs} ms`);
  }
  if (!how.length) {
    let sig: string | undefined;
    let stableSince = mono();
    await check(
      'the process tree to settle',
      () => {
        const now = treeSignature(target.hostPid);
        if (now === undefined) return false;
        if (now !== sig) {
          sig = now;
          stableSince = mono();
          return false;
        }
        return mono() - stableSince >= SETTLE_MS;
      },
      25,
    );
    how.push(`processes and signal handlers unchanged for ${SETTLE_MS} ms after ${since()}`);
  }
  return { ms: mono() - t0, how };
}
