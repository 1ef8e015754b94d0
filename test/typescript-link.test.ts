/**
 * A node service written in TypeScript: the image runs the JavaScript a build wrote (`node dist/index.js`, copied from a
 * build stage), which the context does not hold; the tsconfig.json's outDir (and rootDir) map it back to the .ts file,
 * whose listeners decide. Table-driven: a Dockerfile, its context, and what the service's source turns out to be.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { makeDocument } from '../src/document/document.js';
import { DocumentStore } from '../src/document/store.js';
import { loadShellParser } from '../src/model/shell.js';
import { lintDockerfileSource } from '../src/sources/dockerfile/launch.js';
import { grammarParser } from '../src/sources/grammars.js';
import { tempRepo } from './helpers/exec.js';

/** An express server with no SIGTERM listener (types included, as tsc reads them). */
const SERVER = "import express, { type Request, type Response } from 'express';\nconst app = express();\napp.get('/', (_req: Request, res: Response) => res.send('ok'));\napp.listen(8080);\n";
const LISTENS =
  "import { createServer } from 'node:http';\nconst server = createServer((_req, res) => res.end('ok')).listen(8080);\nprocess.on('SIGTERM', () => server.close(() => process.exit(0)));\n";
/** ESM TypeScript imports name the emitted .js file. */
const MAIN_IMPORTS = "import { server } from './server.js';\nconsole.log('listening', server.address());\n";
const STARTS = "import { createServer } from 'node:http';\nexport const server = createServer((_q, r) => r.end('ok')).listen(80);\nprocess.on('SIGTERM', () => server.close());\n";
const PKG = '{ "name": "svc", "scripts": { "build": "tsc" } }\n';

interface Case {
  name: string;
  dockerfile: string;
  files: Record<string, string>;
  verdict: 'handles' | 'no-handler' | 'unknown' | undefined;
  /** The file that was read (its image path), when one was. */
  file?: string;
}

const MULTI = (out: string, run: string) =>
  `FROM node:20 AS build\nWORKDIR /app\nCOPY package.json tsconfig.json ./\nCOPY src src\nRUN ${run}\nFROM node:20-slim\nWORKDIR /app\nCOPY --from=build /app/${out} ./dist\nCMD ["node", "dist/index.js"]\n`;

const CASES: Case[] = [
  {
    name: 'multi-stage, outDir dist, rootDir src: no listener',
    dockerfile: MULTI('dist', 'npm run build'),
    files: { 'package.json': PKG, 'tsconfig.json': '{\n  // tsc reads comments\n  "compilerOptions": { "outDir": "dist", "rootDir": "src", },\n}\n', 'src/index.ts': SERVER },
    verdict: 'no-handler',
  },
  {
    name: 'multi-stage, no rootDir: the sources under src/ (the common directory of the inputs)',
    dockerfile: MULTI('dist', 'npx tsc'),
    files: { 'package.json': PKG, 'tsconfig.json': '{ "compilerOptions": { "outDir": "./dist" } }\n', 'src/index.ts': LISTENS },
    verdict: 'handles',
  },
  {
    name: 'one stage, COPY . . and yarn build; an import of ./server.js is server.ts',
    dockerfile: 'FROM node:20\nWORKDIR /usr/src/app\nCOPY . .\nRUN yarn install && yarn build\nCMD ["node", "build/main.js"]\n',
    files: { 'package.json': PKG, 'tsconfig.json': '{ "compilerOptions": { "outDir": "build", "rootDir": "src" } }\n', 'src/main.ts': MAIN_IMPORTS, 'src/server.ts': STARTS },
    verdict: 'handles',
  },
  {
    name: 'a tsconfig whose strings hold // and escaped quotes',
    dockerfile: MULTI('out', 'npm run build'),
    files: {
      'package.json': PKG,
      'tsconfig.json': '{ "$schema": "https://json.schemastore.org/tsconfig", "display": "a \\"quoted\\" \\\\", "compilerOptions": { "outDir": "out" } }\n',
      'src/index.ts': SERVER,
    },
    verdict: 'no-handler',
  },
  {
    name: 'no build step: the missing .js is not looked for in the TypeScript',
    dockerfile: 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "dist/index.js"]\n',
    files: { 'tsconfig.json': '{ "compilerOptions": { "outDir": "dist" } }\n', 'src/index.ts': SERVER },
    verdict: undefined,
  },
  {
    name: 'a tsconfig that extends another: where it writes is not known',
    dockerfile: MULTI('dist', 'npm run build'),
    files: { 'package.json': PKG, 'tsconfig.json': '{ "extends": "@tsconfig/node20/tsconfig.json" }\n', 'src/index.ts': SERVER },
    verdict: undefined,
  },
  {
    name: 'the .js outside outDir',
    dockerfile: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm run build\nCMD ["node", "server.js"]\n',
    files: { 'package.json': PKG, 'tsconfig.json': '{ "compilerOptions": { "outDir": "dist" } }\n', 'server.ts': SERVER },
    verdict: undefined,
  },
  {
    name: 'node --require ./otel.cjs server.js: the preloaded module listens',
    dockerfile: 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "--require", "./otel.cjs", "server.js"]\n',
    files: { 'server.js': "require('http').createServer((q, r) => r.end('ok')).listen(80);\n", 'otel.cjs': "process.on('SIGTERM', () => process.exit(0));\n" },
    verdict: 'handles',
  },
  {
    name: 'node -r ./env.cjs server.js: neither listens',
    dockerfile: 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "-r", "./env.cjs", "server.js"]\n',
    files: { 'server.js': "require('http').createServer((q, r) => r.end('ok')).listen(80);\n", 'env.cjs': "process.env.TZ = 'UTC';\n" },
    verdict: 'no-handler',
  },
  {
    name: 'node --import=./missing.mjs server.js: a preload pid1 cannot read',
    dockerfile: 'FROM node:20\nWORKDIR /app\nCOPY server.js .\nCMD ["node", "--import=./missing.mjs", "server.js"]\n',
    files: { 'server.js': "require('http').createServer((q, r) => r.end('ok')).listen(80);\n" },
    verdict: 'unknown',
  },
];

function run(c: Case): void {
  const dir = tempRepo('pid1-tslink-', { ...c.files, Dockerfile: c.dockerfile });
  const abs = path.join(dir, 'Dockerfile');
  const res = lintDockerfileSource(makeDocument(abs, c.dockerfile, 'dockerfile', abs), new DocumentStore(), { context: dir });
  assert.deepEqual(res.errors, []);
  const l = res.launches.find((x) => x.target);
  const service = l?.chain?.processes.at(-1);
  assert.ok(service, 'a chain');
  const got = JSON.stringify({ program: service.programs.at(-1)?.name, source: service.source, outcome: l?.prediction?.outcome });
  assert.equal(service.programs.at(-1)?.catalogue, 'node', got);
  assert.equal(service.source?.verdict, c.verdict, got);
  if (c.verdict === 'no-handler') assert.equal(l?.prediction?.certain, true, got);
}

describe('the TypeScript link', () => {
  before(async () => {
    await loadShellParser();
    await grammarParser('javascript');
  });
  for (const c of CASES) test(c.name, () => run(c));
});
