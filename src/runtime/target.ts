/**
 * What `pid1 test` starts and stops: a container (through the Engine API, as `docker run` would
 * create it) or a command as PID 1 of a fresh PID namespace (`unshare --pid --fork --mount-proc`).
 * Both give the same handles: PID 1's host PID, timestamped logs, the signals the runtime sent,
 * the exit, an exec inside, and removal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import type Docker from 'dockerode';
import { parseSignal, signalName } from '../model/signals.js';
import { childrenOf, cmdlineOf } from '../proc/stat.js';
import { firstTarEntry } from './tar.js';
import { UserError, messageOf } from '../util/errors.js';
import { mono, parseEngineTime, sleep, wallToMono, within } from './clock.js';
import { engineMessage, engineStatusOf } from './docker.js';
import { PODMAN_INIT_PATH } from './podman.js';
import { OWNER_ENV, RUN_ENV, type Run } from './cleanup.js';

export interface LogLine {
  /** Monotonic ms: the engine's receive time for containers, ours for namespaces. */
  at: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

/** A signal the runtime delivered to PID 1: from the engine's own `kill` events, or sent by pid1. */
export interface RuntimeSignal {
  /** When it was sent (monotonic ms): pid1's own sends exactly; the engine's settled by settleSignals(). */
  at: number;
  signal: string;
  by: string;
  /** The engine's `kill` event time, when the signal came from one. */
  eventAt?: number;
  /** The earliest it can have been sent: when pid1 asked the engine for it (for SIGKILL after a stop: that plus the grace). */
  notBefore?: number;
}

/**
 * A signal's time is when it was sent, never after what it caused. The engine delivers a signal
 * through `runc kill` and logs its `kill` event once that returns, so the event can come after the
 * process the signal ended has exited (and after the kernel stamped that exit). Bounded by what was
 * seen: the first reaction (a process exit, a line logged) after pid1 asked for the signal, unless the
 * event came first; never before pid1 asked for it. Recomputed from the event time, so calling it again
 * with more reactions is safe.
 */
export function settleSignals(signals: RuntimeSignal[], reactions: readonly number[]): void {
  const sorted = [...reactions].sort((a, b) => a - b);
  for (const s of signals) {
    if (s.eventAt === undefined || s.notBefore === undefined) continue;
    const floor = s.notBefore;
    const first = sorted.find((r) => r >= floor);
    s.at = first !== undefined && first < s.eventAt ? Math.max(floor, first - 0.1) : s.eventAt;
  }
}

export interface TargetExit {
  at: number;
  exitCode: number;
}

export interface ExecResult {
  code: number | null;
  output: string;
  timedOut: boolean;
  error?: string;
}

/** The target never reached the stop: it failed to start or exited first. */
export class NoStart extends Error {
  constructor(
    message: string,
    readonly exitCode?: number,
  ) {
    super(message);
  }
}

export interface Target {
  readonly kind: 'container' | 'namespace';
  /** Container name, or `namespace`. */
  readonly name: string;
  readonly id: string;
  /** What runs as PID 1, after the runtime's merge of entrypoint and command (and docker-init). */
  readonly argv: string[];
  readonly logs: LogLine[];
  readonly signals: RuntimeSignal[];
  hostPid: number;
  exit: TargetExit | undefined;
  /** Set when the engine stopped answering. */
  engineLost?: string;
  start(): Promise<void>;
  /** The exit, when it comes within `timeoutMs`. */
  exited(timeoutMs: number): Promise<TargetExit | undefined>;
  /** Send `signal` to PID 1 from outside, as the runtime does; returns when it was sent (monotonic ms). */
  kill(signal: string): Promise<number>;
  /** The engine's own stop (docker stop -t): containers only. */
  engineStop?(graceSeconds: number): Promise<void>;
  exec(argv: string[], timeoutMs: number): Promise<ExecResult>;
  /** Wait for the log stream to deliver what was written before the exit. */
  logsDone(timeoutMs: number): Promise<void>;
  remove(): Promise<void>;
}

/** Lines kept per target: a chatty service must not grow pid1's memory without bound. */
const MAX_LOG_LINES = 20_000;

function pushLog(logs: LogLine[], line: LogLine): void {
  if (logs.length >= MAX_LOG_LINES) logs.splice(0, MAX_LOG_LINES / 4);
  logs.push(line);
}

