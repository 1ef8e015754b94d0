import rule from '../../src/rules/no-shell.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [{ dockerfile: 'FROM gcr.io/distroless/static-debian12\nENTRYPOINT ["/app"]\n' }, { name: 'distroless debug has busybox', dockerfile: 'FROM gcr.io/distroless/base:debug\nCMD /app\n' }],
  invalid: [
    {
      dockerfile: 'FROM gcr.io/distroless/static-debian12\nENTRYPOINT /app --serve\n',
      errors: [{ message: /no \/bin\/sh/ }],
      output: 'FROM gcr.io/distroless/static-debian12\nENTRYPOINT ["/app", "--serve"]\n',
    },
    { name: 'scratch with sh -c', dockerfile: 'FROM scratch\nCOPY app /app\nCMD ["sh", "-c", "/app"]\n', errors: [{ severity: 'error' }], output: null },
  ],
});
