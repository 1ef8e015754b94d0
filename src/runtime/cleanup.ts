/**
 * Hygiene for `pid1 test`: everything it creates carries labels naming the run and its owner (this
 * host and PID), is released when the test ends, on Ctrl-C, on an exception, and when the engine dies
 * mid-test (then the labels let `pid1 test --cleanup` find the leftovers once it is back).
 * Namespaces have no labels: their init carries the same two facts in its environment.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type Docker from 'dockerode';
import { parseSignal } from '../model/signals.js';
import { nsPidsOf } from '../proc/stat.js';
import { messageOf } from '../util/errors.js';
import { engineMessage, engineStatusOf } from './docker.js';
import { sleep, within } from './clock.js';

/** The run a resource belongs to. */
export const RUN_LABEL = 'pid1.test.run';
/** `host:pid` of the pid1 process that created it: leftovers are those whose owner is gone. */
const OWNER_LABEL = 'pid1.test.owner';
/** The label the project's test resources carry too, so that any label-based sweep finds ours. */
const TEST_LABEL = 'pid1.test';
export const RUN_ENV = 'PID1_TEST_RUN';
export const OWNER_ENV = 'PID1_TEST_OWNER';

export interface Run {
  id: string;
  owner: string;
  labels: Record<string, string>;
}

export function newRun(): Run {
  const id = crypto.randomBytes(4).toString('hex');
  const owner = `${os.hostname()}:${process.pid}`;
  return { id, owner, labels: { [TEST_LABEL]: '1', [RUN_LABEL]: id, [OWNER_LABEL]: owner } };
}

type Releaser = () => Promise<void>;

/** How long one release may take before it is reported as a leftover (an engine that stopped answering). */
const RELEASE_TIMEOUT_MS = 15_000;

/**
 * What one run created, released in reverse order. Signal handlers release it on Ctrl-C/SIGTERM/SIGHUP
 * and exit with 128+N, as the interrupted command would.
 */
export class Resources {
  private readonly items: { what: string; release: Releaser }[] = [];
  /** What could not be released (engine gone): reported with the --cleanup hint. */
  readonly leftovers: string[] = [];
  private handlers: { sig: NodeJS.Signals; fn: () => void }[] = [];
  private releasing: Promise<void> | undefined;

  add(what: string, release: Releaser): void {
    this.items.push({ what, release });
  }

  /** Forget a resource that is already gone (e.g. removed on purpose). */
  drop(what: string): void {
    const i = this.items.findIndex((x) => x.what === what);
    if (i >= 0) this.items.splice(i, 1);
  }

  release(): Promise<void> {
    this.releasing ??= (async () => {
      while (this.items.length) {
        const item = this.items.pop() as { what: string; release: Releaser };
        try {
          const done = await within(
            item.release().then(() => true),
            RELEASE_TIMEOUT_MS,
            false,
          );
          if (!done) throw new Error(`no answer within ${RELEASE_TIMEOUT_MS} ms`);
        } catch (err) {
          this.leftovers.push(`${item.what} (${messageOf(err)})`);
        }
      }
    })();
    return this.releasing;
  }

  /** Release on Ctrl-C and termination; `onSignal` prints what is happening first. */
  trapSignals(onSignal: (sig: NodeJS.Signals) => void): void {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const fn = (): void => {
        onSignal(sig);
        const code = 128 + parseSignal(sig); // as a shell reports a command ended by that signal
        void this.release().finally(() => process.exit(code));
      };
      process.once(sig, fn);
      this.handlers.push({ sig, fn });
    }
  }

  untrapSignals(): void {
    for (const h of this.handlers) process.removeListener(h.sig, h.fn);
    this.handlers = [];
  }
}

const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

async function exists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    return engineStatusOf(err) !== 404;
  }
}

/**
 * Remove children before parents: an image with a child cannot be removed, even with force.
 * Returns what could not be removed.
 */
export async function removeImagesLeavesFirst(docker: Docker, images: { Id: string; ParentId: string }[], force: boolean): Promise<{ removed: string[]; failed: string[] }> {
  const left = new Map(images.map((i) => [i.Id, i]));
  const removed: string[] = [];
  const failed: string[] = [];
  while (left.size) {
    const parents = new Set([...left.values()].map((i) => i.ParentId));
    const leaves = [...left.values()].filter((i) => !parents.has(i.Id));
    if (!leaves.length) break;
    for (const im of leaves) {
      if (!left.delete(im.Id)) continue; // deleted with a child already
      try {
        // The engine also deletes the untagged parents a removed image leaves behind (unless noprune): its answer lists them.
        const answer: unknown = await docker.getImage(im.Id).remove({ force });
        const deleted = Array.isArray(answer) ? (answer as { Deleted?: unknown }[]).map((a) => a.Deleted).filter((d): d is string => typeof d === 'string') : [];
        removed.push(im.Id);
        for (const d of deleted) if (d !== im.Id && left.delete(d)) removed.push(d);
      } catch (err) {
        // Gone already (another cleanup, or pruned with a child) is not a failure.
        if (engineStatusOf(err) !== 404 && (await exists(docker, im.Id))) failed.push(`${im.Id.replace(/^sha256:/, '').slice(0, 12)}: ${engineMessage(err)}`);
      }
    }
  }
  return { removed, failed };
}

