import rule from '../../src/rules/k8s-shared-pid-namespace.js';
import { ruleTester } from '../helpers/rule-tester.js';

const pod = (spec: string, command: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n${spec}  containers:\n    - name: app\n      image: python:3.12-slim\n      command: ${command}\n`;

ruleTester(rule, {
  valid: [
    { name: 'exec in the string', manifest: pod('  shareProcessNamespace: true\n', '["sh", "-c", "exec gunicorn app:app"]') },
    { name: 'no shared namespace (shell-pid1 reports the wrapper)', manifest: pod('', '["sh", "-c", "gunicorn app:app"]') },
    { name: 'shareProcessNamespace: false', manifest: pod('  shareProcessNamespace: false\n', '["sh", "-c", "gunicorn app:app"]') },
  ],
  invalid: [
    {
      name: 'a dash wrapper in a pod that shares its PID namespace',
      manifest: pod('  shareProcessNamespace: true\n', '["sh", "-c", "gunicorn app:app"]'),
      errors: [{ messageId: 'ends', severity: 'error', line: 9, message: /with shareProcessNamespace, `dash` is not PID 1/ }],
      output: pod('  shareProcessNamespace: true\n', '["sh", "-c", "exec gunicorn app:app"]'),
    },
    {
      name: 'hostPID is the same case',
      manifest: pod('  hostPID: true\n', '["sh", "-c", "gunicorn app:app"]'),
      errors: [{ messageId: 'ends', message: /with hostPID/ }],
      output: pod('  hostPID: true\n', '["sh", "-c", "exec gunicorn app:app"]'),
    },
  ],
});
