import { rangeOf } from '../document/document.js';
import { basename } from '../model/programs.js';
import { defineRule } from './contract.js';

/** Programs that exist only where there is a userland: a shell and coreutils/busybox. */
const USERLAND = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'sleep', 'kill', 'pkill', 'killall', 'curl', 'wget', 'timeout', 'env', 'echo', 'test', 'true', 'nc', 'ps', 'cat', 'touch', 'rm']);

export default defineRule({
  meta: {
    id: 'k8s-prestop-missing-binary',
    severity: 'warning',
    title: 'The preStop exec hook runs a program the image does not have',
    description: [
      'A `lifecycle.preStop.exec` command runs inside the container, so its program must exist in the image. Distroless,',
      'scratch-based and Chainguard static images have no shell and no `sleep`: the hook fails at once (event',
      '`FailedPreStopHook`), and the kubelet goes straight on to the stop signal. The delay the hook was meant to give',
      '(usually: time for endpoints and load balancers to stop sending traffic) never happens, and requests in flight',
      'during a rollout fail.',
      '',
      'Use the built-in `sleep` action instead (`preStop: {sleep: {seconds: 5}}`, Kubernetes 1.30+), which needs',
      'nothing in the image.',
    ].join('\n'),
    fixable: false,
    sources: ['kubernetes'],
    messages: { missing: 'the preStop hook runs `{{program}}`, which {{image}} does not have ({{how}}): the hook fails and the stop signal is sent at once, without the delay' },
    examples: [
      {
        title: 'sleep on distroless',
        file: 'deployment.yaml',
        bad: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: gcr.io/distroless/static-debian12\n          command: ["/app"]\n          lifecycle:\n            preStop:\n              exec:\n                command: ["sleep", "5"]',
        good: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: gcr.io/distroless/static-debian12\n          command: ["/app"]\n          lifecycle:\n            preStop:\n              sleep:\n                seconds: 5',
      },
    ],
  },
  checkLaunch(l, ctx) {
    if (l.kind !== 'kubernetes') return;
    const hook = l.stop.preStop;
    if (hook?.kind !== 'exec' || !hook.argv?.length) return;
    if (l.shell.family !== 'none') return;
    const prog = basename(hook.argv[0] as string);
    // the service's own binary is there; a userland program is not
    if (!USERLAND.has(prog) || basename(l.argv[0] ?? '') === prog) return;
    ctx.report({
      file: hook.span.doc.file,
      range: rangeOf(hook.span),
      messageId: 'missing',
      data: { program: prog, image: l.shell.image ?? 'the image', how: l.shell.how },
      why: [
        "the kubelet runs preStop exec commands inside the container, with the image's filesystem",
        'a failed hook is logged as FailedPreStopHook; the kubelet then stops the container right away',
      ],
      suggestion:
        hook.seconds !== undefined
          ? `use the sleep action: preStop: {sleep: {seconds: ${hook.seconds}}} (Kubernetes 1.30+)`
          : 'use an action that needs nothing in the image (sleep, httpGet), or a program the image has',
    });
  },
});
