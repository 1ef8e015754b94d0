import rule from '../../src/rules/cmd-ignored.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [{ dockerfile: 'FROM alpine\nENTRYPOINT ["svc"]\nCMD ["--port", "80"]\n' }],
  invalid: [{ dockerfile: 'FROM alpine\nENTRYPOINT svc\nCMD ["--port", "80"]\n', errors: [{ line: 3, severity: 'info' }] }],
});
