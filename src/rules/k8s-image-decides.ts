import { rangeOf } from '../lint/fixes.js';
import { defineRule } from '../lint/rule.js';
import { isOrchestrated } from '../sources/yaml-launch.js';

export default defineRule({
  meta: {
    id: 'k8s-image-decides',
    severity: 'info',
    title: 'The image decides what PID 1 is, and pid1 cannot see the image',
    description: [
      'The container sets no `command` (compose: no `entrypoint`/`command`), so the image\'s ENTRYPOINT and CMD decide what',
      'runs as PID 1. pid1 links an image to a Dockerfile in the repository when their names match (`ghcr.io/acme/api`',
      '-> `api/Dockerfile`, `Dockerfile.api`), or by `--image-map NAME=PATH`; `--probe-images` looks inside a local image.',
      'None of these applied, so the container\'s stop is not analysed.',
    ].join('\n'),
    fixable: false,
    sources: ['kubernetes', 'compose'],
    examples: [{ title: 'An image from another repository', file: 'deployment.yaml', bad: '        - name: api\n          image: registry.example.com/team/api:2.1' }],
  },
  checkLaunch(l, ctx) {
    if (!isOrchestrated(l) || !l.noLaunch || !l.noLaunch.startsWith('the image decides') || !l.noLaunch.includes('cannot see')) return;
    ctx.report({
      file: l.anchor.doc.file,
      range: rangeOf(l.anchor),
      message: `${l.label}: ${l.noLaunch}`,
      why: ['with no command set, the runtime runs the image\'s ENTRYPOINT + CMD'],
      suggestion: `--image-map ${l.image ?? 'IMAGE'}=path/to/Dockerfile, or --probe-images with the image pulled locally`,
    });
  },
});
