import cmdIgnored from '../../src/rules/cmd-ignored.js';
import invalidStopSignal from '../../src/rules/invalid-stop-signal.js';
import malformedJson from '../../src/rules/malformed-json-form.js';
import nodePid1 from '../../src/rules/node-pid1.js';
import noShell from '../../src/rules/no-shell.js';
import onbuild from '../../src/rules/onbuild-launch.js';
import pm from '../../src/rules/package-manager-pid1.js';
import server from '../../src/rules/server-stop-signal.js';
import stopNotGraceful from '../../src/rules/stop-not-graceful.js';
import unknownShell from '../../src/rules/unknown-shell.js';
import { ruleTester } from '../../src/rules/tester.js';

ruleTester(pm, {
  valid: [{ dockerfile: 'FROM node:20-slim\nCMD ["node", "server.js"]\n' }],
  invalid: [
    { name: 'npm start', dockerfile: 'FROM node:20-slim\nCMD ["npm", "start"]\n', errors: [{ message: /npm runs the "start" script/, severity: 'error' }] },
    { name: 'yarn in shell form on alpine (ash execs yarn)', dockerfile: 'FROM node:20-alpine\nCMD yarn start\n', errors: [{ message: /yarn/ }] },
  ],
});

ruleTester(nodePid1, {
  valid: [{ dockerfile: 'FROM node:20-slim\nENTRYPOINT ["tini", "--"]\nCMD ["python3", "app.py"]\n' }],
  invalid: [{ name: 'node as PID 1', dockerfile: 'FROM node:20-slim\nCMD ["node", "server.js"]\n', errors: [{ severity: 'warning', message: /process.on/ }] }],
});

ruleTester(unknownShell, {
  valid: [
    { name: 'known image', dockerfile: 'FROM debian:bookworm\nCMD ["svc"]\n' },
    { name: 'configured family', dockerfile: 'FROM registry.example.com/base:3\nCMD svc --port 80\n', options: { images: { 'registry.example.com/base:*': 'ash' } } },
  ],
  invalid: [
    { name: 'in-house base', dockerfile: 'FROM registry.example.com/base:3\nCMD svc --port 80\n', errors: [{ severity: 'warning', message: /depends on the \/bin\/sh of registry.example.com\/base:3/ }], output: 'FROM registry.example.com/base:3\nCMD ["svc", "--port", "80"]\n' },
    { name: 'FROM a build arg without default', dockerfile: 'ARG BASE\nFROM $BASE\nCMD svc $PORT\n', errors: [{ severity: 'warning' }], output: 'ARG BASE\nFROM $BASE\nCMD exec svc $PORT\n' },
  ],
});

ruleTester(noShell, {
  valid: [{ dockerfile: 'FROM gcr.io/distroless/static-debian12\nENTRYPOINT ["/app"]\n' }, { name: 'distroless debug has busybox', dockerfile: 'FROM gcr.io/distroless/base:debug\nCMD /app\n' }],
  invalid: [
    { dockerfile: 'FROM gcr.io/distroless/static-debian12\nENTRYPOINT /app --serve\n', errors: [{ message: /no \/bin\/sh/ }], output: 'FROM gcr.io/distroless/static-debian12\nENTRYPOINT ["/app", "--serve"]\n' },
    { name: 'scratch with sh -c', dockerfile: 'FROM scratch\nCOPY app /app\nCMD ["sh", "-c", "/app"]\n', errors: [{ severity: 'error' }], output: null },
  ],
});

