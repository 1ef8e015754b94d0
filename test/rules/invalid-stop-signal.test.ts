import rule from '../../src/rules/invalid-stop-signal.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [{ dockerfile: 'FROM alpine\nSTOPSIGNAL 15\nCMD ["svc"]\n' }, { dockerfile: 'FROM alpine\nSTOPSIGNAL SIGRTMIN+3\nCMD ["svc"]\n' }],
  invalid: [{ dockerfile: 'FROM alpine\nSTOPSIGNAL SIGTREM\nCMD ["svc"]\n', errors: [{ line: 2, message: /SIGTREM/ }] }],
});
