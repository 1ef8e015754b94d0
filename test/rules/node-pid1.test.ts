import rule from '../../src/rules/node-pid1.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [{ dockerfile: 'FROM node:20-slim\nENTRYPOINT ["tini", "--"]\nCMD ["python3", "app.py"]\n' }],
  invalid: [{ name: 'node as PID 1', dockerfile: 'FROM node:20-slim\nCMD ["node", "server.js"]\n', errors: [{ severity: 'warning', message: /process.on/ }] }],
});
