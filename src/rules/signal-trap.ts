import { rangeOf } from '../document/document.js';
import { stopTrap } from '../model/launch.js';
import { defineRule } from './contract.js';
import { diagnose, severityOf, whyOf } from './diagnose.js';
import { at, shellSpan, stopSignalOf } from './util.js';

export default defineRule({
  meta: {
    id: 'signal-trap',
    severity: 'error',
    title: 'A shell trap that does not carry the stop signal through to a graceful end',
    description: [
      'Shell traps are a common way to keep a wrapper script as PID 1, and are easy to get wrong:',
      '',
      '- A trap runs only after the foreground command finishes. With the service in the foreground, the trap never runs',
      '  while it matters: the grace period ends in SIGKILL.',
      '- With `svc & pid=$!; wait $pid`, the trap interrupts `wait`, which returns at once (status > 128). If nothing waits',
      '  again, the script ends, PID 1 exits, and the kernel SIGKILLs the service in the middle of its shutdown.',
      '  Under `set -e` the failing first `wait` ends the script the same way, even with a second `wait`.',
      '- A trap that does not `kill` the child leaves the service without the signal.',
      '',
      'The working pattern: `trap \'kill -TERM "$pid"; wait "$pid"\' TERM; svc & pid=$!; wait "$pid"`. Simpler: `exec svc`.',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'script', 'compose', 'kubernetes'],
    messages: {
      deferred: 'the {{name}} trap{{where}} runs only after the foreground command exits, which it does not do on its own: the container is SIGKILLed when the grace period ends',
      errexitWait: 'under `set -e`, the first `wait` returns > 128 when the trap runs and ends the script: PID 1 exits and the kernel SIGKILLs the service mid-shutdown',
      noWait: 'the trap forwards {{forwarded}} but nothing waits for the service afterwards: `wait` returns when the trap runs, the script ends, and the kernel SIGKILLs the service mid-shutdown',
      noForward: 'the {{name}} trap does not pass the signal to the service: the script ends and the kernel SIGKILLs the service',
    },
    examples: [
      {
        title: 'Forwarding trap that does not wait',
        file: 'entrypoint.sh',
        bad: "#!/bin/sh\ntrap 'kill -TERM $pid' TERM\nsvc & pid=$!\nwait $pid",
        good: "#!/bin/sh\ntrap 'kill -TERM $pid; wait $pid' TERM\nsvc & pid=$!\nwait $pid",
      },
      { title: 'Trap with the service in the foreground', file: 'entrypoint.sh', bad: "#!/bin/sh\ntrap 'echo bye; exit 0' TERM\nsvc", good: '#!/bin/sh\nexec svc' },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'trap') return;
    const sig = stopSignalOf(l);
    const shell = d.proc.shell;
    const trap = shell ? stopTrap(shell, sig) : undefined;
    const where = shellSpan(l, d.proc);
    const messageId = d.problem === 'deferred' ? 'deferred' : d.problem === 'no-wait' ? (shell?.errexit && (shell.wait?.waits ?? 0) >= 2 ? 'errexitWait' : 'noWait') : 'noForward';
    ctx.report({
      severity: severityOf(l),
      ...at(where),
      messageId,
      data: { name: sig.replace(/^SIG/, ''), where: trap ? ` (line ${trap.line})` : '', signal: sig, forwarded: trap?.forwardsAs ?? sig },
      why: whyOf(l),
      related: [{ file: l.anchor.doc.file, range: rangeOf(l.anchor), message: 'the launch that runs this shell' }],
      suggestion:
        d.problem === 'no-wait'
          ? 'wait for the service inside the trap (`kill -TERM "$pid"; wait "$pid"`), or `exec` the service instead'
          : '`exec` the service, or run it in the background with a trap that kills and then waits for it',
    });
  },
});
