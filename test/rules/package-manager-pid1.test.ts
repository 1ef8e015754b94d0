import rule from '../../src/rules/package-manager-pid1.js';
import { ruleTester } from '../helpers/rule-tester.js';

const PKG = (start: string): string => JSON.stringify({ name: 'app', scripts: { start } });
const COPY = 'WORKDIR /app\nCOPY package.json server.js ./\n';

ruleTester(rule, {
  valid: [
    { dockerfile: 'FROM node:20-slim\nCMD ["node", "server.js"]\n' },
    // npm exits 254 at once with no package.json (test/package-managers.test.ts): the image has nothing to stop
    { name: 'npm start on an official node image the Dockerfile gives no package.json', dockerfile: 'FROM node:20-slim\nWORKDIR /app\nCMD ["npm", "start"]\n' },
    { name: 'npm on Alpine with package.json out of sight: the script decides, not this rule', dockerfile: 'FROM node:20-alpine\nCMD ["npm", "run", "serve"]\n' },
    {
      name: 'npm on Alpine: ash execs a one-command script, so npm forwards to the service and waits for it',
      dockerfile: `FROM node:20-alpine\n${COPY}CMD ["npm", "start"]\n`,
      files: { 'package.json': PKG('node server.js'), 'server.js': "require('http').createServer((q, r) => r.end('ok')).listen(8080)\n" },
    },
    {
      name: 'npm on a Debian image with `exec` in the script: dash replaces itself with the service',
      dockerfile: `FROM node:20-slim\n${COPY}CMD ["npm", "start"]\n`,
      files: { 'package.json': PKG('exec node server.js'), 'server.js': "require('http').createServer((q, r) => r.end('ok')).listen(8080)\n" },
    },
  ],
  invalid: [
    {
      name: 'npm start',
      dockerfile: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n',
      files: { 'package.json': PKG('node server.js') },
      errors: [{ messageId: 'runsScript', message: /npm runs the "start" script/, severity: 'error' }],
    },
    {
      name: 'npm on a Debian image: dash stays between npm and node',
      dockerfile: `FROM node:20-slim\n${COPY}CMD ["npm", "start"]\n`,
      files: { 'package.json': PKG('node server.js'), 'server.js': "require('http').createServer((q, r) => r.end('ok')).listen(8080)\n" },
      errors: [{ messageId: 'runsScript', severity: 'error' }],
    },
    {
      name: 'yarn exits at once after forwarding (ash execs yarn and the script)',
      dockerfile: `FROM node:20-alpine\n${COPY}CMD yarn start\n`,
      files: { 'package.json': PKG('node server.js'), 'server.js': "require('http').createServer((q, r) => r.end('ok')).listen(8080)\n" },
      errors: [{ messageId: 'exitsAtOnce', message: /yarn forwards SIGTERM to the "start" script and exits at once/ }],
    },
    {
      name: 'yarn with package.json out of sight: whatever the script runs, yarn does not wait for it (certain, so an error)',
      dockerfile: 'FROM node:20-alpine\nCMD ["yarn", "run", "serve"]\n',
      errors: [{ messageId: 'exitsAtOnce', message: /yarn forwards SIGTERM to the "serve" script and exits at once/, severity: 'error' }],
    },
  ],
});
