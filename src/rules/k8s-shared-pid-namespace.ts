import { defineRule } from './contract.js';
import { diagnose, severityOf, whyOf } from './diagnose.js';
import { execPrefixFix } from './fixes.js';
import { at, serviceName, shellSpan, valueSpanOrAnchor } from './util.js';

export default defineRule({
  meta: {
    id: 'k8s-shared-pid-namespace',
    severity: 'error',
    title: "With shareProcessNamespace, the container's process is not PID 1: the stop signal's default action applies",
    description: [
      "With `shareProcessNamespace: true` the pod's pause process is PID 1 of the shared PID namespace. The runtime still",
      "sends the stop signal to each container's main process, but that process is an ordinary process now: the kernel's",
      'protection of a namespace init does not cover it, so a signal it has no handler for takes its default action and',
      "ends it at once. A `sh -c` wrapper that does not exec the service dies immediately; when a container's main",
      "process exits, the runtime (containerd's runc shim: the container has no PID namespace of its own) SIGKILLs the",
      "container's remaining processes, the service included, before its shutdown handler runs.",
      '',
      'The failure is fast, not slow: no 30 s wait and exit 137 of the init case, but an abrupt stop. The fix is the same:',
      "make the service the container's main process (`exec` it, or use the list form without a shell).",
      '',
      "`hostPID: true` is the same case: the host's init is PID 1 of the namespace the container runs in.",
    ].join('\n'),
    fix: 'Puts `exec` in front of the final command of the `-c` string.',
    fixable: true,
    sources: ['kubernetes'],
    messages: {
      mayEnd: "with {{field}}, `{{main}}` is not PID 1: {{signal}}'s default action ends it at once unless it handles the signal",
      ends: 'with {{field}}, `{{main}}` is not PID 1: {{signal}} ends it at once (default action), and the runtime then SIGKILLs {{service}} without a graceful shutdown',
    },
    examples: [
      {
        title: 'A shell wrapper in a pod that shares its PID namespace',
        file: 'pod.yaml',
        bad: 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  shareProcessNamespace: true\n  containers:\n    - name: app\n      image: python:3.12-slim\n      command: ["sh", "-c", "gunicorn app:app"]',
        good: 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  shareProcessNamespace: true\n  containers:\n    - name: app\n      image: python:3.12-slim\n      command: ["sh", "-c", "exec gunicorn app:app"]',
      },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'shared-pid' || l.kind !== 'kubernetes') return;
    const p = d.prediction;
    const main = p.pid1;
    const isShell = main.programs.some((x) => x.role === 'shell') && main.shell !== undefined;
    const fix = isShell ? execPrefixFix(l, main, 'prefix the command with `exec` inside the -c string') : undefined;
    const where = isShell ? shellSpan(l, main) : valueSpanOrAnchor(l);
    const field = l.stop.sharedPidWith ?? 'shareProcessNamespace';
    const span = l.stop.sharedPidNamespace;
    ctx.report({
      ...at(where),
      severity: p.outcome === 'unknown' ? 'warning' : severityOf(l),
      messageId: p.outcome === 'unknown' ? 'mayEnd' : 'ends',
      data: { field, main: main.name, signal: p.signal, service: p.service === main ? 'it' : `\`${serviceName(l)}\`` },
      why: [...whyOf(l), `${field}: true (${span ? `line ${span.doc.lines.position(span.start).line}` : 'pod spec'}): ${field === 'hostPID' ? "the host's init" : "the pod's pause process"} is PID 1`],
      ...(fix ? { fix } : p.fix ? { suggestion: p.fix } : {}),
    });
  },
});
