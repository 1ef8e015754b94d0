import rule from '../../src/rules/package-manager-pid1.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [{ dockerfile: 'FROM node:20-slim\nCMD ["node", "server.js"]\n' }],
  invalid: [
    { name: 'npm start', dockerfile: 'FROM node:20-slim\nCMD ["npm", "start"]\n', errors: [{ message: /npm runs the "start" script/, severity: 'error' }] },
    { name: 'yarn in shell form on alpine (ash execs yarn)', dockerfile: 'FROM node:20-alpine\nCMD yarn start\n', errors: [{ message: /yarn/ }] },
  ],
});
