import { defineRule } from './contract.js';
import { diagnose } from './diagnose.js';
import { anchorRange } from './util.js';

export default defineRule({
  meta: {
    id: 'exec-form-no-shebang',
    // A warning, as exec-form-command-line: the container does not start its service, so there is no stop to lose.
    severity: 'warning',
    title: 'The runtime execs a script that has no #! line',
    description: [
      'The exec form (`ENTRYPOINT ["/run.sh"]`, a compose or Kubernetes command list) is run without a shell: the runtime',
      'execs the file with execve(2). A script without a `#!` line is no executable format the kernel knows, so execve',
      'fails with ENOEXEC and runc does not fall back to a shell: the container ends at once (`exec /run.sh: exec format',
      'error`, exit status 1) and runs nothing. A shell would run the same file (`sh /run.sh`, or the shell form), but then',
      'the shell is PID 1 in front of the service.',
      '',
      'Start the script with `#!/bin/sh` (or the shell it is written for) and end it with `exec` of the service.',
    ].join('\n'),
    fixable: false,
    sources: ['dockerfile', 'compose', 'kubernetes'],
    messages: {
      noShebang: '{{script}} has no #! line: the runtime cannot exec it (exec format error), so the container does not start',
    },
    examples: [
      {
        title: 'A script a ConfigMap mounts, run by the exec form',
        file: 'deploy.yaml',
        bad: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: scripts\ndata:\n  run.sh: |\n    java -jar /app.jar\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector:\n    matchLabels: {app: app}\n  template:\n    metadata:\n      labels: {app: app}\n    spec:\n      containers:\n        - name: app\n          image: eclipse-temurin:21\n          command: ["/scripts/run.sh"]\n          volumeMounts:\n            - {name: scripts, mountPath: /scripts}\n      volumes:\n        - name: scripts\n          configMap: {name: scripts, defaultMode: 0755}',
        good: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: scripts\ndata:\n  run.sh: |\n    #!/bin/sh\n    exec java -jar /app.jar\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector:\n    matchLabels: {app: app}\n  template:\n    metadata:\n      labels: {app: app}\n    spec:\n      containers:\n        - name: app\n          image: eclipse-temurin:21\n          command: ["/scripts/run.sh"]\n          volumeMounts:\n            - {name: scripts, mountPath: /scripts}\n      volumes:\n        - name: scripts\n          configMap: {name: scripts, defaultMode: 0755}',
      },
    ],
  },
  checkLaunch(l, ctx) {
    const d = diagnose(l);
    if (d.kind !== 'no-shebang') return;
    ctx.report({
      ...anchorRange(l),
      messageId: 'noShebang',
      data: { script: d.script },
      why: [`the runtime execs ${d.script} with execve(2), which fails with ENOEXEC for a text file that does not start with #!`],
      suggestion: 'start the script with a #! line (`#!/bin/sh`) and end it with `exec` of the service',
    });
  },
});