function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer | string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      rest += chunk.toString();
      let i: number;
      while ((i = rest.indexOf('\n')) >= 0) {
        onLine(rest.slice(0, i).replace(/\r$/, ''));
        rest = rest.slice(i + 1);
      }
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/**
 * dockerode types its HTTP streams as NodeJS.ReadableStream; they are http.IncomingMessage (a log or
 * event stream) or a socket (an attached exec), both stream.Readable, which can be destroyed.
 */
function readable(s: NodeJS.ReadableStream, what: string): Readable {
  if (s instanceof Readable) return s;
  throw new Error(`${what}: the engine's answer is not a readable stream`);
}

/** A signal as Docker names it (SIGTERM for TERM, 15 or SIGTERM; Podman reports numbers, "15"); the text itself when it is not a signal. */
function canonicalSignal(sig: string): string {
  try {
    return signalName(parseSignal(/^\d+$/.test(sig) ? Number(sig) : sig));
  } catch {
    return sig;
  }
}

// -------------------------------------------------------------------------------------------------

/** The name pid1 test gives the container of a run (set before creating it, so that it can be removed by name). */
export function containerNameOf(run: Run): string {
  return `pid1-test-${run.id}`;
}

/** Remove a container by name or ID; a missing one is already gone. */
export async function removeContainer(docker: Docker, ref: string): Promise<void> {
  try {
    await docker.getContainer(ref).remove({ force: true, v: true });
  } catch (err) {
    if (engineStatusOf(err) !== 404) throw new Error(engineMessage(err));
  }
}

interface ContainerPlan {
  image: string;
  entrypoint?: string[];
  cmd?: string[];
  env: Record<string, string>;
  user?: string;
  workingDir?: string;
  /** Config.StopSignal: what the engine's stop sends. */
  stopSignal?: string;
  /** Config.StopTimeout: what the engine's stop waits (set for Podman, whose compat create gives 0 before 4.7). */
  stopTimeout?: number;
  init: boolean;
  network: string;
}

/**
 * Which engine answers on the Docker API. Podman's (measured, podman.ts): a stop emits no `kill`
 * events and its kill events name no signal, so pid1 records the signals it asks for and replays a
 * stop itself; a followed log stream answers only once the container writes its first line, so it
 * is not awaited; its log timestamps have whole seconds only, so a line's time is when it arrived.
 */
type EngineFlavour = 'docker' | 'podman';

interface EngineEvent {
  Type?: string;
  Action?: string;
  status?: string;
  timeNano?: number;
  time?: number;
  Actor?: { Attributes?: Record<string, string> };
}

export class ContainerTarget implements Target {
  readonly kind = 'container';
  readonly logs: LogLine[] = [];
  readonly signals: RuntimeSignal[] = [];
  hostPid = 0;
  exit: TargetExit | undefined;
  engineLost?: string;
  private events: Readable | undefined;
  private logStream: Readable | undefined;
  /** What pid1 asked the engine for (monotonic ms): a stop (signal, then SIGKILL after the grace) or one signal. */
  private readonly requests: { at: number; signal?: string; graceMs?: number }[] = [];
  private logEnd: Promise<void> = Promise.resolve();
  /** Cancels a log request still waiting for its answer (Podman's, before the first line). */
  private readonly logAbort = new AbortController();
  private removed = false;

