import { rangeOf } from '../document/document.js';
import { defineRule } from './contract.js';

/** kubelet: after preStop, the container always gets at least this long (minimumGracePeriodInSeconds). */
const MIN_GRACE = 2;

export default defineRule({
  meta: {
    id: 'k8s-prestop-exceeds-grace',
    severity: 'warning',
    title: 'The preStop hook takes the whole termination grace period',
    description: [
      'The preStop hook runs before the stop signal, and its time counts against `terminationGracePeriodSeconds`',
      '(default 30): the kubelet subtracts what the hook took and gives the container the rest, but at least 2 seconds',
      '(kuberuntime_container.go killContainer, minimumGracePeriodInSeconds). A hook that sleeps as long as the grace',
      'period leaves the service 2 seconds between the stop signal and SIGKILL, whatever its shutdown needs.',
      '',
      "Make the grace period the hook's time plus the service's own shutdown time.",
    ].join('\n'),
    fixable: false,
    sources: ['kubernetes'],
    messages: { takesGrace: 'the preStop hook takes {{hook}} s of the {{grace}} s grace period{{defaultNote}}: the service gets only {{left}} s between {{signal}} and SIGKILL' },
    examples: [
      {
        title: 'A 30 s preStop sleep with the default grace period',
        file: 'deployment.yaml',
        bad: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.4\n          lifecycle:\n            preStop:\n              sleep: {seconds: 30}',
        good: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 45\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.4\n          lifecycle:\n            preStop:\n              sleep: {seconds: 30}',
      },
    ],
  },
  checkLaunch(l, ctx) {
    if (l.kind !== 'kubernetes') return;
    const hook = l.stop.preStop;
    if (hook?.seconds === undefined) return;
    const grace = l.stop.graceSeconds;
    if (hook.seconds < grace) return;
    const left = Math.max(grace - hook.seconds, MIN_GRACE);
    ctx.report({
      file: hook.span.doc.file,
      range: rangeOf(hook.span),
      messageId: 'takesGrace',
      data: { hook: hook.seconds, grace, defaultNote: l.stop.graceSource === 'default' ? ' (the default)' : '', left, signal: l.stopSignal.signal },
      why: [`kubelet: run preStop (${hook.seconds} s), then StopContainer with max(${grace} - ${hook.seconds}, ${MIN_GRACE}) = ${left} s: ${l.stopSignal.signal}, wait, SIGKILL`],
      suggestion: `set terminationGracePeriodSeconds to at least ${Math.ceil(hook.seconds) + 10} (the hook plus the service's shutdown time)`,
    });
  },
});
