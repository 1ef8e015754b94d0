import { rangeOf } from '../lint/fixes.js';
import { defineRule } from '../lint/rule.js';
import { isOrchestrated } from '../sources/yaml-launch.js';

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
      'Make the grace period the hook\'s time plus the service\'s own shutdown time.',
    ].join('\n'),
    fixable: false,
    sources: ['kubernetes'],
    examples: [{
      title: 'A 30 s preStop sleep with the default grace period', file: 'deployment.yaml',
      bad: '    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.4\n          lifecycle:\n            preStop:\n              sleep: {seconds: 30}',
      good: '    spec:\n      terminationGracePeriodSeconds: 45\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.4\n          lifecycle:\n            preStop:\n              sleep: {seconds: 30}',
    }],
  },
  checkLaunch(l, ctx) {
    if (!isOrchestrated(l) || l.stop.platform !== 'kubernetes') return;
    const hook = l.stop.preStop;
    if (hook?.seconds === undefined) return;
    const grace = l.stop.graceSeconds;
    if (hook.seconds < grace) return;
    const left = Math.max(grace - hook.seconds, MIN_GRACE);
    ctx.report({
      file: hook.span.doc.file,
      range: rangeOf(hook.span),
      message: `the preStop hook takes ${hook.seconds} s of the ${grace} s grace period${l.stop.graceSource === 'default' ? ' (the default)' : ''}: the service gets only ${left} s between ${l.stopSignal.signal} and SIGKILL`,
      why: [
        `kubelet: run preStop (${hook.seconds} s), then StopContainer with max(${grace} - ${hook.seconds}, ${MIN_GRACE}) = ${left} s: ${l.stopSignal.signal}, wait, SIGKILL`,
      ],
      suggestion: `set terminationGracePeriodSeconds to at least ${Math.ceil(hook.seconds) + 10} (the hook plus the service's shutdown time)`,
    });
  },
});