ruleTester(server, {
  valid: [
    { name: 'nginx with SIGQUIT', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n' },
    { name: 'postgres with SIGTERM is graceful (smart)', dockerfile: 'FROM debian:bookworm\nCMD ["postgres"]\n' },
  ],
  invalid: [
    { name: 'systemd is not s6: SIGTERM makes it re-execute, not stop', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["/sbin/init"]\n', errors: [{ severity: 'warning', message: /systemd shuts down gracefully on SIGRTMIN\+3/ }], output: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["/sbin/init"]\n' },
    { name: 'explicit SIGTERM for nginx', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGTERM\nCMD ["nginx", "-g", "daemon off;"]\n', errors: [{ severity: 'error', line: 2 }], output: 'FROM debian:bookworm\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n' },
    { name: 'inherited from an unseen base: warning', dockerfile: 'FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n', errors: [{ severity: 'warning' }], output: 'FROM nginx:1.27\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n' },
    { name: 'php-fpm', dockerfile: 'FROM scratch\nSTOPSIGNAL TERM\nCMD ["php-fpm8.2", "-F"]\n', errors: [{ severity: 'error', message: /php-fpm/ }] },
    { name: 'STOPSIGNAL from an ARG', dockerfile: 'FROM debian:bookworm\nARG SIG=SIGINT\nSTOPSIGNAL $SIG\nCMD ["httpd", "-DFOREGROUND"]\n', errors: [{ message: /SIGWINCH/ }] },
  ],
});

ruleTester(invalidStopSignal, {
  valid: [{ dockerfile: 'FROM alpine\nSTOPSIGNAL 15\nCMD ["svc"]\n' }, { dockerfile: 'FROM alpine\nSTOPSIGNAL SIGRTMIN+3\nCMD ["svc"]\n' }],
  invalid: [{ dockerfile: 'FROM alpine\nSTOPSIGNAL SIGTREM\nCMD ["svc"]\n', errors: [{ line: 2, message: /SIGTREM/ }] }],
});

ruleTester(malformedJson, {
  valid: [{ dockerfile: 'FROM alpine\nCMD ["svc", "a b"]\n' }],
  invalid: [
    { name: 'single quotes', dockerfile: "FROM python:3.12-slim\nCMD ['gunicorn', 'app:app']\n", errors: [{ severity: 'error', line: 2 }] },
    { name: 'missing bracket in a stage that is not the target', dockerfile: 'FROM alpine AS x\nCMD ["svc"\nFROM alpine\nCMD ["svc"]\n', errors: [{ severity: 'info', line: 2 }] },
  ],
});

ruleTester(cmdIgnored, {
  valid: [{ dockerfile: 'FROM alpine\nENTRYPOINT ["svc"]\nCMD ["--port", "80"]\n' }],
  invalid: [{ dockerfile: 'FROM alpine\nENTRYPOINT svc\nCMD ["--port", "80"]\n', errors: [{ line: 3, severity: 'info' }] }],
});

ruleTester(onbuild, {
  valid: [{ dockerfile: 'FROM python:3.12-slim\nONBUILD CMD ["gunicorn", "app:app"]\nCMD ["x"]\n' }],
  invalid: [{ dockerfile: 'FROM python:3.12-slim\nONBUILD CMD gunicorn app:app\nCMD ["x"]\n', errors: [{ line: 2, severity: 'info' }] }],
});

ruleTester(stopNotGraceful, {
  valid: [
    { dockerfile: 'FROM debian:bookworm\nCMD ["gosu", "app", "svc"]\n' },
    { name: 's6-overlay /init supervises and stops its services', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["/init"]\n' },
    { name: 'systemd with its halt signal', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["/sbin/init"]\n' },
  ],
  invalid: [
    { name: 'pid1 init ignores real-time signals', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["pid1", "init", "--", "svc"]\n', errors: [{ severity: 'error', message: /SIGRTMIN\+3 never reaches the service/ }] },
    { name: 'STOPSIGNAL SIGKILL', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGKILL\nCMD ["svc"]\n', errors: [{ severity: 'error', message: /killed before its graceful shutdown/ }] },
    { name: 'a script pid1 cannot see: warning', dockerfile: 'FROM debian:bookworm\nRUN printf "#!/bin/sh\\nsvc\\n" > /start.sh\nCMD ["/start.sh"]\n', errors: [{ severity: 'warning' }] },
  ],
});
