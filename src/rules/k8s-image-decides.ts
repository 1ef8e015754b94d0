import { rangeOf } from '../document/document.js';
import { isOrchestrated } from '../sources/launch.js';
import { defineRule } from './contract.js';

export default defineRule({
  meta: {
    id: 'k8s-image-decides',
    severity: 'info',
    title: 'The image decides what PID 1 is, and pid1 cannot see the image',
    description: [
      "The container sets no `command` (compose: no `entrypoint`/`command`), so the image's ENTRYPOINT and CMD decide what",
      'runs as PID 1. pid1 links an image to a Dockerfile in the repository when their names match (`ghcr.io/acme/api`',
      '-> `api/Dockerfile`, `Dockerfile.api`), or by `--image-map NAME=PATH`; `--probe-images` looks inside a local image.',
      "None of these applied, so the container's stop is not analysed.",
    ].join('\n'),
    fixable: false,
    sources: ['kubernetes', 'compose'],
    messages: { imageDecides: '{{label}}: {{why}}' },
    examples: [
      {
        title: 'An image from another repository',
        file: 'deployment.yaml',
        bad: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/team/api:2.1',
        good: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/team/api:2.1\n          command: ["/usr/local/bin/api", "--port", "8080"]',
      },
    ],
  },
  checkLaunch(l, ctx) {
    if (!isOrchestrated(l) || l.unresolved?.code !== 'image-unseen') return;
    ctx.report({
      messageId: 'imageDecides',
      data: { label: l.label, why: l.unresolved.message },
      file: l.anchor.doc.file,
      range: rangeOf(l.anchor),
      why: ["with no command set, the runtime runs the image's ENTRYPOINT + CMD"],
      suggestion: `--image-map ${l.image ?? 'IMAGE'}=path/to/Dockerfile, or --probe-images with the image pulled locally`,
    });
  },
});
