/**
 * The YAML parse runs with a plain object in place of process.env (yaml 2.x looks up its debug switches for
 * every token, and each process.env lookup goes to the C++ side): the real environment is back after every parse,
 * also one too deep for the parser, and the debug switch still reaches the library.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeDocument } from '../src/document/document.js';
import { parseYamlStream } from '../src/sources/yaml.js';

describe('the YAML parse and process.env', () => {
  it('process.env is the real environment after a parse, and after one too deep for the parser', () => {
    const env = process.env;
    assert.equal(parseYamlStream(makeDocument('a.yaml', 'apiVersion: v1\nkind: Pod\n', 'kubernetes')).errors.length, 0);
    assert.equal(process.env, env);
    // deep enough to overflow the parser's stack: the error is caught and reported
    const deep = `a: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    assert.ok(parseYamlStream(makeDocument('deep.yaml', deep, 'kubernetes')).errors.length > 0);
    assert.equal(process.env, env);
    assert.ok(process.env.PATH !== undefined);
  });

  it("yaml's LOG_TOKENS switch still works", () => {
    const lines: unknown[][] = [];
    const log = console.log;
    process.env.LOG_TOKENS = '1';
    console.log = (...a: unknown[]) => void lines.push(a);
    try {
      parseYamlStream(makeDocument('b.yaml', 'kind: Pod\n', 'kubernetes'));
    } finally {
      console.log = log;
      delete process.env.LOG_TOKENS;
    }
    assert.ok(
      lines.some((a) => a[0] === '|'),
      JSON.stringify(lines),
    );
  });
});
