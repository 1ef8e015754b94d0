/**
 * What a watch covers: one container, the PID namespace of a host PID (or, for a host process, its
 * subtree), or every container on the engine. Each is a set of units (one per PID namespace: a
 * container's run), and a scan finds their processes in /proc.
 */
import fs from 'node:fs';
import { pidNsOf, readStat } from '../../proc/stat.js';
import { UserError } from '../../util/errors.js';
import { safeName } from '../../util/sanitize.js';
import type { ContainerFacts, Engine } from '../docker.js';
import type { ContainerInfo } from './events.js';

export interface Unit {
  /** The PID namespace (pid:[inode]), or `subtree:<pid>` for a host process and its descendants. */
  key: string;
  container: ContainerInfo | null;
  /** Host PID of PID 1 of the namespace (of the subtree's root for a host process). */
  initPid: number;
  /** A PID namespace of its own: its init drops default-action signals. */
  isolated: boolean;
  /** For people: "container web", "the PID namespace of 4242". */
  label: string;
}

export function containerInfo(c: ContainerFacts): ContainerInfo {
  const pod = c.labels['io.kubernetes.pod.name'];
  const ns = c.labels['io.kubernetes.pod.namespace'];
  return {
    id: c.id, name: safeName(c.name), image: safeName(c.image),
    ...(pod ? { pod: safeName(pod) } : {}), ...(ns ? { namespace: safeName(ns) } : {}),
  };
}

function unitOfContainer(c: ContainerFacts): Unit | undefined {
  const ns = pidNsOf(c.hostPid);
  if (!ns) return undefined; // exited meanwhile
  const info = containerInfo(c);
  return { key: ns, container: info, initPid: c.hostPid, isolated: true, label: `container ${info.name}${info.pod ? ` (pod ${info.namespace ? `${info.namespace}/` : ''}${info.pod})` : ''}` };
}

/** All PIDs (thread-group leaders) in /proc. */
function listPids(): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** The init of PID namespace `ns`: its member whose innermost NSpid is 1. */
function initOf(ns: string, pids: number[]): number | undefined {
  for (const p of pids) {
    if (pidNsOf(p) !== ns) continue;
    try {
      const m = /^NSpid:\s*(.*)$/m.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      const list = (m?.[1] ?? '').trim().split(/\s+/);
      if (list.length > 1 && list.at(-1) === '1') return p;
    } catch {
      /* gone */
    }
  }
  return undefined;
}

export interface Scope {
  readonly kind: 'container' | 'pid' | 'all';
  units(): Unit[];
  /** The unit a process belongs to, from its PID namespace (and for a subtree, its ancestry). */
  unitOf(pid: number, pidNs: string): Unit | undefined;
  /** Every process (PID) in scope now, with its unit. */
  scan(): Map<number, Unit>;
  /** Called when a unit is over (its init exited): --all forgets it. */
  retire(unit: Unit): void;
  /** Containers started meanwhile (--all): the engine's list is read again. */
  refresh(): Promise<void>;
  /** Called after new units joined (--all: a container started), so that their processes are scanned at once. */
  onChange?: () => void;
  close(): void;
}

class FixedScope implements Scope {
  constructor(readonly kind: 'container' | 'pid', private readonly unit: Unit) {}

  units(): Unit[] {
    return [this.unit];
  }

  unitOf(pid: number, pidNs: string): Unit | undefined {
    if (this.unit.isolated) return pidNs === this.unit.key ? this.unit : undefined;
    // A host subtree: walk up the parents (a chain of /proc/PID/stat reads; 64 levels is plenty).
    let p = pid;
    for (let i = 0; i < 64 && p > 1; i++) {
      if (p === this.unit.initPid) return this.unit;
      const st = readStat(p);
      if (!st) return undefined;
      p = st.ppid;
    }
    return undefined;
  }

  scan(): Map<number, Unit> {
    const out = new Map<number, Unit>();
    if (this.unit.isolated) {
      for (const p of listPids()) if (pidNsOf(p) === this.unit.key) out.set(p, this.unit);
      return out;
    }
    const byParent = new Map<number, number[]>();
    for (const p of listPids()) {
      const pp = readStat(p)?.ppid;
      if (pp === undefined) continue;
      byParent.set(pp, [...(byParent.get(pp) ?? []), p]);
    }
    const queue = [this.unit.initPid];
    while (queue.length) {
      const p = queue.shift() as number;
      if (out.has(p) || !fs.existsSync(`/proc/${p}`)) continue;
      out.set(p, this.unit);
      queue.push(...(byParent.get(p) ?? []));
    }
    return out;
  }

  retire(): void {
    /* one unit: the watch ends with it */
  }

  async refresh(): Promise<void> {
    /* fixed */
  }

  close(): void {
    /* nothing held */
  }
}

