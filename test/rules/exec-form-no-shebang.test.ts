import rule from '../../src/rules/exec-form-no-shebang.js';
import { ruleTester } from '../helpers/rule-tester.js';

// What the runtime does with such a script is measured in test/no-shebang-docker.test.ts (Docker: exec format error, exit 1).
const SCRIPT = 'java -jar /app.jar\n';

ruleTester(rule, {
  valid: [
    { name: 'a script with #!', dockerfile: 'FROM debian:bookworm\nCOPY run.sh /\nENTRYPOINT ["/run.sh"]\n', files: { 'run.sh': `#!/bin/sh\nexec ${SCRIPT}` } },
    { name: 'a shell runs the script (exec form)', dockerfile: 'FROM debian:bookworm\nCOPY run.sh /\nENTRYPOINT ["sh", "/run.sh"]\n', files: { 'run.sh': SCRIPT } },
    { name: 'the shell form: /bin/sh -c runs it, and reads it itself', dockerfile: 'FROM debian:bookworm\nCOPY run.sh /\nENTRYPOINT /run.sh\n', files: { 'run.sh': SCRIPT } },
    { name: 'a script pid1 cannot see', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["/run.sh"]\n' },
  ],
  invalid: [
    {
      name: 'fresh49: kafka-manager and transfer4j: an exec-form ENTRYPOINT naming a script without #!',
      dockerfile: 'FROM debian:bookworm\nCOPY run.sh /\nENTRYPOINT ["/run.sh"]\n',
      files: { 'run.sh': SCRIPT },
      errors: [{ severity: 'warning', line: 3, message: /\/run\.sh has no #! line: the runtime cannot exec it/ }],
    },
    {
      name: 'a compose command list naming the script',
      compose: 'services:\n  app:\n    build: .\n    command: ["/run.sh"]\n',
      files: { Dockerfile: 'FROM debian:bookworm\nCOPY run.sh /\n', 'run.sh': SCRIPT },
      errors: [{ severity: 'warning', line: 4 }],
    },
  ],
});
