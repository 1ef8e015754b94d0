/**
 * Watching processes that are not our children end, with the time and the status of each end.
 *
 * Evidence, most reliable first:
 * - the kernel's process connector (netlink, CN_IDX_PROC): one event per exit, stamped by the kernel
 *   (CLOCK_MONOTONIC) and carrying the wait status, so "exited 0" and "killed by SIGKILL" are facts,
 *   not guesses. It needs root in the host's PID namespace (EPERM otherwise);
 * - polling /proc/PID/stat every 2 ms (5 ms as the connector's backup): the exit time to within a
 *   tick, and the status only when the process is seen as a zombie (field 52, exit_code) before its
 *   parent reaps it;
 * - a process that vanished between two polls: the time only.
 * The poll always runs, so a lost connector event (ENOBUFS) still gives an exit time.
 */
import { signalName } from '../model/signals.js';
import { childrenOf, commOf, nsPidOf, readStat } from '../proc/stat.js';
import { mono } from './clock.js';

export interface ExitStatus {
  /** exit(code), when it exited on its own. */
  code?: number;
  /** The signal that ended it. */
  signal?: string;
  core?: boolean;
  /** The raw wait status. */
  raw: number;
}

export type ExitSource = 'kernel' | 'zombie' | 'vanished';

export interface ProcessExit {
  hostPid: number;
  /** PID inside its own namespace (the last NSpid), when it was seen alive. */
  pid?: number;
  name: string;
  /** Monotonic ms. */
  at: number;
  status?: ExitStatus;
  source: ExitSource;
}

/** Decode a wait status (as waitpid(2) reports it, and as the kernel keeps it in task->exit_code). */
export function decodeWaitStatus(raw: number): ExitStatus {
  const sig = raw & 0x7f;
  if (sig === 0) return { code: (raw >> 8) & 0xff, raw };
  let name: string;
  try {
    name = signalName(sig);
  } catch {
    name = `signal ${sig}`;
  }
  return { signal: name, ...(raw & 0x80 ? { core: true } : {}), raw };
}

export function describeStatus(s: ExitStatus | undefined): string {
  if (!s) return 'ended (status not seen)';
  if (s.signal) return `killed by ${s.signal}${s.core ? ' (core dumped)' : ''}`;
  return `exit ${s.code ?? 0}`;
}

// -------------------------------------------------------------------------------------------------
// The process connector, through koffi (Node has no AF_NETLINK sockets).

const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0x800;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const PROC_CN_MCAST_LISTEN = 1;
const NLMSG_DONE = 3;
const PROC_EVENT_FORK = 0x1;
const PROC_EVENT_EXEC = 0x2;
const PROC_EVENT_EXIT = 0x80000000;
const SOL_SOCKET = 1;
const SO_RCVBUFFORCE = 33;
const EAGAIN = 11;
const ENOBUFS = 105;
// nlmsghdr (16 bytes) + cn_msg (20 bytes), then struct proc_event: what, cpu, timestamp_ns, event_data.
const EV = 36;

type CFn = (...args: unknown[]) => number | bigint;
interface Libc {
  socket: CFn;
  bind: CFn;
  send: CFn;
  recv: CFn;
  close: CFn;
  setsockopt: CFn;
  errno: () => number;
}
let libc: Libc | null | undefined;

async function loadLibc(): Promise<Libc | null> {
  if (libc !== undefined) return libc;
  try {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load('libc.so.6');
    libc = {
      socket: lib.func('int socket(int, int, int)') as CFn,
      bind: lib.func('int bind(int, void *, uint32_t)') as CFn,
      send: lib.func('intptr_t send(int, void *, size_t, int)') as CFn,
      recv: lib.func('intptr_t recv(int, _Out_ void *, size_t, int)') as CFn,
      close: lib.func('int close(int)') as CFn,
      setsockopt: lib.func('int setsockopt(int, int, int, void *, uint32_t)') as CFn,
      errno: () => koffi.errno(),
    };
  } catch {
    libc = null;
  }
  return libc;
}

interface ConnectorEvents {
  fork(parent: number, child: number): void;
  exec(pid: number): void;
  exit(pid: number, at: number, raw: number): void;
}

class ProcConnector {
  private readonly buf = Buffer.alloc(64 * 1024);
  lost = false;

  private constructor(
    private readonly c: Libc,
    private fd: number,
  ) {}

