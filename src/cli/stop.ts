import type { Command } from 'commander';
import { addRuntimeOptions, printJson, runtimeOptionsOf, type RuntimeFlags } from './options.js';
import { UserError } from '../util/errors.js';
import { GRACE_UNITS } from '../runtime/durations.js';

interface StopOptions extends RuntimeFlags {
  container?: string;
  signal?: string;
  grace?: string;
  dryRun?: boolean;
  json?: boolean;
}

const HELP_AFTER = `
When PID 1 of a running container drops the stop signal (a shell wrapper, an init in front of a
wrapper), pid1 stop does what you would do by hand: it sends the signal from the host to the top-most
processes that handle it (e.g. the gunicorn master, not its workers), waits up to the grace period for
them, then stops the container normally. When PID 1 already passes the signal on, it is a plain
docker stop. A paused container is unpaused first (frozen processes cannot handle a signal), and the
report says so. It refuses, with the reason, when nothing in the container handles the signal.

Podman (--runtime podman): its stop, replayed through its API. containerd (--runtime containerd, on a
node, as root): the container by ID, ID prefix or NAMESPACE/POD/CONTAINER; the CRI's stop replayed
from the host; the grace period is the pod's.

Exit status: 0 the signalled processes exited on their own; 1 otherwise; 2 refused or could not run.
See docs/test.md.`;

export function registerStop(program: Command): void {
  const cmd = program
    .command('stop')
    .summary('stop a running container gracefully although its PID 1 drops the stop signal')
    .description('Signal the processes that handle the stop signal directly from the host, wait the grace period, then stop the container normally; report who got what and how it ended.')
    .option('--container <name|id>', 'the running container (containerd: ID, ID prefix, or NAMESPACE/POD/CONTAINER)')
    .option('--signal <sig>', "the stop signal (default: the container's StopSignal, else SIGTERM)")
    .option('--grace <seconds>', `how long to wait before the normal stop, in ${GRACE_UNITS} (default: the container's StopTimeout, else 10 s)`)
    .option('--dry-run', 'show who would get the signal, and do nothing')
    .option('--json', 'machine-readable output');
  addRuntimeOptions(cmd)
    .addHelpText('after', HELP_AFTER)
    .action(async (o: StopOptions) => {
      if (o.container === undefined) throw new UserError('pid1 stop needs --container NAME|ID');
      const { parseGraceOption } = await import('../runtime/durations.js');
      const { rescue } = await import('../runtime/rescue.js');
      const { formatRescue } = await import('../report/test-stop.js');
      const report = await rescue({
        container: o.container,
        dryRun: Boolean(o.dryRun),
        runtime: runtimeOptionsOf(o),
        ...(o.signal !== undefined ? { signal: o.signal } : {}),
        ...(o.grace !== undefined ? { grace: parseGraceOption(o.grace) } : {}),
      });
      if (o.json) printJson(report);
      else process.stdout.write(formatRescue(report, process.stdout.isTTY === true && !process.env.NO_COLOR));
      process.exitCode = report.exitStatus;
    });
}
