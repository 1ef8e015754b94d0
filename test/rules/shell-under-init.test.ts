import rule from '../../src/rules/shell-under-init.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'tini execs the service directly', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["tini", "--", "svc"]\n' },
    { name: 'tini -> sh -c with exec', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["tini", "--", "sh", "-c", "exec svc"]\n' },
    { name: 'dumb-init -> ash execs the last command', dockerfile: 'FROM alpine:3.20\nENTRYPOINT ["dumb-init", "--"]\nCMD svc --port 80\n' },
    // pid1 init signals the wrapper's whole group and waits for every process it signalled.
    { name: 'pid1 init -> dash -c', dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["pid1", "init", "--grace", "20s", "--"]\nCMD ["sh", "-c", "./migrate && svc"]\n' },
  ],
  invalid: [
    {
      name: 'tini -> dash -c',
      dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["tini", "--", "sh", "-c", "svc --port 80"]\n',
      errors: [{ message: /tini forwards SIGTERM to `dash -c`/, line: 2 }],
      output: 'FROM debian:bookworm\nENTRYPOINT ["tini", "--", "sh", "-c", "exec svc --port 80"]\n',
    },
    {
      name: 'pid1 init --single-child is like tini',
      dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["pid1", "init", "--single-child", "--", "sh", "-c", "svc"]\n',
      errors: [{ line: 2 }],
      output: 'FROM debian:bookworm\nENTRYPOINT ["pid1", "init", "--single-child", "--", "sh", "-c", "exec svc"]\n',
    },
    {
      name: 'tini -g is no better',
      dockerfile: 'FROM debian:bookworm\nENTRYPOINT ["tini", "-g", "--", "sh", "-c", "svc"]\n',
      errors: [{ line: 2 }],
      output: 'FROM debian:bookworm\nENTRYPOINT ["tini", "-g", "--", "sh", "-c", "exec svc"]\n',
    },

    {
      name: 'dumb-init + a shell-form CMD',
      dockerfile: 'FROM ubuntu:24.04\nENTRYPOINT ["dumb-init", "--"]\nCMD svc --port 80\n',
      errors: [{ message: /dumb-init/, line: 3 }],
      output: 'FROM ubuntu:24.04\nENTRYPOINT ["dumb-init", "--"]\nCMD exec svc --port 80\n',
    },
  ],
});