  static async open(): Promise<{ connector?: ProcConnector; why?: string }> {
    if (process.platform !== 'linux') return { why: 'not Linux' };
    if (process.env.PID1_PROC_CONNECTOR === '0') return { why: 'turned off by PID1_PROC_CONNECTOR=0' };
    const c = await loadLibc();
    if (!c) return { why: 'koffi/libc not available' };
    const fd = Number(c.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR));
    if (fd < 0) return { why: `socket(AF_NETLINK) failed: errno ${c.errno()}` };
    const fail = (what: string): { why: string } => {
      const e = c.errno();
      c.close(fd);
      return { why: `${what} failed: errno ${e}${e === 1 ? ' (needs root in the host PID namespace)' : ''}` };
    };
    const big = Buffer.alloc(4);
    big.writeInt32LE(8 * 1024 * 1024);
    c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, big, 4); // root only; the default buffer works too
    const sa = Buffer.alloc(12);
    sa.writeUInt16LE(AF_NETLINK, 0);
    sa.writeUInt32LE(CN_IDX_PROC, 8);
    if (Number(c.bind(fd, sa, 12)) < 0) return fail('bind(CN_IDX_PROC)');
    const msg = Buffer.alloc(EV + 4);
    msg.writeUInt32LE(msg.length, 0);
    msg.writeUInt16LE(NLMSG_DONE, 4);
    msg.writeUInt32LE(process.pid, 12);
    msg.writeUInt32LE(CN_IDX_PROC, 16);
    msg.writeUInt32LE(CN_VAL_PROC, 20);
    msg.writeUInt16LE(4, 32);
    msg.writeUInt32LE(PROC_CN_MCAST_LISTEN, EV);
    if (Number(c.send(fd, msg, msg.length, 0)) < 0) return fail('subscribing to process events');
    return { connector: new ProcConnector(c, fd) };
  }

  drain(on: ConnectorEvents): void {
    if (this.fd < 0) return;
    for (;;) {
      const n = Number(this.c.recv(this.fd, this.buf, this.buf.length, 0));
      if (n < 0) {
        const e = this.c.errno();
        if (e === ENOBUFS) {
          this.lost = true;
          continue;
        } // the socket overflowed: events were dropped
        if (e !== EAGAIN) this.lost = true;
        return;
      }
      if (n === 0) return;
      for (let off = 0; off + EV + 16 <= n; ) {
        const len = this.buf.readUInt32LE(off);
        if (len < EV + 16) break;
        const what = this.buf.readUInt32LE(off + EV);
        const at = Number(this.buf.readBigUInt64LE(off + EV + 8)) / 1e6;
        const d = off + EV + 16;
        if (what === PROC_EVENT_FORK) {
          const parentTgid = this.buf.readUInt32LE(d + 4);
          const childPid = this.buf.readUInt32LE(d + 8);
          const childTgid = this.buf.readUInt32LE(d + 12);
          if (childPid === childTgid) on.fork(parentTgid, childPid);
        } else if (what === PROC_EVENT_EXEC) {
          on.exec(this.buf.readUInt32LE(d + 4));
        } else if (what === PROC_EVENT_EXIT) {
          const pid = this.buf.readUInt32LE(d);
          const tgid = this.buf.readUInt32LE(d + 4);
          // Only the thread-group leader's exit is the process's exit.
          if (pid === tgid) on.exit(pid, at, this.buf.readUInt32LE(d + 8));
        }
        off += (len + 3) & ~3;
      }
    }
  }

  close(): void {
    if (this.fd >= 0) this.c.close(this.fd);
    this.fd = -1;
  }
}

// -------------------------------------------------------------------------------------------------

/** `start`: field 22 of /proc/PID/stat when first seen; with the PID it names the process (PIDs are reused). */
interface Watched {
  hostPid: number;
  pid?: number;
  name: string;
  start?: number;
  goneSince?: number;
  zombie?: { at: number; raw: number };
}

/** How long a vanished process waits for its connector event before the poll's evidence is used. */
const CONNECTOR_WAIT_MS = 40;

