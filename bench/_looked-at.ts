/**
 * The walk both corpus peers share: one readdir per directory (skipping .git and node_modules, as pid1
 * does), visiting every regular file whose name pid1 looks at (Dockerfiles, YAML, shell scripts, entrypoints).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDockerfileName } from '../src/sources/kinds.js';

const LOOKED_AT = /\.(ya?ml|sh|bash)$|^(docker-)?entrypoint/i;

export function eachLookedAt(dir: string, visit: (file: string, name: string) => void): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git') eachLookedAt(p, visit);
    } else if (e.isFile() && (isDockerfileName(e.name) || LOOKED_AT.test(e.name))) visit(p, e.name);
  }
}
