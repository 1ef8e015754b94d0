import rule from '../../src/rules/unknown-shell.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    // su(1) runs -c with the target user's login shell, which the files do not say, but util-linux su SIGKILLs its child
    // 2 s after SIGTERM whatever that shell does: stop-not-graceful reports it, certain (wrappers-ns.test.ts)
    { name: 'su -c: the login shell does not decide', dockerfile: 'FROM debian:bookworm\nCMD ["su", "app", "-c", "svc"]\n' },
    { name: 'known image', dockerfile: 'FROM debian:bookworm\nCMD ["svc"]\n' },
    // an image named for its Alpine base has busybox ash: it execs the last simple command
    { name: 'an image named for its Alpine base (acme/alpine-s6)', dockerfile: 'FROM acme/alpine-s6\nCMD cd /app && java -jar app.jar\n' },
    { name: 'configured family', dockerfile: 'FROM registry.example.com/base:3\nCMD svc --port 80\n', options: { images: { 'registry.example.com/base:*': 'ash' } } },
  ],
  invalid: [
    {
      name: 'in-house base',
      dockerfile: 'FROM registry.example.com/base:3\nCMD svc --port 80\n',
      errors: [{ severity: 'warning', message: /depends on the \/bin\/sh of registry.example.com\/base:3/ }],
      output: 'FROM registry.example.com/base:3\nCMD ["svc", "--port", "80"]\n',
    },
    { name: 'FROM a build arg without default', dockerfile: 'ARG BASE\nFROM $BASE\nCMD svc $PORT\n', errors: [{ severity: 'warning' }], output: 'ARG BASE\nFROM $BASE\nCMD exec svc $PORT\n' },
  ],
});