  private constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
    readonly id: string,
    readonly name: string,
    readonly argv: string[],
    readonly flavour: EngineFlavour = 'docker',
  ) {}

  /** The engine's name in messages and timelines. */
  private get engineName(): string {
    return this.flavour === 'podman' ? 'Podman' : 'the Docker engine';
  }

  /**
   * Create the container `name` (containerNameOf(run)): the caller registers its removal by that name
   * first, so that a failure after the engine created it, or Ctrl-C while it does, leaves nothing behind.
   */
  static async create(docker: Docker, plan: ContainerPlan, run: Run, name = containerNameOf(run), flavour: EngineFlavour = 'docker'): Promise<ContainerTarget> {
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        name,
        Image: plan.image,
        ...(plan.entrypoint ? { Entrypoint: plan.entrypoint } : {}),
        ...(plan.cmd ? { Cmd: plan.cmd } : {}),
        Env: Object.entries(plan.env).map(([k, v]) => `${k}=${v}`),
        ...(plan.user ? { User: plan.user } : {}),
        ...(plan.workingDir ? { WorkingDir: plan.workingDir } : {}),
        ...(plan.stopSignal ? { StopSignal: plan.stopSignal } : {}),
        ...(plan.stopTimeout !== undefined ? { StopTimeout: plan.stopTimeout } : {}),
        Labels: run.labels,
        HostConfig: { NetworkMode: plan.network, Init: plan.init },
      });
    } catch (err) {
      if (engineStatusOf(err) === 404) throw new UserError(`no such image: ${plan.image} (pid1 test uses local images: docker pull or build it first)`);
      throw new UserError(`cannot create a container from ${plan.image}: ${engineMessage(err)}`);
    }
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (err) {
      throw new UserError(`cannot inspect the container ${name} just created: ${engineMessage(err)}`);
    }
    const toArray = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
    // `podman run --init` runs catatonit as /run/podman-init (libpod define.ContainerInitPath); Docker's is docker-init (tini).
    const init = flavour === 'podman' ? [PODMAN_INIT_PATH, '--'] : ['docker-init', '--'];
    const argv = [...(plan.init ? init : []), ...toArray(info.Config.Entrypoint), ...toArray(info.Config.Cmd)];
    return new ContainerTarget(docker, container, info.Id, name, argv, flavour);
  }

  private onEvent(e: EngineEvent): void {
    const action = e.Action ?? e.status ?? '';
    const at = wallToMono(e.timeNano ? e.timeNano / 1e6 : (e.time ?? 0) * 1000);
    const attrs = e.Actor?.Attributes ?? {};
    if (action === 'kill' && attrs.signal) {
      const sig = canonicalSignal(attrs.signal); // the engine's spelling when it is not a signal pid1 knows
      // The request it answers: the latest pid1 made before the event (none: someone else's docker kill/stop).
      const req = [...this.requests].reverse().find((r) => r.at <= at + 1 && (r.signal === undefined || r.signal === sig));
      const notBefore = req ? (req.graceMs !== undefined && sig === 'SIGKILL' ? req.at + req.graceMs : req.at) : undefined;
      this.signals.push({ at, signal: sig, by: this.engineName, eventAt: at, ...(notBefore !== undefined ? { notBefore } : {}) });
    } else if (action === 'die') {
      this.exit = { at, exitCode: Number(attrs.exitCode ?? -1) };
    }
  }

  private async openEvents(): Promise<void> {
    try {
      const stream = readable(await this.docker.getEvents({ filters: { container: [this.id], type: ['container'] } }), 'events');
      this.events = stream;
      const split = lineSplitter((line) => {
        if (!line.trim()) return;
        try {
          this.onEvent(JSON.parse(line) as EngineEvent);
        } catch {
          /* not an event */
        }
      });
      stream.on('data', (d: Buffer) => split.push(d));
      const lost = (why: string): void => {
        if (!this.removed && !this.engineLost) this.engineLost = why;
      };
      stream.on('error', (err: Error) => lost(`the engine's event stream failed: ${messageOf(err)}`));
      stream.on('end', () => lost('the engine closed its event stream'));
    } catch (err) {
      throw new UserError(`cannot follow the engine's events: ${engineMessage(err)}`);
    }
  }

  /** An existing, running container (pid1 stop): its events and its logs from now on. */
  static async attach(docker: Docker, ref: string, flavour: EngineFlavour = 'docker'): Promise<ContainerTarget> {
    const container = docker.getContainer(ref);
    const info = await container.inspect();
    const argv = [info.Path, ...(info.Args ?? [])];
    const t = new ContainerTarget(docker, container, info.Id, info.Name.replace(/^\//, ''), argv, flavour);
    t.hostPid = info.State.Pid;
    await t.openEvents();
    await t.followLogs(Date.now() / 1000);
    t.container.wait().then(
      (r: { StatusCode?: number }) => {
        t.exit ??= { at: mono(), exitCode: Number(r.StatusCode ?? -1) };
      },
      () => undefined,
    );
    return t;
  }

  async start(): Promise<void> {
    await this.openEvents();
    try {
      await this.container.start();
    } catch (err) {
      // The engine reports an entrypoint that cannot be executed as a failed start (OCI runtime error).
      let code: number | undefined;
      try {
        code = (await this.container.inspect()).State.ExitCode;
      } catch {
        /* gone */
      }
      throw new NoStart(`the container did not start: ${engineMessage(err)}`, code);
    }
    const info = await this.container.inspect();
    this.hostPid = info.State.Pid;
    if (!info.State.Running) {
      this.exit ??= { at: mono(), exitCode: info.State.ExitCode };
    }
    await this.followLogs();
    // Backup for the die event: the engine answers wait when the container exits.
    this.container.wait().then(
      (r: { StatusCode?: number }) => {
        this.exit ??= { at: mono(), exitCode: Number(r.StatusCode ?? -1) };
      },
      () => undefined,
    );
  }

  /** Follow the logs; `since`: from then on (UNIX seconds, fractions allowed), else from the start. */
  private async followLogs(since?: number): Promise<void> {
    const opening = this.container.logs({ follow: true, stdout: true, stderr: true, timestamps: true, ...(since !== undefined ? { since } : {}), abortSignal: this.logAbort.signal });
    if (this.flavour === 'podman') {
      // Podman answers a followed log request only once the container writes a line (or exits): not awaited.
      this.logEnd = opening.then(
        (s) => this.readLogs(readable(s, 'logs')),
        () => undefined,
      );
      return;
    }
    this.logEnd = this.readLogs(readable(await opening, 'logs'));
  }

  /** Demultiplex a log stream into lines; resolves when it ends. */
  private readLogs(stream: Readable): Promise<void> {
    if (this.removed) {
      stream.destroy();
      return Promise.resolve();
    }
    this.logStream = stream;
    const out = new PassThrough();
    const err = new PassThrough();
    const add = (kind: 'stdout' | 'stderr') =>
      lineSplitter((raw) => {
        const sp = raw.indexOf(' ');
        const wall = sp > 0 ? parseEngineTime(raw.slice(0, sp)) : undefined;
        // Podman's timestamps are whole seconds (measured on 4.3.1): the arrival time is closer.
        const at = wall !== undefined && this.flavour === 'docker' ? wallToMono(wall) : mono();
        pushLog(this.logs, { at, stream: kind, line: wall !== undefined ? raw.slice(sp + 1) : raw });
      });
    const so = add('stdout');
    const se = add('stderr');
    out.on('data', (d: Buffer) => so.push(d));
    err.on('data', (d: Buffer) => se.push(d));
    this.docker.modem.demuxStream(stream, out, err);
    return new Promise<void>((resolve) => {
      const done = (): void => {
        so.end();
        se.end();
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
    });
  }

  async exited(timeoutMs: number): Promise<TargetExit | undefined> {
    const end = mono() + timeoutMs;
    let polled = mono();
    while (!this.exit && mono() < end) {
      await sleep(5);
      if (mono() - polled > 500) {
        // Events can be missed when the engine restarts its stream: ask directly now and then.
        polled = mono();
        try {
          const s = (await this.container.inspect()).State;
          if (!s.Running && s.Status !== 'created') this.exit ??= { at: mono(), exitCode: s.ExitCode };
        } catch (err) {
          if (engineStatusOf(err) !== 404) this.engineLost ??= `the engine does not answer: ${engineMessage(err)}`;
          else this.exit ??= { at: mono(), exitCode: -1 };
        }
        if (this.engineLost) throw new UserError(`${this.engineLost} (container ${this.name})`);
      }
    }
    return this.exit;
  }

  async kill(signal: string, by?: string): Promise<number> {
    const at = mono();
    try {
      this.requests.push({ at, signal: canonicalSignal(signal) });
      await this.container.kill({ signal });
      // Podman's kill events name no signal: the record is pid1's own.
      if (this.flavour === 'podman') this.signals.push({ at, signal: canonicalSignal(signal), by: by ?? "pid1, through Podman's API (podman kill)" });
    } catch (err) {
      // 409: not running any more (it exited on its own in the meantime). Podman answers 500 ("container state improper"),
      // and its inspect may still say Running for a moment after the process has exited (seen under load): its own
      // "state improper: stopped" is taken at its word.
      const gone = this.flavour === 'podman' && /state improper: (stopped|exited)/i.test(engineMessage(err));
      if (engineStatusOf(err) !== 409 && !gone && (this.flavour !== 'podman' || (await this.stillRunning()))) throw new UserError(`cannot send ${signal} to ${this.name}: ${engineMessage(err)}`);
    }
    return at;
  }

  private async stillRunning(): Promise<boolean> {
    try {
      return (await this.container.inspect()).State.Running;
    } catch {
      return false;
    }
  }

  /** The stop command as the user would type it. */
  stopCommand(graceSeconds: number): string {
    return `${this.flavour} stop -t ${graceSeconds}`;
  }

  async engineStop(graceSeconds: number): Promise<void> {
    if (this.flavour === 'podman') {
      // podman stop -t N, replayed through the API so that each signal is known (Podman's stop emits no kill events):
      // the container's stop signal to PID 1, then SIGKILL when N seconds have passed (libpod Container.StopWithTimeout).
      const info = await this.container.inspect().catch(() => undefined);
      if (!info?.State.Running) return;
      const stopSignal = (info.Config as { StopSignal?: string }).StopSignal || 'SIGTERM';
      const by = `pid1, replaying podman stop -t ${graceSeconds} through Podman's API`;
      const at = await this.kill(canonicalSignal(stopSignal), by);
      if (await this.exited(Math.max(0, at + graceSeconds * 1000 - mono()))) return;
      await this.kill('SIGKILL', by);
      return;
    }
    try {
      // The engine sends the stop signal, waits graceSeconds, then SIGKILL (daemon/stop.go).
      this.requests.push({ at: mono(), graceMs: graceSeconds * 1000 });
      await this.container.stop({ t: graceSeconds });
    } catch (err) {
      if (engineStatusOf(err) !== 304) throw new UserError(`docker stop of ${this.name} failed: ${engineMessage(err)}`); // 304: already stopped
    }
  }

  async exec(argv: string[], timeoutMs: number): Promise<ExecResult> {
    try {
      const ex = await this.container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
      const stream = readable(await ex.start({ hijack: true, stdin: false }), 'exec');
      let output = '';
      const sink = new PassThrough();
      sink.on('data', (d: Buffer) => (output += d.toString()));
      this.docker.modem.demuxStream(stream, sink, sink);
      const ended = new Promise<boolean>((resolve) => {
        stream.on('end', () => resolve(true));
        stream.on('close', () => resolve(true));
        stream.on('error', () => resolve(true));
      });
      const finished = await within(ended, timeoutMs, false);
      if (!finished) {
        stream.destroy();
        return { code: null, output, timedOut: true };
      }
      const info = await ex.inspect();
      return { code: info.ExitCode ?? null, output, timedOut: false };
    } catch (err) {
      return { code: null, output: '', timedOut: false, error: engineMessage(err) };
    }
  }

  async logsDone(timeoutMs: number): Promise<void> {
    await within(this.logEnd, timeoutMs, undefined);
  }

  /** A file from the container's filesystem (also after it exited), through the archive endpoint. */
  async readFile(file: string): Promise<string | undefined> {
    try {
      const stream = readable(await this.container.getArchive({ path: file }), 'archive');
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
      // The archive of one path: its entry first (regular file: type 0, or NUL in old tars).
      const entry = firstTarEntry(Buffer.concat(chunks));
      return entry && (entry.type === '0' || entry.type === '7') ? entry.content.toString('utf8') : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stop following a container pid1 does not own (pid1 stop): it stays as it is. */
  async detach(): Promise<void> {
    this.removed = true;
    this.events?.destroy();
    this.logStream?.destroy();
    this.logAbort.abort();
  }

  async remove(): Promise<void> {
    await this.detach();
    await removeContainer(this.docker, this.id);
  }
}

// -------------------------------------------------------------------------------------------------

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = `${dir}/${name}`;
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** `-- CMD ARGS`: CMD as PID 1 of a new PID namespace, signalled from the host as a runtime would. */
export class NamespaceTarget implements Target {
  readonly kind = 'namespace';
  readonly name = 'namespace';
  readonly logs: LogLine[] = [];
  readonly signals: RuntimeSignal[] = [];
  hostPid = 0;
  exit: TargetExit | undefined;
  private child: ChildProcess | undefined;
  private closed: Promise<void> = Promise.resolve();
  private unshareExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  constructor(
    readonly argv: string[],
    private readonly run: Run,
  ) {}

  get id(): string {
    return String(this.hostPid);
  }

  async start(): Promise<void> {
    const unshare = which('unshare');
    if (!unshare) throw new UserError('unshare (util-linux) is not installed: it is needed to run a command in a new PID namespace');
    // setpriv --pdeathsig: if pid1 itself is killed, unshare gets SIGKILL and --kill-child ends the namespace.
    const setpriv = which('setpriv');
    const argv = [...(setpriv ? [setpriv, '--pdeathsig', 'KILL', '--'] : []), unshare, '--pid', '--fork', '--mount-proc', '--kill-child', '--', ...this.argv];
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, [RUN_ENV]: this.run.id, [OWNER_ENV]: this.run.owner },
    });
    this.child = child;
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new UserError(`cannot run unshare: ${messageOf(err)}`)));
    });
    this.unshareExit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const streams: Promise<void>[] = [];
    for (const kind of ['stdout', 'stderr'] as const) {
      const s = child[kind];
      if (!s) continue;
      // unshare's own complaint when it cannot re-raise the child's SIGKILL is not the command's output.
      const split = lineSplitter((line) => {
        if (!/^unshare: /.test(line) || !this.hostPid) pushLog(this.logs, { at: mono(), stream: kind, line });
      });
      s.on('data', (d: Buffer) => split.push(d));
      streams.push(
        new Promise((resolve) =>
          s.once('close', () => {
            split.end();
            resolve();
          }),
        ),
      );
    }
    this.closed = Promise.all(streams).then(() => undefined);
    void this.unshareExit.then(({ code, signal }) => {
      const status = code ?? 128 + (signal ? parseSignal(signal) : 0);
      this.exit ??= { at: mono(), exitCode: status };
    });
    await spawned;
    const uPid = child.pid as number;
    // The namespace init: unshare's forked child, once it has exec'd CMD.
    const end = mono() + 10_000;
    while (mono() < end) {
      // setpriv execs unshare in place (same PID); unshare's forked child execs CMD.
      const [c] = childrenOf(uPid, false); // unshare is single-threaded
      if (c !== undefined) {
        const cl = cmdlineOf(c);
        if (cl.length && !cl[0]?.endsWith('unshare')) {
          this.hostPid = c;
          return;
        }
      }
      if (this.exit) {
        const said = this.logs
          .map((l) => l.line)
          .join(' ')
          .trim();
        throw new NoStart(`the command did not start: ${said || `unshare exited with status ${this.exit.exitCode}`}`, this.exit.exitCode);
      }
      await sleep(2);
    }
    throw new NoStart('the namespace init did not appear within 10 s');
  }

  async exited(timeoutMs: number): Promise<TargetExit | undefined> {
    const end = mono() + timeoutMs;
    while (!this.exit && mono() < end) await sleep(5);
    return this.exit;
  }

  async kill(signal: string): Promise<number> {
    const at = mono();
    try {
      // By number: Node knows no names for real-time signals (SIGRTMIN+3).
      const n = parseSignal(signal);
      process.kill(this.hostPid, n);
      this.signals.push({ at, signal: signalName(n), by: 'pid1 (from the host)' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw new UserError(`cannot send ${signal} to PID ${this.hostPid}: ${messageOf(err)}`);
    }
    return at;
  }

  async exec(argv: string[], timeoutMs: number): Promise<ExecResult> {
    const nsenter = which('nsenter');
    if (!nsenter) return { code: null, output: '', timedOut: false, error: 'nsenter (util-linux) is not installed' };
    return new Promise((resolve) => {
      const c = spawn(nsenter, ['--target', String(this.hostPid), '--pid', '--mount', '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      c.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      c.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => {
        // Like the kubelet, stop waiting; the hook's process is ended with the namespace.
        resolve({ code: null, output, timedOut: true });
      }, timeoutMs);
      c.once('error', (err) => {
        clearTimeout(timer);
        resolve({ code: null, output, timedOut: false, error: messageOf(err) });
      });
      c.once('exit', (code, sig) => {
        clearTimeout(timer);
        resolve({ code: code ?? 128 + (sig ? parseSignal(sig) : 0), output, timedOut: false });
      });
    });
  }

  async logsDone(timeoutMs: number): Promise<void> {
    await within(this.closed, timeoutMs, undefined);
  }

  async remove(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      // SIGKILL from the host reaches a namespace init; the kernel then ends every process in it.
      if (this.hostPid) process.kill(this.hostPid, 'SIGKILL');
    } catch {
      /* gone */
    }
    const gone = this.unshareExit
      ? await within(
          this.unshareExit.then(() => true),
          3000,
          false,
        )
      : true;
    if (!gone && this.child.pid) {
      try {
        process.kill(this.child.pid, 'SIGKILL'); // the unshare we started, by its PID
      } catch {
        /* gone */
      }
    }
  }
}
