import rule from '../../src/rules/k8s-stop-signal-needs-os.js';
import { ruleTester } from '../helpers/rule-tester.js';

const pod = (os: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n${os}  containers:\n    - name: nginx\n      image: nginx:1.27\n      lifecycle:\n        stopSignal: SIGQUIT\n`;

ruleTester(rule, {
  valid: [
    { name: 'with spec.os.name', manifest: pod('  os: {name: linux}\n') },
    { name: 'no stopSignal', manifest: 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: nginx\n      image: nginx:1.27\n' },
  ],
  invalid: [
    { name: 'stopSignal without os', manifest: pod(''), errors: [{ messageId: 'needsOs', severity: 'warning', line: 9, message: /the container gets SIGTERM or the image's STOPSIGNAL/ }] },
    {
      name: 'an image pid1 cannot see',
      manifest: pod('').replace('nginx:1.27', 'registry.example.com/web:1'),
      errors: [{ messageId: 'needsOs', message: /the container gets the image's STOPSIGNAL or SIGTERM/ }],
    },
  ],
});
