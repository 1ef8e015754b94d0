/**
 * A running containerd task as `pid1 stop` handles it on a node, from the host: its PID 1 is watched
 * by PID and start time, and a stop is the CRI's StopContainer replayed (the stop signal to PID 1,
 * SIGKILL when the grace period has passed: containerd pkg/cri/server/container_stop.go). SIGKILL to
 * a namespace's init ends every process in it (kernel zap_pid_ns_processes). containerd is left to
 * reap the task and keep its record, as after any exit; its owner (the kubelet, or `ctr task rm`)
 * deletes it.
 */
import { parseSignal, signalName } from '../model/signals.js';
import { readStat } from '../proc/stat.js';
import { UserError, messageOf } from '../util/errors.js';
import { mono, sleep } from './clock.js';
import { signalInit, type ContainerdContainer } from './containerd.js';
import type { ProcessExit } from './exits.js';
import type { LogLine, RuntimeSignal, TargetExit } from './target.js';

export class ContainerdTaskTarget {
  /** containerd's logs are the CRI's files or ctr's FIFOs: not followed here. */
  readonly logs: LogLine[] = [];
  readonly signals: RuntimeSignal[] = [];
  exit: TargetExit | undefined;

  /** `exitOf`: how PID 1 ended, from the exit watcher (the shim reaps it; /proc no longer knows). */
  constructor(
    private readonly task: ContainerdContainer,
    private readonly exitOf: () => ProcessExit | undefined,
  ) {}

  stopCommand(graceSeconds: number): string {
    return `the CRI's StopContainer replayed from the host (${this.task.stopSignal} to PID 1, SIGKILL ${graceSeconds} s later)`;
  }

  /** Has PID 1 ended (gone, a zombie, or its PID taken by another process)? */
  private ended(): boolean {
    const st = readStat(this.task.hostPid);
    return !st || st.state === 'Z' || st.state === 'X' || st.starttime !== this.task.starttime;
  }

  private endedSeenAt: number | undefined;

  private noteExit(): TargetExit | undefined {
    if (this.exit || !this.ended()) return this.exit;
    const e = this.exitOf();
    // /proc can show the end (a zombie) before the watcher's exit event with the status arrives: give it a moment.
    this.endedSeenAt ??= mono();
    if (!e && mono() - this.endedSeenAt < 500) return undefined;
    // As containerd reports a task's exit: the code, or 128+N for a signal (runc's exit status of the init).
    const code = e?.status ? (e.status.signal ? 128 + parseSignal(e.status.signal) : (e.status.code ?? 0)) : -1;
    this.exit = { at: e?.at ?? mono(), exitCode: code };
    return this.exit;
  }

  async exited(timeoutMs: number): Promise<TargetExit | undefined> {
    const end = mono() + timeoutMs;
    while (!this.noteExit() && mono() < end) await sleep(5);
    return this.exit;
  }

  /** Send `signal` to PID 1 from the host, recorded; a PID 1 that already ended is left alone. */
  kill(signal: string, by: string): number {
    const at = mono();
    if (this.noteExit()) return at;
    try {
      signalInit(this.task, signal);
      this.signals.push({ at, signal: signalName(parseSignal(signal)), by });
    } catch (err) {
      if (!this.ended()) throw err instanceof UserError ? err : new UserError(messageOf(err)); // else it ended meanwhile
    }
    return at;
  }

  async engineStop(graceSeconds: number): Promise<void> {
    const by = "pid1, replaying the CRI's StopContainer from the host";
    const at = this.kill(this.task.stopSignal, by);
    if (await this.exited(Math.max(0, at + graceSeconds * 1000 - mono()))) return;
    this.kill('SIGKILL', by);
  }

  async logsDone(): Promise<void> {}

  async detach(): Promise<void> {}
}
