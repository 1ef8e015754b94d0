/**
 * What a watch covers: one container, the PID namespace of a host PID (or, for a host process, its
 * subtree), or every container on the engine. Each is a set of units (one per PID namespace: a
 * container's run), and a scan finds their processes in /proc.
 */
import fs from 'node:fs';
import { pidNsOf, readStat } from '../../proc/stat.js';
import { UserError, messageOf } from '../../util/errors.js';
import type { ContainerInfo } from './events.js';
import type { ContainerSource, WatchedContainer } from './sources.js';

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

function unitOfContainer(c: WatchedContainer): Unit | undefined {
  const ns = pidNsOf(c.hostPid);
  if (!ns) return undefined; // exited meanwhile
  const info = c.info;
  return { key: ns, container: info, initPid: c.hostPid, isolated: true, label: `container ${info.name}${info.pod ? ` (pod ${info.namespace ? `${info.namespace}/` : ''}${info.pod})` : ''}` };
}

/** All PIDs (thread-group leaders) in /proc. */
function listPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
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
  /** Containers started meanwhile (--all): the runtime's list is read again. */
  refresh(): Promise<void>;
  /** How often refresh() runs (--all; default 10 s). */
  readonly refreshMs?: number;
  /** Called after new units joined (--all: a container started), so that their processes are scanned at once. */
  onChange?: () => void;
  close(): void;
}

class FixedScope implements Scope {
  constructor(
    readonly kind: 'container' | 'pid',
    private readonly unit: Unit,
  ) {}

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

/** `--container NAME|ID`: a running container, on Docker, Podman or containerd. */
export async function containerScope(source: ContainerSource, ref: string): Promise<Scope> {
  const c = await source.find(ref);
  const unit = unitOfContainer(c);
  if (!unit) throw new UserError(`container ${c.info.name} exited before pid1 could watch it`);
  return new FixedScope('container', unit);
}

/**
 * `--pid N`: the PID namespace of host PID N, or N and its descendants when N is a host process;
 * `container`: what runs in that namespace (pid1 test's container), for the words.
 */
export function pidScope(pid: number, container?: ContainerInfo): Scope {
  const ns = pidNsOf(pid);
  if (!fs.existsSync(`/proc/${pid}`)) throw new UserError(`no process with PID ${pid}`);
  if (!ns) throw new UserError(`cannot read /proc/${pid}/ns/pid (permission denied?)`);
  const mine = pidNsOf('self');
  if (ns !== mine) {
    const init = initOf(ns, listPids());
    if (init === undefined) throw new UserError(`the PID namespace of process ${pid} has no init (PID 1 exited)`);
    const label = container ? `container ${container.name}` : init === pid ? `the PID namespace of host PID ${pid}` : `the PID namespace of host PID ${pid} (its init is host PID ${init})`;
    return new FixedScope('pid', { key: ns, container: container ?? null, initPid: init, isolated: true, label });
  }
  return new FixedScope('pid', { key: `subtree:${pid}`, container: null, initPid: pid, isolated: false, label: `PID ${pid} and its descendants` });
}

/** `--all`: every running container on the runtime, and those that start while it watches. */
class AllScope implements Scope {
  readonly kind = 'all';
  private readonly byNs = new Map<string, Unit>();
  private readonly seenIds = new Set<string>();
  private events: { destroy(): void } | undefined;
  private refreshing: Promise<void> | undefined;
  private again = false;
  onChange?: () => void;

  constructor(private readonly source: ContainerSource) {}

  get refreshMs(): number {
    return this.source.refreshMs;
  }

  /** Follow the runtime's `start` events, so that a container started meanwhile is watched at once. */
  async follow(onError: (why: string) => void): Promise<void> {
    if (!this.source.follow) return;
    this.events = await this.source.follow((id) => {
      this.seenIds.delete(id); // a restart is a new run: a new namespace
      void this.refresh().catch((err: unknown) => onError(messageOf(err)));
    }, onError);
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
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const ids = await this.source.runningKeys();
    let added = 0;
    for (const id of ids) {
      if (this.seenIds.has(id)) continue;
      const c = await this.source.read(id);
      const u = c ? unitOfContainer(c) : undefined;
      if (!u) continue; // removed, stopped or exited meanwhile
      this.seenIds.add(id);
      // A unit already watched keeps its object (a story in progress is keyed by it).
      if (!this.byNs.has(u.key)) {
        this.byNs.set(u.key, u);
        added++;
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

export async function allScope(source: ContainerSource, onError: (why: string) => void): Promise<Scope> {
  const s = new AllScope(source);
  await s.refresh();
  try {
    await s.follow(onError);
  } catch (err) {
    onError(`cannot follow ${source.label}'s events (containers started later are found every ${source.refreshMs / 1000} s): ${messageOf(err)}`);
  }
  return s;
}
