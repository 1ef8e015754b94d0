import rule from '../../src/rules/onbuild-launch.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [{ dockerfile: 'FROM python:3.12-slim\nONBUILD CMD ["gunicorn", "app:app"]\nCMD ["x"]\n' }],
  invalid: [{ dockerfile: 'FROM python:3.12-slim\nONBUILD CMD gunicorn app:app\nCMD ["x"]\n', errors: [{ line: 2, severity: 'info' }] }],
});
