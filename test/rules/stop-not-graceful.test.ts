import rule from '../../src/rules/stop-not-graceful.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
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