/** `--container NAME|ID`: a running container, through the Engine API. */
export async function containerScope(docker: Engine, ref: string): Promise<Scope> {
  const { runningContainer } = await import('../docker.js');
  const c = await runningContainer(docker, ref);
  const unit = unitOfContainer(c);
  if (!unit) throw new UserError(`container ${safeName(c.name)} exited before pid1 could watch it`);
  return new FixedScope('container', unit);
}

/** `--pid N`: the PID namespace of host PID N, or N and its descendants when N is a host process. */
export function pidScope(pid: number): Scope {
  const ns = pidNsOf(pid);
  if (!fs.existsSync(`/proc/${pid}`)) throw new UserError(`no process with PID ${pid}`);
  if (!ns) throw new UserError(`cannot read /proc/${pid}/ns/pid (permission denied?)`);
  const mine = pidNsOf('self');
  if (ns !== mine) {
    const init = initOf(ns, listPids());
    if (init === undefined) throw new UserError(`the PID namespace of process ${pid} has no init (PID 1 exited)`);
    return new FixedScope('pid', { key: ns, container: null, initPid: init, isolated: true, label: init === pid ? `the PID namespace of host PID ${pid}` : `the PID namespace of host PID ${pid} (its init is host PID ${init})` });
  }
  return new FixedScope('pid', { key: `subtree:${pid}`, container: null, initPid: pid, isolated: false, label: `PID ${pid} and its descendants` });
}

/** `--all`: every running container on the engine, and those that start while it watches. */
class AllScope implements Scope {
  readonly kind = 'all';
  private readonly byNs = new Map<string, Unit>();
  private readonly seenIds = new Set<string>();
  private events: { destroy(): void } | undefined;
  private refreshing: Promise<void> | undefined;
  private again = false;
  onChange?: () => void;

  constructor(private readonly docker: Engine) {}

  /** Follow the engine's `start` events, so that a container started meanwhile is watched at once. */
  async follow(onError: (why: string) => void): Promise<void> {
    const stream = await this.docker.getEvents({ filters: { type: ['container'], event: ['start'] } });
    const readable = stream as unknown as NodeJS.ReadableStream & { destroy(): void };
    this.events = readable;
    let rest = '';
    readable.on('data', (d: Buffer) => {
      rest += d.toString();
      let i: number;
      while ((i = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, i);
        rest = rest.slice(i + 1);
        try {
          const e = JSON.parse(line) as { id?: string; Actor?: { ID?: string } };
          const id = e.Actor?.ID ?? e.id;
          if (id) this.seenIds.delete(id); // a restart is a new run: a new namespace
        } catch {
          continue;
        }
        void this.refresh().catch((err: unknown) => onError(String(err)));
      }
    });
    readable.on('error', (err: Error) => onError(`the engine's event stream failed: ${err.message}`));
  }

  units(): Unit[] {
    return [...this.byNs.values()];
  }

  unitOf(_pid: number, pidNs: string): Unit | undefined {
    return this.byNs.get(pidNs);
  }

  scan(): Map<number, Unit> {
    const out = new Map<number, Unit>();
    if (!this.byNs.size) return out;
    for (const p of listPids()) {
      const ns = pidNsOf(p);
      const u = ns ? this.byNs.get(ns) : undefined;
      if (u) out.set(p, u);
    }
    return out;
  }

  retire(unit: Unit): void {
    this.byNs.delete(unit.key);
  }

  refresh(): Promise<void> {
    // One at a time (events come in bursts); a request during a refresh runs it once more after.
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.doRefresh();
      } while (this.again);
    })().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const { inspectContainer, runningContainerIds } = await import('../docker.js');
    const ids = await runningContainerIds(this.docker);
    let added = 0;
    for (const id of ids) {
      if (this.seenIds.has(id)) continue;
      try {
        const c = await inspectContainer(this.docker, id);
        if (!c.running || c.hostPid <= 0) continue;
        const u = unitOfContainer(c);
        if (!u) continue;
        this.seenIds.add(id);
        this.byNs.set(u.key, u);
        added++;
      } catch {
        /* removed meanwhile */
      }
    }
    // A container seen before and no longer running can start again: with a new namespace.
    const running = new Set(ids);
    for (const id of [...this.seenIds]) if (!running.has(id)) this.seenIds.delete(id);
    if (added) this.onChange?.();
  }

  close(): void {
    this.events?.destroy();
    this.events = undefined;
  }
}

export async function allScope(docker: Engine, onError: (why: string) => void): Promise<Scope> {
  const s = new AllScope(docker);
  await s.refresh();
  try {
    await s.follow(onError);
  } catch (err) {
    onError(`cannot follow the engine's events (containers started later are found every 10 s): ${String(err)}`);
  }
  return s;
}
