/**
 * npm and yarn as PID 1, for real (npm from Node's own install, yarn 1 from Debian's yarnpkg): both
 * forward SIGTERM to the script's process; npm waits for it, yarn exits at once and the kernel SIGKILLs the
 * service mid-shutdown. And lint predicts each outcome from the same files.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pid1 } from './helpers/cli.js';
import { cleanupNamespaces, startNamespace } from './helpers/ns.js';
import { stopNamespace } from './helpers/observe.js';
import { svcBinary } from './helpers/rootfs.js';

after(cleanupNamespaces);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const SVC = svcBinary();
// Debian's yarnpkg finds its modules under /usr/share/nodejs (Debian's node does that by itself).
const YARN_ENV = { NODE_PATH: '/usr/share/nodejs:/usr/lib/nodejs' };
const haveYarn = fs.existsSync('/usr/bin/yarnpkg');

function project(start: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-pm-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', license: 'MIT', scripts: { start } }));
  return dir;
}

describe('package managers as PID 1', () => {
  it('npm forwards SIGTERM to the script and waits for it: graceful', async () => {
    const dir = project(`exec ${SVC} --drain-ms 800`);
    const ns = await startNamespace(['npm', '--prefix', dir, 'start'], { readyLine: /ready/ });
    const { observed } = await stopNamespace(ns, 'SIGTERM', 5000);
    assert.equal(observed, 'graceful', ns.output());
  });

  it('yarn 1 forwards SIGTERM and exits at once: the service is cut short (abrupt)', { skip: haveYarn ? false : 'Debian package yarnpkg is not installed' }, async () => {
    const dir = project(`exec ${SVC} --drain-ms 800`);
    const ns = await startNamespace(['yarnpkg', '--cwd', dir, 'start'], { readyLine: /ready/, env: YARN_ENV });
    const { observed } = await stopNamespace(ns, 'SIGTERM', 5000);
    assert.equal(observed, 'abrupt', ns.output());
    assert.match(ns.output(), /got Terminated/, 'the service did get the signal');
  });

  it('lint predicts both from the Dockerfile and package.json', async () => {
    const dir = project('node server.js');
    fs.writeFileSync(path.join(dir, 'server.js'), "require('http').createServer((q, r) => r.end('ok')).listen(8080)\n");
    fs.writeFileSync(path.join(dir, 'Dockerfile.npm'), 'FROM node:20-alpine\nWORKDIR /app\nCOPY package.json server.js ./\nCMD ["npm", "start"]\n');
    fs.writeFileSync(path.join(dir, 'Dockerfile.yarn'), 'FROM node:20-alpine\nWORKDIR /app\nCOPY package.json server.js ./\nCMD ["yarn", "start"]\n');
    const r = await pid1(['lint', '--format', 'json', dir]);
    const out = JSON.parse(r.stdout) as { files: { file: string; launches: { chain?: string[]; outcome?: string }[]; findings: { ruleId: string; messageId: string }[] }[] };
    const of = (name: string): (typeof out.files)[number] | undefined => out.files.find((f) => f.file.endsWith(name));
    assert.deepEqual(of('Dockerfile.npm')?.launches[0]?.chain, ['npm', 'node']);
    assert.deepEqual(
      of('Dockerfile.npm')?.findings.filter((f) => f.ruleId === 'package-manager-pid1'),
      [],
    );
    assert.deepEqual(
      of('Dockerfile.yarn')
        ?.findings.filter((f) => f.ruleId === 'package-manager-pid1')
        .map((f) => f.messageId),
      ['exitsAtOnce'],
    );
  });
});