export class ExitWatcher {
  private readonly watched = new Map<number, Watched>();
  private readonly ended = new Map<number, ProcessExit>();
  private readonly listeners: ((e: ProcessExit) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;

  private constructor(
    private readonly connector: ProcConnector | undefined,
    readonly why: string | undefined,
  ) {
    // With the connector the kernel stamps each exit; the poll is only a backup and can be slower.
    this.timer = setInterval(() => this.tick(), connector ? 5 : 2);
  }

  /** Start watching (nothing yet); uses the connector when the kernel allows it. */
  static async open(): Promise<ExitWatcher> {
    const { connector, why } = await ProcConnector.open();
    return new ExitWatcher(connector, why);
  }

  /** Where exit statuses come from. */
  get source(): 'proc connector' | '/proc polling' {
    return this.connector && !this.connector.lost ? 'proc connector' : '/proc polling';
  }

  get eventsLost(): boolean {
    return this.connector?.lost ?? false;
  }

  /** Watch a process (and, through fork events or /proc, every process it starts). */
  watch(hostPid: number, name?: string, pid?: number): void {
    if (this.watched.has(hostPid) || this.ended.has(hostPid)) return;
    const st = readStat(hostPid);
    const nsPid = pid ?? nsPidOf(hostPid);
    this.watched.set(hostPid, { hostPid, name: name ?? commOf(hostPid) ?? '?', ...(st ? { start: st.starttime } : {}), ...(nsPid !== undefined ? { pid: nsPid } : {}) });
    if (!st) this.tick();
  }

  onExit(fn: (e: ProcessExit) => void): void {
    this.listeners.push(fn);
  }

  exitOf(hostPid: number): ProcessExit | undefined {
    return this.ended.get(hostPid);
  }

  get exits(): ProcessExit[] {
    return [...this.ended.values()].sort((a, b) => a.at - b.at);
  }

  /** Watched processes that have not ended. */
  alive(): number[] {
    return [...this.watched.keys()];
  }

  /** Resolve when every watched process has ended, or at `timeoutMs`; true when all ended. */
  async allEnded(timeoutMs: number): Promise<boolean> {
    const end = mono() + timeoutMs;
    while (this.watched.size && mono() < end) await new Promise((r) => setTimeout(r, 5));
    return this.watched.size === 0;
  }

  private record(w: Watched, at: number, source: ExitSource, raw?: number): void {
    this.watched.delete(w.hostPid);
    const e: ProcessExit = { hostPid: w.hostPid, ...(w.pid !== undefined ? { pid: w.pid } : {}), name: w.name, at, source, ...(raw !== undefined ? { status: decodeWaitStatus(raw) } : {}) };
    this.ended.set(w.hostPid, e);
    for (const fn of this.listeners) fn(e);
  }

  tick(): void {
    const now = mono();
    this.ticks++;
    this.connector?.drain({
      fork: (parent, child) => {
        const p = this.watched.get(parent);
        if (!p || this.watched.has(child)) return;
        const st = readStat(child);
        const nsPid = nsPidOf(child);
        this.watched.set(child, { hostPid: child, name: commOf(child) ?? p.name, ...(st ? { start: st.starttime } : {}), ...(nsPid !== undefined ? { pid: nsPid } : {}) });
      },
      exec: (pid) => {
        const w = this.watched.get(pid);
        if (w) w.name = commOf(pid) ?? w.name;
      },
      exit: (pid, at, raw) => {
        const w = this.watched.get(pid);
        if (w) this.record(w, at, 'kernel', raw);
      },
    });
    const useConnector = this.connector !== undefined && !this.connector.lost;
    for (const w of [...this.watched.values()]) {
      const st = readStat(w.hostPid);
      const gone = !st || (w.start !== undefined && st.starttime !== w.start); // a different process now has this PID
      if (!gone && st.state !== 'Z') {
        // Without the connector, find children it started since the last look.
        if (!useConnector && this.ticks % 10 === 0) this.adoptChildren(w);
        continue;
      }
      // exit_code (field 52, Linux 3.5+) holds a zombie's wait status until its parent reaps it.
      if (!gone && st.state === 'Z' && !w.zombie && st.exitCode !== undefined) w.zombie = { at: now, raw: st.exitCode };
      w.goneSince ??= now;
      if (useConnector && now - w.goneSince < CONNECTOR_WAIT_MS) continue;
      if (w.zombie) this.record(w, w.zombie.at, 'zombie', w.zombie.raw);
      else this.record(w, w.goneSince, 'vanished');
    }
  }

  private adoptChildren(w: Watched): void {
    for (const k of childrenOf(w.hostPid)) this.watch(k);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.connector?.close();
  }
}
