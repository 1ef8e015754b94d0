import rule from '../../src/rules/server-stop-signal.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'nginx with SIGQUIT', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n' },
    { name: 'postgres with SIGTERM is graceful (smart)', dockerfile: 'FROM debian:bookworm\nCMD ["postgres"]\n' },
  ],
  invalid: [
    { name: 'systemd is not s6: SIGTERM makes it re-execute, not stop', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["/sbin/init"]\n', errors: [{ severity: 'warning', message: /systemd shuts down gracefully on SIGRTMIN\+3/ }], output: 'FROM debian:bookworm\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["/sbin/init"]\n' },
    { name: 'explicit SIGTERM for nginx', dockerfile: 'FROM debian:bookworm\nSTOPSIGNAL SIGTERM\nCMD ["nginx", "-g", "daemon off;"]\n', errors: [{ severity: 'error', line: 2 }], output: 'FROM debian:bookworm\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n' },
    { name: 'inherited from an unseen base: warning', dockerfile: 'FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n', errors: [{ severity: 'warning' }], output: 'FROM nginx:1.27\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n' },
    { name: 'php-fpm', dockerfile: 'FROM scratch\nSTOPSIGNAL TERM\nCMD ["php-fpm8.2", "-F"]\n', errors: [{ severity: 'error', message: /php-fpm/ }], output: 'FROM scratch\nSTOPSIGNAL SIGQUIT\nCMD ["php-fpm8.2", "-F"]\n' },
    { name: 'STOPSIGNAL from an ARG', dockerfile: 'FROM debian:bookworm\nARG SIG=SIGINT\nSTOPSIGNAL $SIG\nCMD ["httpd", "-DFOREGROUND"]\n', errors: [{ message: /SIGWINCH/ }], output: 'FROM debian:bookworm\nARG SIG=SIGINT\nSTOPSIGNAL SIGWINCH\nCMD ["httpd", "-DFOREGROUND"]\n' },
  ],
});
