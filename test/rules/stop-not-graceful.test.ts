import rule from '../../src/rules/stop-not-graceful.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { dockerfile: 'FROM debian:bookworm\nCMD ["gosu", "app", "svc"]\n' },
    { name: 's6-overlay /init supervises and stops its services', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["/init"]\n' },
    // Without stdin_open/tty compose gives the container no stdin: bash reads end of input and exits at once.
    { name: 'a compose shell with no command and no stdin', compose: 'services:\n  sh:\n    image: debian:bookworm\n    command: bash\n' },
    { name: 'systemd with its halt signal', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["/sbin/init"]\n' },
  ],
  invalid: [
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
