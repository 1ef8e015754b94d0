/**
 * Compose files that are not the Compose specification's: the legacy v1 format (services at the top level,
 * no `services:` key), read with docker-compose 1.x's semantics, and files that are neither (a fragment of
 * networks, an `include:` list, a typo) told apart. docker-compose 1.29 itself runs a v1 file in
 * test/lint-compose-real.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DocumentStore } from '../src/document/store.js';
import { loadShellParser } from '../src/model/shell.js';
import { lintComposeDocument } from '../src/sources/compose/source.js';
import type { ComposeLaunch, SourceResult } from '../src/sources/launch.js';
import { pid1 } from './helpers/cli.js';

before(async () => {
  await loadShellParser();
});

const tmpDirs: string[] = [];
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid1-compose-v1-'));
  tmpDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function lint(dir: string, file = 'docker-compose.yml'): SourceResult {
  const store = new DocumentStore();
  const doc = store.read(path.join(dir, file), 'compose');
  assert.ok(doc);
  return lintComposeDocument(doc, store, { env: {} });
}

const byName = (r: SourceResult): Map<string, ComposeLaunch> => new Map(r.launches.map((l) => [(l as ComposeLaunch).service, l as ComposeLaunch]));

describe('the legacy v1 format', () => {
  it('top-level services are read, with v1 splitting (shlex) whatever compose version is asked for', () => {
    const dir = project({
      'docker-compose.yml': 'web:\n  image: debian:bookworm\n  command: app --port 80 && echo "a b"\nredis:\n  image: redis:7\n',
    });
    const store = new DocumentStore();
    const doc = store.read(path.join(dir, 'docker-compose.yml'), 'compose');
    assert.ok(doc);
    const r = lintComposeDocument(doc, store, { env: {}, composeVersion: 2 });
    assert.deepEqual(r.errors, []);
    const s = byName(r);
    assert.deepEqual([...s.keys()], ['web', 'redis']);
    // shlex keeps `&&` as an argument; go-shellwords (v2) would have stopped before it
    assert.deepEqual(s.get('web')?.argv, ['app', '--port', '80', '&&', 'echo', 'a b']);
    assert.equal(s.get('web')?.legacyV1, true);
    assert.equal(s.get('web')?.where, 'web');
    assert.deepEqual(
      r.notices?.map((n) => (n.code === 'compose-v1' ? n.services : [])),
      [['web', 'redis']],
    );
    assert.equal(r.notices?.[0]?.span.start, 0);
  });

  it("v1 keys: `build` is the context and the service's `dockerfile` names the Dockerfile; init and stop_grace_period do not exist", () => {
    const dir = project({
      'docker-compose.yml': 'api:\n  build: ./api\n  dockerfile: Dockerfile.prod\n  init: true\n  stop_grace_period: 1m\n',
      'api/Dockerfile.prod': 'FROM debian:bookworm\nCMD ["api", "--prod"]\n',
      'api/Dockerfile': 'FROM debian:bookworm\nCMD ["api", "--dev"]\n',
    });
    const api = byName(lint(dir)).get('api');
    assert.deepEqual(api?.argv, ['api', '--prod']);
    assert.equal(api?.init, undefined);
    assert.equal(api?.stop.graceSeconds, 10);
  });

  it('an `x-` block of anchors is no service', () => {
    const dir = project({ 'docker-compose.yml': 'x-common: &c\n  restart: always\nweb:\n  <<: *c\n  image: debian:bookworm\n  command: ["app"]\n' });
    const r = lint(dir);
    assert.deepEqual(r.errors, []);
    assert.deepEqual([...byName(r).keys()], ['web']);
  });

  it('pid1 lint says that Compose v2 refuses it, as a warning', async () => {
    const dir = project({ 'docker-compose.yml': 'web:\n  image: debian:bookworm\n  command: ["app"]\n' });
    const r = await pid1(['lint', '--no-config', dir]);
    assert.match(r.stdout, /docker-compose\.yml:1:1 +warning +this compose file is in the legacy v1 format .*Additional property web is not allowed.*\[compose-legacy-v1\]/);
    assert.doesNotMatch(r.stdout, /not a compose file/);
  });
});

describe('files that are neither v1 nor a project with services', () => {
  it('a fragment (networks, volumes, include) is part of a project: nothing runs from it, and it is no error', () => {
    for (const text of ['networks:\n  front: {}\n', 'include:\n  - ../api/compose.yaml\n', 'version: "3.8"\nvolumes:\n  data: {}\nx-note: a\n']) {
      const r = lint(project({ 'docker-compose.yml': text }));
      assert.deepEqual(r.errors, [], text);
      assert.deepEqual(r.launches, [], text);
    }
  });

  it('a misspelt `services:` is not read as v1 services: the error names the key', () => {
    const r = lint(project({ 'docker-compose.yml': 'version: "3.8"\nsevices:\n  web:\n    image: nginx\n' }));
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]?.message ?? '', /not a compose file: no "services" section, and "sevices" is not a service/);
  });

  it('YAML named like a compose file whose mappings run nothing (no image, no build) is not v1', () => {
    const r = lint(project({ 'docker-compose.yml': 'database:\n  host: db\n  port: 5432\ncache:\n  ttl: 60\n' }));
    assert.deepEqual(r.launches, []);
    assert.match(r.errors[0]?.message ?? '', /not a compose file/);
  });

  it('a top level that is only `version` is still no compose file', () => {
    const r = lint(project({ 'docker-compose.yml': 'version: "3"\n' }));
    assert.match(r.errors[0]?.message ?? '', /^not a compose file: no "services" section$/);
  });
});
