import os from 'node:os';
import type { Command } from 'commander';
import { addRuntimeOptions, parsePid, printJson, runtimeOptionsOf, type RuntimeFlags } from './options.js';
import { UserError, messageOf } from '../util/errors.js';
import { safeJson, safeText } from '../util/sanitize.js';

interface InspectOptions extends RuntimeFlags {
  pid?: number;
  container?: string;
  all?: boolean;
  signal?: string;
  json?: boolean;
  jsonLines?: boolean;
  every?: string;
}

const HELP_AFTER = `
Runtimes (docs/runtimes.md): Docker by default; --runtime podman speaks to Podman's Docker-compatible
API; --runtime containerd reads a node's task bundles (and its API when the socket answers), every
namespace unless --namespace (k8s.io for Kubernetes). For Kubernetes pods --all names the pod, its
namespace and the container, the stop signal from the image config, and whether the pod's grace
period will be spent (a lost stop signal: the kubelet waits it out, then SIGKILL).

The node audit (deploy/node-audit.yaml):
  pid1 inspect --all --runtime containerd --json-lines --every 1h`;

export function registerInspect(program: Command): void {
  const cmd = program
    .command('inspect')
    .description('show the process tree of a PID namespace or container and what a stop will do')
    .option('--pid <pid>', 'a host PID: its PID namespace (or, for a host process, its subtree)', parsePid)
    .option('--container <name|id>', 'a running container (containerd: ID, ID prefix, or NAMESPACE/POD/CONTAINER)')
    .option('--all', 'one line per running container with its verdict')
    .option('--signal <sig>', "the stop signal to evaluate (default: the container's StopSignal, else SIGTERM)")
    .option('--json', 'machine-readable output')
    .option('--json-lines', 'with --all: one JSON object a line per container, then one for the pass (the node audit)')
    .option('--every <duration>', 'with --all: repeat every DURATION (e.g. 1h) until stopped');
  addRuntimeOptions(cmd)
    .addHelpText('after', HELP_AFTER)
    .action(async (o: InspectOptions) => {
      const modes = [o.pid !== undefined, o.container !== undefined, Boolean(o.all)].filter(Boolean).length;
      if (modes !== 1) throw new UserError('give exactly one of --pid N, --container NAME|ID, --all');
      if ((o.jsonLines || o.every !== undefined) && !o.all) throw new UserError('--json-lines and --every go with --all');
      if (o.jsonLines && o.json) throw new UserError('give one of --json, --json-lines');
      const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
      // Loaded here, not at start-up (dockerode alone costs ~100 ms to import).
      const [
        { namespaceTree },
        { liveVerdict },
        { formatInspect, formatInspectAll, auditLines },
        { inspectReport },
        { loadShellParser },
        { stopSignalOf, inspectOne, inspectAll },
        { connectRuntime, chooseRuntime },
      ] = await Promise.all([
        import('../proc/tree.js'),
        import('../runtime/live-verdict.js'),
        import('../report/inspect.js'),
        import('../runtime/reports.js'),
        import('../model/shell.js'),
        import('../runtime/inspect-runtime.js'),
        import('../runtime/connect.js'),
      ]);
      await loadShellParser(); // live shells are read with the same shell model as lint's
      if (o.pid !== undefined) {
        const tree = namespaceTree(o.pid);
        const verdict = await liveVerdict(tree, stopSignalOf(o.signal, 'SIGTERM'));
        const report = inspectReport(tree, verdict);
        if (o.json) printJson(report);
        else process.stdout.write(formatInspect(report, tty));
        return;
      }
      const flags = runtimeOptionsOf(o);
      chooseRuntime(flags); // options the runtime does not have fail before anything is contacted
      if (o.container !== undefined) {
        const report = await inspectOne(await connectRuntime(flags), o.container, o.signal, flags);
        if (o.json) printJson(report);
        else process.stdout.write(formatInspect(report, tty));
        return;
      }
      const everyMs = o.every !== undefined ? (await import('../runtime/durations.js')).parseDurationOption('--every', o.every) : undefined;
      if (everyMs !== undefined && everyMs < 1000) throw new UserError(`--every ${o.every}: at least 1s`);
      const node = process.env.NODE_NAME || os.hostname(); // NODE_NAME: the DaemonSet's downward API
      const pass = async (): Promise<void> => {
        const listing = await inspectAll(await connectRuntime(flags), o.signal);
        if (o.jsonLines) process.stdout.write(`${auditLines(listing, { time: new Date().toISOString(), node }).join('\n')}\n`);
        else if (o.json) printJson({ runtime: listing.runtime, containers: listing.containers, notes: listing.notes });
        else process.stdout.write(formatInspectAll(listing, tty));
      };
      if (everyMs === undefined) return pass();
      // Until stopped (SIGTERM's default action ends pid1: with hostPID it is no namespace init).
      for (;;) {
        try {
          await pass();
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          // A pass that cannot run is said, and the next one tried: the audit outlives a restarting containerd.
          if (o.jsonLines) process.stdout.write(`${safeJson({ record: 'error', time: new Date().toISOString(), node, error: messageOf(err) }, 0)}\n`);
          process.stderr.write(`pid1: ${safeText(messageOf(err))}\n`);
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
    });
}
