/**
 * The real-world corpus (corpus/repos.json, hand-judged in corpus/expectations.json): pid1 lint over every
 * DEV repository, and every launch's verdict (an error or not) must agree with the judged truth, except the
 * misses corpus/known-disagreements.json lists with why (a regression gate that also fails when one is fixed). The files
 * are public repositories that `node scripts/corpus.mjs materialize` extracts outside the package
 * (/work/corpus, or $PID1_CORPUS); where they are absent (CI cannot fetch) the test skips and says so.
 * The held-out repositories are never run here: they are for a final check only (`score --set heldout`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Disagreement {
  type: string;
  key: string;
  truth?: string;
  why?: string;
  pid1: string | string[];
}
interface Tally {
  judged: number;
  tp: number;
  fp: number;
  fn: number;
}
interface Score {
  rows: Record<'dev' | 'heldout' | 'all', Tally>;
  disagreements: Disagreement[];
  unjudged: Disagreement[];
}
interface Repo {
  repo: string;
  set: 'dev' | 'heldout';
}
/** The parts of scripts/corpus.mjs (plain ESM, no build step) this test uses. */
interface CorpusModule {
  loadRepos(): Repo[];
  materializeProblems(dir: string, repos: Repo[]): string[];
  runCorpus(o: { pid1: string; dir: string; set: 'dev' | 'heldout' }): Promise<unknown>;
  loadExpectations(file?: string): unknown;
  scoreRun(run: unknown, expect: unknown, o: { set: 'dev' | 'heldout' }): Score;
}

// dist/test/ -> the repository root (scripts/, corpus/) and the built CLI.
const corpusScript = new URL('../../scripts/corpus.mjs', import.meta.url);
const pid1 = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const dir = process.env.PID1_CORPUS ?? '/work/corpus';

async function whyNot(corpus: CorpusModule): Promise<string | undefined> {
  if (!fs.existsSync(dir)) return `no corpus at ${dir} (set PID1_CORPUS, or run: node scripts/corpus.mjs materialize --dir ${dir})`;
  const problems = corpus.materializeProblems(
    dir,
    corpus.loadRepos().filter((r) => r.set === 'dev'),
  );
  if (problems.length) return `corpus at ${dir} is incomplete: ${problems.slice(0, 3).join('; ')} (run: node scripts/corpus.mjs materialize --dir ${dir})`;
  return undefined;
}

const corpus = (await import(corpusScript.href)) as CorpusModule;
const skip = await whyNot(corpus);

function line(d: Disagreement): string {
  const [repo, file, launch] = d.key.split('\t');
  const where = `${repo} ${file}${launch ? ` [${launch}]` : ''}`;
  const said = Array.isArray(d.pid1) ? d.pid1.join(' | ') : d.pid1;
  return d.truth ? `${d.type}: ${where}: truth ${d.truth} (${d.why}); pid1: ${said}` : `${d.type}: ${where}: ${said}`;
}

interface Known {
  type: string;
  key: string;
  why: string;
}
const known = (JSON.parse(fs.readFileSync(new URL('../../corpus/known-disagreements.json', import.meta.url), 'utf8')) as { launches: Known[] }).launches;

test('real-world corpus (dev set): every error verdict agrees with the hand-judged truth, but the known misses', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const run = await corpus.runCorpus({ pid1, dir, set: 'dev' });
  const score = corpus.scoreRun(run, corpus.loadExpectations(), { set: 'dev' });
  const { tp, fp, fn } = score.rows.dev;
  const summary = `dev: precision ${tp}/${tp + fp}, recall on the judged launches ${tp}/${tp + fn}`;
  const knownKeys = new Set(known.map((k) => `${k.type}\t${k.key}`));
  // An unjudged error is a new error on a launch nobody has judged: judge it in corpus/expectations.json.
  const problems = [...score.disagreements.filter((d) => !knownKeys.has(`${d.type}\t${d.key}`)), ...score.unjudged].map(line);
  assert.deepEqual(problems, [], `${summary}; ${problems.length} verdict(s) differ from corpus/expectations.json and are not in corpus/known-disagreements.json`);
  // A known miss that pid1 now gets right leaves the list (so the list stays the honest state).
  const now = new Set(score.disagreements.map((d) => `${d.type}\t${d.key}`));
  const fixed = known.filter((k) => !now.has(`${k.type}\t${k.key}`)).map((k) => `${k.type}: ${k.key.replaceAll('\t', ' ')}`);
  assert.deepEqual(fixed, [], `${summary}; now right: remove from corpus/known-disagreements.json`);
});
