import rule from '../../src/rules/malformed-json-form.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [{ dockerfile: 'FROM alpine\nCMD ["svc", "a b"]\n' }],
  invalid: [
    { name: 'single quotes', dockerfile: "FROM python:3.12-slim\nCMD ['gunicorn', 'app:app']\n", errors: [{ severity: 'warning', line: 2 }] },
    { name: 'missing bracket in a stage that is not the target', dockerfile: 'FROM alpine AS x\nCMD ["svc"\nFROM alpine\nCMD ["svc"]\n', errors: [{ severity: 'info', line: 2 }] },
  ],
});
