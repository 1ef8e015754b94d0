import rule from '../../src/rules/unknown-shell.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'known image', dockerfile: 'FROM debian:bookworm\nCMD ["svc"]\n' },
    { name: 'configured family', dockerfile: 'FROM registry.example.com/base:3\nCMD svc --port 80\n', options: { images: { 'registry.example.com/base:*': 'ash' } } },
  ],
  invalid: [
    {
      // su(1) runs -c with the target user's login shell (/etc/passwd), which the image's files do not say
      name: "su -c: the target user's login shell decides, not the image's /bin/sh",
      dockerfile: 'FROM debian:bookworm\nCMD ["su", "app", "-c", "svc"]\n',
      errors: [{ messageId: 'dependsOnLoginShell', severity: 'warning' }],
      output: 'FROM debian:bookworm\nCMD ["su", "app", "-c", "exec svc"]\n',
    },
    {
      name: 'in-house base',
      dockerfile: 'FROM registry.example.com/base:3\nCMD svc --port 80\n',
      errors: [{ severity: 'warning', message: /depends on the \/bin\/sh of registry.example.com\/base:3/ }],
      output: 'FROM registry.example.com/base:3\nCMD ["svc", "--port", "80"]\n',
    },
    { name: 'FROM a build arg without default', dockerfile: 'ARG BASE\nFROM $BASE\nCMD svc $PORT\n', errors: [{ severity: 'warning' }], output: 'ARG BASE\nFROM $BASE\nCMD exec svc $PORT\n' },
  ],
});
