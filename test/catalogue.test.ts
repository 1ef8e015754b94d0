/** The catalogue's lookups: by executable name (versions, busybox applets) and by whole command line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { behaviourOn, catalogueById, catalogueEntry, catalogueEntryForArgv, CATALOGUE, KEEPS_RUNNING } from '../src/model/catalogue.js';

test('executables by path or basename, with version suffixes', () => {
  const id = (exe: string, busybox = false): string | undefined => catalogueEntry(exe, { busybox })?.id;
  assert.equal(id('/usr/bin/python3.12'), 'python');
  assert.equal(id('python'), 'python');
  assert.equal(id('pypy3'), 'python');
  assert.equal(id('/usr/sbin/php-fpm8.2'), 'php-fpm');
  assert.equal(id('php8.2'), 'php');
  assert.equal(id('ruby3.1'), 'ruby');
  assert.equal(id('nodejs'), 'node');
  assert.equal(id('apache2'), 'httpd');
  assert.equal(id('mariadbd'), 'mysqld');
  assert.equal(id('redis-server'), 'redis');
  assert.equal(id('sleep3'), undefined, 'only runtimes match with a version suffix');
  assert.equal(id('my-service'), undefined);
});

test('the same name as a busybox applet and as another implementation', () => {
  assert.equal(catalogueEntry('watch')?.id, 'watch');
  assert.equal(catalogueEntry('watch', { busybox: true })?.id, 'busybox-watch');
  assert.equal(catalogueEntry('crond')?.id, 'cronie');
  assert.equal(catalogueEntry('crond', { busybox: true })?.id, 'busybox-crond');
  assert.equal(catalogueEntry('sleep', { busybox: true })?.id, 'sleep');
});

test('whole command lines', () => {
  const id = (argv: string[]): string | undefined => catalogueEntryForArgv(argv)?.entry.id;
  assert.equal(id(['busybox', 'watch', '-n', '1', 'date']), 'busybox-watch');
  assert.equal(id(['busybox', 'sh', '-c', 'while :; do sleep 1; done']), 'ash');
  assert.equal(id(['python3', '-u', '-m', 'gunicorn', 'app:app']), 'gunicorn');
  assert.equal(id(['python', '-m', 'uvicorn', 'main:app']), 'uvicorn');
  assert.equal(id(['python3', '-m', 'celery', '-A', 'proj', 'worker']), 'celery');
  assert.equal(id(['python3', 'manage.py', 'runserver', '0.0.0.0:8000']), 'django-runserver');
  assert.equal(id(['python3', '/srv/manage.py', 'runserver', '--noreload']), 'django-runserver-noreload');
  assert.equal(id(['python3', 'manage.py', 'migrate']), 'python');
  assert.equal(id(['django-admin', 'runserver']), 'django-runserver');
  assert.equal(id(['flask', 'run']), 'flask-dev-server');
  assert.equal(id(['flask', '--debug', 'run']), 'flask-dev-server-reloader');
  assert.equal(id(['python3', '-m', 'flask', 'run', '--reload']), 'flask-dev-server-reloader');
  assert.equal(id(['python3', 'app.py']), 'python');
  assert.equal(id(['haproxy', '-f', '/etc/haproxy.cfg']), 'haproxy');
  assert.equal(id(['haproxy', '-W', '-db', '-f', '/etc/haproxy.cfg']), 'haproxy-master-worker');
  assert.equal(id(['/usr/local/bin/my-app']), undefined);
  assert.equal(catalogueEntryForArgv(['python3', '-m', 'uvicorn', 'main:app'])?.index, 2, 'the word that decided');
});

test('behaviour on a signal: described, graceful-only, or unknown', () => {
  const nginx = catalogueById('nginx');
  assert.equal(behaviourOn(nginx, 'SIGQUIT').reaction, 'graceful');
  assert.equal(behaviourOn(nginx, 'TERM').reaction, 'fast');
  assert.equal(behaviourOn(catalogueById('httpd'), 'SIGWINCH').reaction, 'graceful');
  assert.equal(behaviourOn(catalogueById('sleep'), 'SIGUSR1').reaction, 'program-decides');
  assert.ok(KEEPS_RUNNING.has(behaviourOn(catalogueById('python'), 'SIGTERM').reaction));
  assert.ok(KEEPS_RUNNING.has(behaviourOn(catalogueById('node'), 'SIGTERM').reaction));
  assert.equal(behaviourOn(catalogueById('go'), 'SIGTERM').status, 2);
});

test('ids are unique, and a typo in an id is an error', () => {
  const ids = CATALOGUE.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.throws(() => catalogueById('nope'), /no catalogue entry "nope"/);
});

test('a tool run by node is the tool: npm by its cli script, pid1 init by its entry points (static and live agree)', async () => {
  const { identify } = await import('../src/model/programs.js');
  const { chainFromArgv, predictStop } = await import('../src/model/launch.js');
  await (await import('../src/model/shell.js')).loadShellParser();
  assert.equal(identify(['node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'start']).name, 'npm');
  const viaMain = identify(['/usr/bin/node', '/opt/pid1/dist/src/cli/main.js', 'init', '--grace', '5s', '--', 'svc']);
  assert.equal(viaMain.name, 'pid1 init');
  // `next` indexes the argv as given: the service is `svc`
  assert.equal(viaMain.next, 6);
  const viaBundle = identify(['node', '/opt/pid1/pid1-init.cjs', '--', 'svc']);
  assert.deepEqual([viaBundle.name, viaBundle.next], ['pid1 init', 3]);
  assert.equal(identify(['node', 'server.js']).name, 'node');
  // pid1 init in front of `dash -c "exec svc"` forwards to the group: the service stops gracefully on its own handler
  const chain = chainFromArgv(['node', '/opt/pid1/dist/src/cli/main.js', 'init', '--', 'dash', '-c', 'exec nginx -g "daemon off;"'], { sh: 'dash', signal: 'SIGQUIT' });
  assert.deepEqual(
    chain.processes.map((p) => p.name),
    ['pid1 init', 'nginx'],
  );
  assert.equal(predictStop(chain, 'SIGQUIT').outcome, 'graceful');
});
