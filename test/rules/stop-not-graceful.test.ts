import rule from '../../src/rules/stop-not-graceful.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { dockerfile: 'FROM debian:bookworm\nCMD ["gosu", "app", "svc"]\n' },
    { name: 's6-overlay /init supervises and stops its services', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["/init"]\n' },
    // Without stdin_open/tty compose gives the container no stdin: bash reads end of input and exits at once.
    { name: 'a compose shell with no command and no stdin', compose: 'services:\n  sh:\n    image: debian:bookworm\n    command: bash\n' },
    { name: 'systemd with its halt signal', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["/sbin/init"]\n' },
    // The official image's own CMD (nginx -g 'daemon off;') and STOPSIGNAL SIGQUIT (its Dockerfile).
    { name: 'no CMD on nginx: the image runs nginx with its graceful SIGQUIT', dockerfile: 'FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n', files: { 'site/index.html': 'hi\n' } },
    { name: 'a compose service on ubuntu with no command: bash gets no stdin and exits', compose: 'services:\n  box:\n    image: ubuntu:24.04\n' },
  ],
  invalid: [
    // Official base images' CMD (their Dockerfiles): debian `bash`, alpine `/bin/sh`; interactive shells ignore SIGTERM (test/catalogue-ns.test.ts).
    {
      name: 'no CMD on debian: bash, interactive, as PID 1',
      dockerfile: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y jq\n',
      errors: [{ severity: 'error', line: 1, message: /PID 1: bash/ }],
    },
    {
      name: 'no CMD in the last stage on alpine (golang:alpine sets none either)',
      dockerfile: 'FROM golang:1.22-alpine AS build\nRUN go version\nFROM alpine:3.20\nCOPY --from=build /usr/local/go/bin/go /usr/local/bin/go\n',
      errors: [{ severity: 'error', line: 3, message: /PID 1: ash/ }],
    },
    {
      name: 'pid1 init ignores real-time signals',
      dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["pid1", "init", "--", "svc"]\n',
      errors: [{ severity: 'error', message: /SIGRTMIN\+3 never reaches the service/ }],
    },
    // At its prompt (docker run -it, compose tty: true) an interactive shell ignores TERM, PID 1 or not.
    { name: 'an interactive shell under tini', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["tini", "--"]\nCMD ["bash"]\n', errors: [{ severity: 'error' }] },
    { name: 'a compose shell with a tty', compose: 'services:\n  sh:\n    image: debian:bookworm\n    command: bash\n    tty: true\n', errors: [{ severity: 'error' }] },
    { name: 'STOPSIGNAL SIGKILL', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGKILL\nCMD ["svc"]\n', errors: [{ severity: 'error', message: /killed before its graceful shutdown/ }] },
    { name: 'a script pid1 cannot see: warning', dockerfile: 'FROM debian:bookworm\nRUN printf "#!/bin/sh\\nsvc\\n" > /start.sh\nCMD ["/start.sh"]\n', errors: [{ severity: 'warning' }] },
  ],
});
