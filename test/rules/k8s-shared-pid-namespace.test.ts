import rule from '../../src/rules/k8s-shared-pid-namespace.js';
import { ruleTester } from '../helpers/rule-tester.js';

const pod = (spec: string, command: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n${spec}  containers:\n    - name: app\n      image: python:3.12-slim\n      command: ${command}\n`;

ruleTester(rule, {
  valid: [
    { name: 'exec in the string', manifest: pod('  shareProcessNamespace: true\n', '["sh", "-c", "exec gunicorn app:app"]') },
    { name: 'no shared namespace (shell-pid1 reports the wrapper)', manifest: pod('', '["sh", "-c", "gunicorn app:app"]') },
    // a config watcher (one inotify event, then a reload signal) is mostly waiting: ending it at once loses nothing
    {
      name: 'a config-watcher loop that is not PID 1',
      manifest: pod('  shareProcessNamespace: true\n', '["sh", "-c", "while true; do inotifywait -e modify /etc/nginx/nginx.conf; pkill -HUP nginx; done"]'),
    },
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
      // inotifywait -m never exits: the loop's pass is what it feeds, as a restart loop's server
      name: 'a loop over `inotifywait -m` is no periodic job',
      manifest: pod('  shareProcessNamespace: true\n', '["sh", "-c", "while true; do inotifywait -m -e modify /data; done"]'),
      errors: [{ messageId: 'ends', severity: 'error' }],
    },
    {
      name: 'hostPID is the same case',
      manifest: pod('  hostPID: true\n', '["sh", "-c", "gunicorn app:app"]'),
      errors: [{ messageId: 'ends', message: /with hostPID/ }],
      output: pod('  hostPID: true\n', '["sh", "-c", "exec gunicorn app:app"]'),
    },
  ],
});
