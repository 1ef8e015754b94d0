#!/usr/bin/env node
// `npm test` runs the tests with TMPDIR set to what this prints (os.tmpdir() reads TMPDIR in every test process).
// Tests that drop to `nobody` (permission errors, unprivileged inspect and trace, postgres' initdb) keep their files in a
// temporary directory that user must reach. The FHS makes /tmp world-writable and sticky (1777); some sandboxes make it
// 0700, which only root can enter. Then this prints a 1777 directory under /var/tmp (also FHS world-writable) instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const tmp = os.tmpdir();
let dir = tmp;
if ((fs.statSync(tmp).mode & 0o001) === 0) {
  dir = path.join('/var/tmp', 'pid1-tests');
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o1777);
  process.stderr.write(`test-tmpdir: ${tmp} is not reachable by other users (mode ${(fs.statSync(tmp).mode & 0o7777).toString(8)}): the tests' temporary files go to ${dir}\n`);
}
process.stdout.write(dir);
