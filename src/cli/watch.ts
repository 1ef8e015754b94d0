import type { Command } from 'commander';
import { addRuntimeOptions, collect, parsePid, runtimeOptionsOf, type RuntimeFlags } from './options.js';
import { parseSignal } from '../model/signals.js';
import { UserError, messageOf } from '../util/errors.js';
import type { Scope } from '../runtime/trace/scope.js';

interface WatchOptions extends RuntimeFlags {
  container?: string;
  pid?: number;
  all?: boolean;
  signal?: string[];
  json?: boolean;
  cleanup?: boolean;
}

const HELP_AFTER = `
Every signal the kernel generates for the watched processes, with its sender and the kernel's
result (delivered, ignored and why, already pending, queue overflow), and every process exit, read
from the kernel's signal/signal_generate and sched/sched_process_exit tracepoints through a tracefs
instance of its own (instances/pid1-<pid>, removed on exit). A SIGTERM that PID 1 ignored followed by
the runtime's SIGKILL is reported as one "lost stop". With --container or --pid the watch ends when
PID 1 has exited. Needs root and tracefs (/sys/kernel/tracing).

Runtimes: Docker (default), Podman (--runtime podman) and containerd (--runtime containerd, with
--namespace k8s.io for a Kubernetes node's containers), chosen as pid1 inspect chooses them.

Examples:
  pid1 watch --container web
  pid1 watch --runtime podman --container web --json
  pid1 watch --runtime containerd --namespace k8s.io --all
  pid1 watch --pid 12345

Exit status: 0, or 1 when a lost stop was seen (--container, --pid); 2 when it could not run.
See docs/watch.md.`;

function signalsOption(list: string[]): number[] | undefined {
  const items = list
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (!items.length) return undefined;
  if (items.some((v) => v.toLowerCase() === 'all')) return [];
  try {
    return items.map((v) => parseSignal(v));
  } catch (err) {
    throw new UserError(`--signal: ${messageOf(err)}`);
  }
}

export function registerWatch(program: Command): void {
  const cmd = program
    .command('watch')
    .summary("show, live, what the kernel does with every signal sent to a container's processes")
    .description("Follow the kernel's signal_generate and process-exit tracepoints for a container, a PID namespace or every container, and tell each stop as it happens.")
    .option('--container <name|id>', 'a running container (Docker, Podman: name or ID; containerd: ID, a unique prefix, or NAMESPACE/POD/CONTAINER)')
    .option('--pid <pid>', 'a host PID: its PID namespace (for a host process: it and its descendants)', parsePid)
    .option('--all', 'every container on the runtime, also those started later')
    .option(
      '--signal <sig>',
      'only these signals (repeatable or comma-separated; SIGKILL is always watched; `all` for every signal); default: all but SIGCHLD, SIGURG, SIGALRM, SIGVTALRM, SIGPROF',
      (v: string, prev: string[] | undefined) => collect(v, prev ?? []),
    )
    .option('--json', 'one JSON object per line (docs/watch.md)')
    .option('--cleanup', 'remove the tracefs instances of watchers that are gone (killed with SIGKILL, crashed), and exit');
  addRuntimeOptions(cmd, 'watched containers')
    .addHelpText('after', HELP_AFTER)
    .action(async (o: WatchOptions) => {
      const { cleanupInstances } = await import('../runtime/trace/tracefs.js');
      const { formatCleanup, formatWatchEvent, jsonWatchEvent } = await import('../report/watch.js');
      if (o.cleanup) {
        if (o.container !== undefined || o.pid !== undefined || o.all) throw new UserError('--cleanup takes no --container, --pid or --all');
        process.stdout.write(formatCleanup(cleanupInstances()));
        return;
      }
      const modes = [o.pid !== undefined, o.container !== undefined, Boolean(o.all)].filter(Boolean).length;
      if (modes !== 1) throw new UserError('give exactly one of --container NAME|ID, --pid N, --all (or --cleanup)');
      const signals = signalsOption(o.signal ?? []);
      const runtime = runtimeOptionsOf(o);
      if (o.pid !== undefined && Object.keys(runtime).length)
        throw new UserError('--runtime, --address, --namespace and --state-dir go with --container or --all (--pid names a host process: no runtime is asked)');
      // tracefs first: without root or tracefs nothing else is worth doing (one line, exit 2).
      const { findTracefs } = await import('../runtime/trace/tracefs.js');
      const tracefs = findTracefs();
      const { pidScope } = await import('../runtime/trace/scope.js');
      let scope: Scope;
      const warn = (m: string): void => {
        process.stderr.write(`pid1 watch: ${m}\n`);
      };
      if (o.pid !== undefined) {
        scope = pidScope(o.pid);
      } else {
        const { connectRuntime } = await import('../runtime/connect.js');
        const { containerSource } = await import('../runtime/trace/sources.js');
        const { allScope, containerScope } = await import('../runtime/trace/scope.js');
        // The container's PID 1 on the host names its PID namespace: from there on the watch is the kernel's, whatever the runtime.
        const source = containerSource(await connectRuntime(runtime, 5000));
        scope = o.container !== undefined ? await containerScope(source, o.container) : await allScope(source, warn);
      }
      const { Watcher } = await import('../runtime/trace/watcher.js');
      const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
      // Lines of one read of the trace go out in one write (a storm is thousands of events per read).
      let pending: string[] = [];
      const flush = (): void => {
        if (!pending.length) return;
        const text = pending.join('');
        pending = [];
        process.stdout.write(text);
      };
      const watcher = Watcher.start({
        scope,
        tracefs,
        ...(signals !== undefined ? { signals } : {}),
        onEvent: (e) => {
          if (!pending.length) setImmediate(flush);
          pending.push(o.json ? jsonWatchEvent(e) : formatWatchEvent(e, tty));
          if (e.event === 'end') flush();
        },
        onWarning: (m) => {
          flush();
          warn(m);
        },
      });
      // The instance goes with us however we end: Ctrl-C, SIGTERM, a closed terminal, an exception.
      const onSignal = (sig: NodeJS.Signals): void => watcher.stop(sig === 'SIGINT' ? 'interrupted' : `${sig} received`);
      const signalsHandled: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const s of signalsHandled) process.on(s, onSignal);
      const onExit = (): void => watcher.stop('pid1 exited');
      process.on('exit', onExit);
      try {
        const end = await watcher.done;
        if (end.reason.startsWith('failed')) throw new UserError(`watch ${end.reason}`);
      } finally {
        for (const s of signalsHandled) process.off(s, onSignal);
        process.off('exit', onExit);
      }
      process.exitCode = o.all ? 0 : watcher.lostStops > 0 ? 1 : 0;
    });
}
