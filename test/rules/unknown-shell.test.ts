import rule from '../../src/rules/unknown-shell.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'known image', dockerfile: 'FROM debian:bookworm\nCMD ["svc"]\n' },
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
