/**
 * `pid1 test --junit FILE`: one test case per run, in the JUnit XML that CI systems read (GitLab,
 * Jenkins, GitHub test reporters). graceful passes; killed/abrupt/nostart are failures whose message is
 * the verdict; a test that could not run is an error. The text report is the case's system-out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError, messageOf } from '../util/errors.js';
import type { TestReport } from '../runtime/reports.js';
import { formatTest } from './test.js';
import { safeLines, safeText } from '../util/sanitize.js';

/**
 * An attribute value: control characters (which XML 1.0 cannot carry, or which a viewer would play) shown
 * as visible escapes by safeText, then the XML specials escaped.
 */
export function xmlEscape(s: string): string {
  return safeText(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A text block: every line made safe (line breaks kept), and `]]>` split across two sections. */
function cdata(s: string): string {
  return `<![CDATA[${safeLines(s, { keepTabs: true }).replace(/\]\]>/g, ']]]]><![CDATA[>')}]]>`;
}

export interface JUnitCase {
  name: string;
  classname: string;
  seconds: number;
  failure?: { type: string; message: string; body: string };
  error?: { message: string };
  systemOut?: string;
}

export function junitXml(cases: JUnitCase[], suite = 'pid1 test'): string {
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error).length;
  const time = cases.reduce((a, c) => a + c.seconds, 0).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}" timestamp="${new Date().toISOString().replace(/\.\d+Z$/, '')}">`,
  ];
  for (const c of cases) {
    lines.push(`    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${c.seconds.toFixed(3)}">`);
    if (c.failure) lines.push(`      <failure type="${xmlEscape(c.failure.type)}" message="${xmlEscape(c.failure.message)}">${cdata(c.failure.body)}</failure>`);
    if (c.error) lines.push(`      <error type="error" message="${xmlEscape(c.error.message)}"/>`);
    if (c.systemOut) lines.push(`      <system-out>${cdata(c.systemOut)}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}

function caseName(label: string, policy: string): string {
  return `${label} stops gracefully (${policy} stop)`;
}

export function junitFromReport(r: TestReport): string {
  const text = formatTest(r);
  const c: JUnitCase = {
    name: caseName(r.target.label, r.policy.name),
    classname: `pid1.test.${r.policy.name}`,
    seconds: r.durations.totalMs / 1000,
    systemOut: text,
  };
  if (r.verdict !== 'graceful') c.failure = { type: r.verdict, message: `${r.verdict}: ${r.observation.summary}`, body: text };
  return junitXml([c]);
}

/** The error case, for a test that could not run (exit status 2). */
export function junitForError(label: string, policy: string, message: string): string {
  return junitXml([{ name: caseName(label, policy), classname: `pid1.test.${policy}`, seconds: 0, error: { message } }]);
}

const tempOf = (file: string): string => path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);

/**
 * Fail now, in one line, when the report could not be written at the end (a missing directory, no
 * permission, a directory in its place): checked before the test runs, by creating and removing the
 * temporary file writeJunit() will use, and opening an existing file for writing without changing it.
 */
export function checkJunitWritable(file: string): void {
  const fail = (why: string): never => {
    throw new UserError(`cannot write --junit ${file}: ${why}`);
  };
  try {
    if (fs.statSync(file).isDirectory()) fail('it is a directory');
    fs.closeSync(fs.openSync(file, 'r+'));
  } catch (err) {
    if (err instanceof UserError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') fail(messageOf(err));
  }
  const tmp = tempOf(file);
  try {
    fs.writeFileSync(tmp, '', { flag: 'wx' });
  } catch (err) {
    fail(messageOf(err));
  }
  fs.rmSync(tmp, { force: true });
}

/** Write atomically: a CI job never reads half a file. */
export function writeJunit(file: string, xml: string): void {
  const tmp = tempOf(file);
  try {
    fs.writeFileSync(tmp, xml);
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing to remove */
    }
    throw new UserError(`cannot write --junit ${file}: ${messageOf(err)}`);
  }
}
