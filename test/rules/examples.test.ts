/**
 * The rule pages' own examples (docs/rules/*.md, generated from each rule's meta.examples) are tests:
 * every "reported" example is reported by its rule, every "not reported" one is not. And every rule has
 * its own table of cases (test/rules/<id>.test.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadShellParser } from '../../src/model/shell.js';
import { RULES } from '../../src/rules/index.js';
import { grammarParser } from '../../src/sources/grammars.js';
import { caseOfExample, lintCase } from '../helpers/rule-tester.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tablesDir = path.resolve(here, '../../../test/rules');

describe('rule pages: every example does what its page says', () => {
  before(async () => {
    await loadShellParser();
    await Promise.all((['python', 'javascript', 'go'] as const).map((l) => grammarParser(l)));
  });
  for (const rule of RULES) {
    rule.meta.examples.forEach((ex, i) => {
      it(`${rule.meta.id} example ${i + 1} (${ex.title}): reported`, () => {
        const { findings } = lintCase([rule], caseOfExample(ex.file, ex.bad, ex.files));
        assert.ok(
          findings.some((f) => f.ruleId === rule.meta.id),
          `the "reported" example is not reported by ${rule.meta.id}`,
        );
      });
      if (ex.good !== undefined) {
        it(`${rule.meta.id} example ${i + 1} (${ex.title}): not reported`, () => {
          const { findings } = lintCase([rule], caseOfExample(ex.file, ex.good as string, ex.files));
          assert.deepEqual(
            findings.map((f) => f.message),
            [],
            `the "not reported" example is reported by ${rule.meta.id}`,
          );
        });
      }
    });
  }
});

const rulesDir = path.resolve(here, '../../../src/rules');

describe('rule tables', () => {
  it('every rule file is registered in src/rules/index.ts', () => {
    const files = fs.readdirSync(rulesDir).filter((f) => f.endsWith('.ts') && /export default defineRule\(/.test(fs.readFileSync(path.join(rulesDir, f), 'utf8')));
    const ids = new Set(RULES.map((r) => r.meta.id));
    assert.deepEqual(
      files.map((f) => f.replace(/\.ts$/, '')).filter((id) => !ids.has(id)),
      [],
    );
    for (const r of RULES) assert.ok(files.includes(`${r.meta.id}.ts`), `rule ${r.meta.id} lives in src/rules/${r.meta.id}.ts`);
  });
  for (const rule of RULES) {
    it(`${rule.meta.id} has a table of cases (test/rules/${rule.meta.id}.test.ts)`, () => {
      const file = path.join(tablesDir, `${rule.meta.id}.test.ts`);
      assert.ok(fs.existsSync(file), `missing ${file}`);
      assert.match(fs.readFileSync(file, 'utf8'), new RegExp(`from '\\.\\./\\.\\./src/rules/${rule.meta.id}\\.js'`));
    });
    it(`${rule.meta.id} has examples, messages and a documented fix when it is fixable`, () => {
      assert.ok(rule.meta.examples.length > 0, 'no examples');
      assert.ok(Object.keys(rule.meta.messages).length > 0, 'no messages');
      if (rule.meta.fixable) assert.ok(rule.meta.fix, 'fixable but meta.fix does not say what the fix does');
    });
  }
});
