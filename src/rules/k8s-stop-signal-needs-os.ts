import { rangeOf } from '../document/document.js';
import { defineRule } from './contract.js';

export default defineRule({
  meta: {
    id: 'k8s-stop-signal-needs-os',
    severity: 'warning',
    title: 'lifecycle.stopSignal needs spec.os.name (and the ContainerStopSignals feature)',
    description: [
      "`lifecycle.stopSignal` (Kubernetes 1.33+, alpha feature gate ContainerStopSignals) replaces the image's",
      '`STOPSIGNAL`. The API server accepts it only for pods that set `spec.os.name` ("StopSignal can only be set for Pods',
      'with a non-empty .spec.os.name"), and clusters without the feature gate drop the field: the container then gets',
      "the image's STOPSIGNAL, or SIGTERM.",
    ].join('\n'),
    fixable: false,
    sources: ['kubernetes'],
    messages: {
      needsOs:
        'lifecycle.stopSignal is only accepted with spec.os.name set: the API server rejects this pod (with the ContainerStopSignals feature) or drops the field (without it), and the container gets {{fallback}}',
    },
    examples: [
      {
        title: 'stopSignal without os',
        file: 'pod.yaml',
        bad: 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: nginx\n      image: nginx:1.27\n      lifecycle:\n        stopSignal: SIGQUIT',
        good: 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  os: {name: linux}\n  containers:\n    - name: nginx\n      image: nginx:1.27\n      lifecycle:\n        stopSignal: SIGQUIT',
      },
    ],
  },
  checkLaunch(l, ctx) {
    if (l.kind !== 'kubernetes' || !l.stop.stopSignalSpan || l.stop.podOs) return;
    ctx.report({
      file: l.stop.stopSignalSpan.doc.file,
      range: rangeOf(l.stop.stopSignalSpan),
      messageId: 'needsOs',
      data: { fallback: l.imageSource === 'unseen' ? "the image's STOPSIGNAL or SIGTERM" : "SIGTERM or the image's STOPSIGNAL" },
      why: ['Kubernetes API: "StopSignal can only be set for Pods with a non-empty .spec.os.name"'],
      suggestion: 'set spec.os.name: linux in the pod template',
    });
  },
});
