import rule from '../../src/rules/exec-form-command-line.js';
import { ruleTester } from '../helpers/rule-tester.js';

// What the runtime does with such a word is measured in test/exec-form-command-line-docker.test.ts.
const DEPLOYMENT = (command: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: node:22\n          command: ${command}\n`;

ruleTester(rule, {
  valid: [
    { name: 'one word per element', dockerfile: 'FROM node:22\nCMD ["node", "server.js"]\n' },
    { name: 'an argument with spaces is fine', dockerfile: 'FROM alpine:3.20\nCMD ["sh", "-c", "/run.sh && exec nginx"]\n' },
    { name: 'the shell form is split by the shell', dockerfile: 'FROM node:22\nCMD node server.js\n' },
    { name: 'a compose string is split by compose', compose: 'services:\n  web:\n    image: node:22\n    command: node server.js\n' },
    { name: 'a Kubernetes command list of words', manifest: DEPLOYMENT('["node", "server.js"]') },
    {
      name: "a command for an image's ENTRYPOINT pid1 cannot see, which may split it (docker/awesome-compose's redpanda: `rpk $@`)",
      compose: 'services:\n  redpanda:\n    image: docker.redpanda.com/vectorized/redpanda:v22.2.2\n    command:\n      - redpanda start\n      - --smp 1\n',
    },
    { name: 'a stage that is not the target', dockerfile: 'FROM node:22 AS dev\nCMD ["node server.js"]\nFROM node:22\nCMD ["node", "server.js"]\n' },
  ],
  invalid: [
    {
      name: 'two commands in one word (izuolan/dockerfiles nginx-ssh)',
      dockerfile: 'FROM ubuntu:22.04\nCOPY run.sh /\nCMD ["/run.sh && /usr/sbin/nginx"]\n',
      files: { 'run.sh': '#!/bin/sh\necho setup\n' },
      errors: [{ severity: 'warning', line: 3, message: /`\/run\.sh && \/usr\/sbin\/nginx`: no program has that name/ }],
    },
    {
      name: 'a program and its argument in one word, under an exec-form ENTRYPOINT',
      dockerfile: 'FROM node:22\nENTRYPOINT ["node server.js"]\nCMD ["--port", "80"]\n',
      errors: [{ severity: 'warning', line: 2, message: /`node server\.js`/ }],
    },
    { name: 'a compose list', compose: 'services:\n  web:\n    image: node:22\n    command: ["node server.js"]\n', errors: [{ severity: 'warning', line: 4 }] },
    { name: 'a Kubernetes command list', manifest: DEPLOYMENT('["node server.js"]'), errors: [{ severity: 'warning', line: 15 }] },
  ],
});
