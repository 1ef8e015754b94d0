/**
 * `pid1 test`'s view of the kernel: while a test stops its target, a watcher (the one `pid1 watch
 * --pid` runs, on its own tracefs instance) records every signal generated for the target's
 * processes with the kernel's result, so that each signal line of the timeline says what the kernel
 * did with it. Without root or tracefs the test runs as before and says why in one line.
 */
import { messageOf } from '../../util/errors.js';
import type { ContainerInfo, SignalEvent } from './events.js';
import { pidScope } from './scope.js';
import { findTracefs } from './tracefs.js';
import { Watcher } from './watcher.js';

/** Where the kernel's results came from, or why there are none (TestReport.signalTrace). */
export type SignalTraceView = { source: 'tracefs'; instance: string; warnings?: string[] } | { source: 'none'; why: string };

export class TestSignalTrace {
  readonly signals: SignalEvent[] = [];
  private readonly warnings: string[] = [];

  private constructor(
    private readonly watcher: Watcher | undefined,
    private readonly why: string | undefined,
  ) {}

  /** Start tracing the PID namespace of `hostPid` (a container's or a namespace's PID 1). Never throws. */
  static start(hostPid: number, container?: ContainerInfo, tracefs?: string): TestSignalTrace {
    let collector: TestSignalTrace | undefined;
    const pending: SignalEvent[] = [];
    const warnings: string[] = [];
    try {
      // tracefs first, as pid1 watch does: without root or tracefs that is the reason to give.
      const root = tracefs ?? findTracefs();
      const watcher = Watcher.start({
        scope: pidScope(hostPid, container),
        tracefs: root,
        // Every signal but the routine ones (SIGCHLD, SIGURG, timers): what a stop is made of.
        onEvent: (e) => {
          if (e.event === 'signal') (collector?.signals ?? pending).push(e);
          else if (e.event === 'lost-events') (collector?.warnings ?? warnings).push(`the kernel dropped ${e.count} trace events on CPU ${e.cpu}`);
        },
        onWarning: (m) => (collector?.warnings ?? warnings).push(m),
      });
      collector = new TestSignalTrace(watcher, undefined);
    } catch (err) {
      // findTracefs's words: not root, no tracefs, no signal tracepoint; or the instance could not be made.
      collector = new TestSignalTrace(undefined, messageOf(err).replace(/^watch needs root/, "the kernel's trace needs root"));
    }
    collector.signals.push(...pending);
    collector.warnings.push(...warnings);
    return collector;
  }

  /** Read what the kernel still has and remove the instance (safe to call more than once). */
  stop(): void {
    this.watcher?.stop('the test is over');
  }

  get view(): SignalTraceView {
    if (!this.watcher) return { source: 'none', why: this.why ?? 'not started' };
    return { source: 'tracefs', instance: this.watcher.instance.dir, ...(this.warnings.length ? { warnings: [...this.warnings] } : {}) };
  }
}
