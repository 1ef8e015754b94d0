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
import { waitFor } from './helpers/exec.js';

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

/**
 * The package manager (Node, PID 1) has installed its SIGTERM listener: the service's ready line only says the script
 * started, and npm adds its listeners just after the spawn returns (@npmcli/run-script signal-manager.js add()), so a
 * stop sent in between meets Node's own handler, whose default action PID 1 drops. That synchronous step is over once
 * the main thread waits in epoll again (its wchan).
 */
async function backInEventLoop(pid: number): Promise<void> {
  await waitFor('the package manager back in its event loop', () => (fs.readFileSync(`/proc/${pid}/wchan`, 'utf8') === 'do_epoll_wait' ? true : undefined));
}

describe('package managers as PID 1', () => {
  it('npm forwards SIGTERM to the script and waits for it: graceful', async () => {
    const dir = project(`exec ${SVC} --drain-ms 800`);
    const ns = await startNamespace(['npm', '--prefix', dir, 'start'], { readyLine: /ready/ });
    await backInEventLoop(ns.initPid);
    const { observed } = await stopNamespace(ns, 'SIGTERM', 5000);
    assert.equal(observed, 'graceful', ns.output());
  });

  it('yarn 1 forwards SIGTERM and exits at once: the service is cut short (abrupt)', { skip: haveYarn ? false : 'Debian package yarnpkg is not installed' }, async () => {
    const dir = project(`exec ${SVC} --drain-ms 800`);
    const ns = await startNamespace(['yarnpkg', '--cwd', dir, 'start'], { readyLine: /ready/, env: YARN_ENV });
    await backInEventLoop(ns.initPid);
    const { observed } = await stopNamespace(ns, 'SIGTERM', 5000);
    assert.equal(observed, 'abrupt', ns.output());
    assert.match(ns.output(), /got Terminated/, 'the service did get the signal');
  });

  it('npm with no package.json exits at once (254, ENOENT) as PID 1: nothing to stop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-pm-'));
    dirs.push(dir);
    const ns = await startNamespace(['npm', '--prefix', dir, 'start']);
    const exit = await ns.exited;
    assert.equal(exit.code, 254, ns.output());
    assert.match(ns.output(), /enoent Could not read package\.json/);
  });

  it('lint: npm start on an official node image that the Dockerfile gives no package.json ends at once; one it may give keeps its finding', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-pm-'));
    dirs.push(dir);
    const write = (name: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    };
    // the code arrives by a bind mount (geekcell's compose examples): the image itself has none
    write('bare/Dockerfile', 'FROM node:18-bullseye-slim\nRUN mkdir /usr/src/app && chown node:node /usr/src/app\nWORKDIR /usr/src/app\nCMD ["npm", "run", "start"]\n');
    write('bare/docker-compose.yml', 'services:\n  web:\n    build: .\n    volumes:\n      - ./app:/usr/src/app\n');
    write('bare/app/package.json', JSON.stringify({ name: 'app', scripts: { start: 'node index.js' } }));
    // package*.json copied from a context that holds none, though it holds the sources the Dockerfile names (serverless-expeditions)
    write('empty/Dockerfile', 'FROM node:slim\nWORKDIR /app\nCOPY package*.json /app/\nCOPY src/* /app/src/\nRUN npm install\nCMD [ "npm", "start" ]\n');
    write('empty/src/app.js', 'console.log(1)\n');
    // a directory with only the Dockerfile in it is not its build context (`docker build -f dir/Dockerfile "$1"`): kept
    write('lone/Dockerfile', 'FROM node:20-slim\nWORKDIR /usr/src/app\nCOPY package*.json ./\nRUN npm install --omit=dev\nCOPY . ./\nCMD [ "npm", "start" ]\n');
    // a stage copied whole: pid1 does not list what it holds, kept
    write('staged/Dockerfile', 'FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json .\nRUN npm ci\nFROM node:22-alpine\nWORKDIR /app\nCOPY --from=build /app .\nCMD [ "npm", "start" ]\n');
    write('staged/index.js', 'console.log(1)\n');
    // each of these may put a package.json there: the finding stays
    write('copied/Dockerfile', 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n');
    write('copied/package.json', JSON.stringify({ name: 'app', scripts: { start: 'node index.js' } }));
    write('generated/Dockerfile', 'FROM node:20\nWORKDIR /app\nRUN npx express-generator . && npm install\nCMD ["npm", "start"]\n');
    write('cloned/Dockerfile', 'FROM node:20\nWORKDIR /app\nRUN git clone https://example.com/app.git .\nCMD ["npm", "start"]\n');
    write('other-base/Dockerfile', 'FROM example.com/team/node-app:1\nCMD ["npm", "start"]\n');
    const r = await pid1(['lint', '--no-config', '--format', 'json', dir]);
    const out = JSON.parse(r.stdout) as { files: { file: string; launches: { label: string; outcome?: string }[]; findings: { ruleId: string }[] }[] };
    const outcome = (file: string, label: string): string | undefined => out.files.find((f) => f.file.endsWith(file))?.launches.find((l) => l.label.startsWith(label))?.outcome;
    assert.equal(outcome('bare/Dockerfile', 'stage'), undefined, 'npm exits at once: no launch to stop');
    assert.equal(outcome('empty/Dockerfile', 'stage'), undefined);
    assert.equal(outcome('bare/docker-compose.yml', 'service web'), 'abrupt', 'the bind mount brings the application: npm runs it');
    for (const f of ['copied', 'generated', 'cloned', 'other-base', 'lone', 'staged']) assert.notEqual(outcome(`${f}/Dockerfile`, 'stage'), undefined, f);
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