function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const [host, pid] = owner.split(':');
  if (host !== os.hostname()) return true; // another machine's run: not ours to judge
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  try {
    process.kill(n, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface CleanupResult {
  removed: string[];
  /** Still owned by a live pid1 run (left alone). */
  inUse: string[];
  failed: string[];
}

/**
 * Remove leftovers by label: containers and images of runs whose owner process is gone, and the
 * namespaces (inits carrying PID1_TEST_RUN) of such runs.
 */
export async function cleanupLeftovers(docker: Docker | undefined, run?: string, settleMs = 10_000): Promise<CleanupResult> {
  const out: CleanupResult = { removed: [], inUse: [], failed: [] };
  // Every run's leftovers, or one run's (`--cleanup RUN`: the run id a report names).
  const label = [run !== undefined ? `${RUN_LABEL}=${run}` : RUN_LABEL];
  // A run killed mid-build leaves the engine finishing its step (a container still being torn down holds
  // its image): what fails is tried again, and reported only if it still fails after `settleMs`.
  const end = Date.now() + settleMs;
  const inUse = new Set<string>();
  while (docker) {
    const failed: string[] = [];
    const containers = await docker.listContainers({ all: true, filters: { label } });
    for (const c of containers) {
      const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
      if (ownerAlive(c.Labels[OWNER_LABEL])) {
        inUse.add(`container ${name}`);
        continue;
      }
      try {
        await docker.getContainer(c.Id).remove({ force: true, v: true });
        out.removed.push(`container ${name}`);
      } catch (err) {
        if (engineStatusOf(err) !== 404) failed.push(`container ${name}: ${messageOf(err)}`); // 404: removed meanwhile
      }
    }
    // `all`: also the intermediate images a build committed step by step (they carry the run's labels
    // from the LABEL pid1 adds after each FROM, src/runtime/build.ts); children are removed first.
    const images = await docker.listImages({ all: true, filters: { label } });
    const gone: typeof images = [];
    for (const im of images) {
      if (ownerAlive(im.Labels?.[OWNER_LABEL])) inUse.add(`image ${im.RepoTags?.find((t) => t !== '<none>:<none>') ?? shortId(im.Id)}`);
      else gone.push(im);
    }
    const r = await removeImagesLeavesFirst(docker, gone, true);
    const nameOf = new Map(gone.map((im) => [im.Id, im.RepoTags?.find((t) => t !== '<none>:<none>') ?? shortId(im.Id)]));
    out.removed.push(...r.removed.map((id) => `image ${nameOf.get(id) ?? shortId(id)}`));
    failed.push(...r.failed.map((f) => `image ${f}`));
    if (!failed.length || Date.now() > end) {
      out.failed.push(...failed);
      break;
    }
    await sleep(250);
  }
  out.inUse.push(...inUse);
  for (const ns of leftoverNamespaces()) {
    if (run !== undefined && ns.run !== run) continue;
    if (ownerAlive(ns.owner)) {
      out.inUse.push(`namespace init ${ns.pid} (run ${ns.run})`);
      continue;
    }
    try {
      // SIGKILL from the host (an ancestor namespace) reaches a namespace init; the kernel then ends the rest.
      process.kill(ns.pid, 'SIGKILL');
      out.removed.push(`namespace init ${ns.pid} (run ${ns.run})`);
    } catch (err) {
      out.failed.push(`namespace init ${ns.pid}: ${messageOf(err)}`);
    }
  }
  return out;
}

/** Namespace inits started by `pid1 test -- CMD`: PID 1 of their namespace with PID1_TEST_RUN in their environment. */
function leftoverNamespaces(): { pid: number; run: string; owner?: string }[] {
  const out: { pid: number; run: string; owner?: string }[] = [];
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const p of pids) {
    let env: string;
    try {
      env = fs.readFileSync(`/proc/${p}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (!env.includes(`${RUN_ENV}=`)) continue;
    const nspid = nsPidsOf(Number(p));
    if (nspid.length < 2 || nspid[nspid.length - 1] !== 1) continue; // only the namespace init
    const vars = new Map(env.split('\0').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const owner = vars.get(OWNER_ENV);
    out.push({ pid: Number(p), run: vars.get(RUN_ENV) ?? '?', ...(owner ? { owner } : {}) });
  }
  return out;
}
