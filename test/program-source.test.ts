/**
 * The source analyzers, table-driven per language: each case is a small build context (files by
 * path), the entry file, and the verdict, deciding line and signals expected.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { analyzeProgramSource, sourceLanguageOf, type ProgramSourceVerdict } from '../src/sources/program-source.js';

interface Case {
  name: string;
  /** The build context; the entry is the first file unless `entry` says otherwise. */
  files: Record<string, string>;
  entry?: string;
  signal?: string;
  goMod?: { module: string; dir: string };
  verdict: ProgramSourceVerdict['verdict'];
  line?: number;
  /** The file of the deciding line, when it is not the entry. */
  file?: string;
  signals?: string[];
  via?: string;
  reason?: RegExp;
  /** no-handler: whether the runtime's default ends it with nothing to shut down. */
  nothingToDrain?: boolean;
}

async function check(c: Case): Promise<void> {
  const entry = c.entry ?? (Object.keys(c.files)[0] as string);
  const text = c.files[entry] as string;
  const r = await analyzeProgramSource(text, {
    path: entry,
    ...(c.signal ? { signal: c.signal } : {}),
    ...(c.goMod ? { goMod: c.goMod } : {}),
    readFile: (p) => c.files[p],
    listDir: (d) => {
      const names = Object.keys(c.files)
        .filter((f) => path.posix.dirname(f) === d)
        .map((f) => path.posix.basename(f));
      return names.length ? names : undefined;
    },
  });
  const got = `${r.verdict}: ${r.reason} [${r.evidence ? `${r.evidence.file ?? ''}:${r.evidence.line}` : '-'}]`;
  assert.equal(r.verdict, c.verdict, got);
  if (c.line !== undefined) assert.equal(r.evidence?.line, c.line, got);
  if (c.file !== undefined) assert.equal(r.evidence?.file, c.file, got);
  if (c.signals) assert.deepEqual([...r.signals].sort(), [...c.signals].sort(), got);
  if (c.via) assert.equal(r.via, c.via, got);
  if (c.reason) assert.match(r.reason, c.reason, got);
  if (c.nothingToDrain !== undefined) assert.equal(r.nothingToDrain ?? false, c.nothingToDrain, got);
}

const PY: Case[] = [
  {
    name: 'a module that only defines (imports, a docstring, an instance, decorated views) finishes at once',
    files: { 'app.py': '"""App."""\nfrom flask import Flask\n\napp = Flask(__name__)\nCOUNT = 0\n\n@app.route("/")\ndef hello():\n    return "hi"\n\nclass Config:\n    DEBUG = False\n' },
    verdict: 'finishes',
    reason: /app\.py only defines .*exits at once/,
  },
  { name: 'a call statement at the top level runs something', files: { 'app.py': 'from flask import Flask\napp = Flask(__name__)\nprint("starting")\n' }, verdict: 'no-handler' },
  { name: 'an assignment that calls a function may run anything', files: { 'app.py': 'import time\nresult = time.sleep(3600)\n' }, verdict: 'no-handler' },
  { name: 'a __main__ block runs', files: { 'app.py': 'import time\n\ndef main():\n    time.sleep(3600)\n\nif __name__ == "__main__":\n    main()\n' }, verdict: 'no-handler' },
  // marcel-dempers' python/introduction: prints a table, or rewrites a JSON file, and returns
  {
    name: 'a script of its own code and quiet standard modules that runs and returns finishes',
    files: {
      'app.py':
        'import os.path\nimport json\nfrom model import Customer\n\ndef load():\n    if os.path.isfile("c.json"):\n        with open("c.json") as f:\n            return json.loads(f.read())\n    return {}\n\nfor k, v in load().items():\n    print(Customer(k, v).name())\n',
      'model.py': 'class Customer:\n    def __init__(self, k, v):\n        self.k, self.v = k, v\n    def name(self):\n        return f"{self.k} {self.v}"\n',
    },
    verdict: 'finishes',
    reason: /runs and returns .*python exits at once/,
  },
  { name: 'a while loop keeps a quiet script running', files: { 'app.py': 'import json\nn = 0\nwhile n >= 0:\n    n += 1\n' }, verdict: 'no-handler' },
  { name: 'input() waits for its reader', files: { 'app.py': 'name = input("name? ")\nprint(name)\n' }, verdict: 'no-handler' },
  { name: 'os.system runs a child and waits for it', files: { 'app.py': 'import os\nos.system("sleep 3600")\n' }, verdict: 'no-handler' },
  // Mailu's core/rspamd/start.py: set-up, then `os.execv("/usr/bin/rspamd", ...)`; python-clis-ns.test.ts runs it as PID 1
  {
    name: 'os.execv replaces the script with the program it names: that program takes the signal, not Python',
    files: { 'start.py': 'import os\nimport time\nprint("configuring")\nos.execv("/usr/bin/rspamd", ["rspamd", "-f"])\n' },
    verdict: 'unknown',
    line: 4,
    reason: /os\.execv: replaces the Python process/,
  },
  { name: 'os.execvp too', files: { 'start.py': 'from os import execvp\nexecvp("nginx", ["nginx", "-g", "daemon off;"])\n' }, verdict: 'unknown', reason: /os\.execvp/ },
  // GKE's anthropic-agent-sandbox worker: waits in a loop for a dispatch, and only then execs the worker
  {
    name: 'os.execvpe after a loop that waits for work: CPython is PID 1 while it waits',
    files: {
      'entrypoint.py':
        'import os\nfrom http.server import HTTPServer\n\ndef main():\n    httpd = HTTPServer(("0.0.0.0", 8080), None)\n    httpd.dispatch = None\n    while httpd.dispatch is None:\n        httpd.handle_request()\n    os.execvpe("ant", ["ant"], {})\n\nif __name__ == "__main__":\n    main()\n',
    },
    verdict: 'no-handler',
  },
  // Mailu's core/rspamd/start.py: waits for the admin service (`while True: sleep(1); if ok: break`), then execs rspamd
  {
    name: "os.execv after a loop that waits for a sibling and breaks out: start-up, the program exec'd after it runs",
    files: {
      'start.py':
        'import os\nimport time\nimport requests\n\nwhile True:\n    time.sleep(1)\n    try:\n        if requests.get("http://admin:8080/health", timeout=2).ok:\n            break\n    except:\n        pass\n\nos.execv("/usr/bin/rspamd", ["rspamd", "-f"])\n',
    },
    verdict: 'unknown',
    reason: /os\.execv: replaces the Python process/,
  },
  { name: 'a module that may block (time) keeps the script from being one that returns', files: { 'app.py': 'import time\nprint(time.time())\n' }, verdict: 'no-handler' },
  { name: 'an import pid1 cannot read keeps the script from being one that returns', files: { 'app.py': 'import worker\nprint("x")\n' }, verdict: 'no-handler' },
  { name: 'a local import may run a server when imported', files: { 'app.py': 'import server\n', 'server.py': 'import time\nwhile True:\n    time.sleep(1)\n' }, verdict: 'no-handler' },
  {
    name: 'signal.signal(signal.SIGTERM, h)',
    files: { 'app.py': 'import signal, sys\n\ndef stop(n, f):\n    sys.exit(0)\n\nsignal.signal(signal.SIGTERM, stop)\nwhile True:\n    pass\n' },
    verdict: 'handles',
    line: 6,
    signals: ['SIGTERM'],
  },
  { name: 'from signal import SIGTERM, signal', files: { 'app.py': 'from signal import SIGTERM, signal\nsignal(SIGTERM, lambda *a: None)\n' }, verdict: 'handles', line: 2 },
  { name: 'import signal as s', files: { 'app.py': 'import signal as s\ns.signal(s.SIGTERM, print)\n' }, verdict: 'handles', line: 2 },
  { name: 'from signal import * ', files: { 'app.py': 'from signal import *\nsignal(SIGTERM, print)\n' }, verdict: 'handles', line: 2 },
  {
    name: 'signal.Signals.SIGTERM and a number',
    files: { 'app.py': 'import signal\nsignal.signal(signal.Signals.SIGTERM, print)\nsignal.signal(2, print)\n' },
    verdict: 'handles',
    line: 2,
    signals: ['SIGTERM', 'SIGINT'],
  },
  {
    name: 'a handler for SIGINT only',
    files: { 'app.py': 'import signal, time\nsignal.signal(signal.SIGINT, lambda *a: exit(0))\nwhile True:\n    time.sleep(1)\n' },
    verdict: 'no-handler',
    line: 2,
    signals: ['SIGINT'],
    reason: /only SIGINT/,
  },
  {
    name: 'the SIGINT-only program stopped with SIGINT',
    signal: 'SIGINT',
    files: { 'app.py': 'import signal, time\nsignal.signal(signal.SIGINT, lambda *a: exit(0))\n' },
    verdict: 'handles',
    line: 2,
  },
  {
    name: 'inside if __name__ == "__main__" (the entry runs it)',
    files: { 'app.py': 'import signal\n\nif __name__ == "__main__":\n    signal.signal(signal.SIGTERM, print)\n' },
    verdict: 'handles',
    line: 4,
  },
  {
    name: 'a commented-out call',
    files: { 'app.py': 'import signal, time\n# signal.signal(signal.SIGTERM, handler)\nwhile True:\n    time.sleep(1)\n' },
    verdict: 'no-handler',
    reason: /nothing in app.py installs a SIGTERM handler/,
  },
  {
    name: 'a string containing the call',
    files: { 'app.py': 'import time\nDOC = "call signal.signal(signal.SIGTERM, h) to stop"\nprint(\'signal.signal(signal.SIGTERM, h)\')\n' },
    verdict: 'no-handler',
  },
  {
    name: 'a loop over the signals',
    files: { 'app.py': 'import signal\nfor sig in (signal.SIGINT, signal.SIGTERM):\n    signal.signal(sig, print)\n' },
    verdict: 'handles',
    line: 3,
    signals: ['SIGINT', 'SIGTERM'],
  },
  { name: 'a module-level tuple of signals', files: { 'app.py': 'import signal\nSTOP = [signal.SIGTERM]\nfor s in STOP:\n    signal.signal(s, print)\n' }, verdict: 'handles', line: 4 },
  {
    name: 'loop.add_signal_handler',
    files: {
      'app.py':
        'import asyncio, signal\n\nasync def main():\n    loop = asyncio.get_running_loop()\n    stop = asyncio.Event()\n    loop.add_signal_handler(signal.SIGTERM, stop.set)\n    await stop.wait()\n\nasyncio.run(main())\n',
    },
    verdict: 'handles',
    line: 6,
  },
  {
    name: 'asyncio.run alone handles SIGINT only',
    files: { 'app.py': 'import asyncio\n\nasync def main():\n    await asyncio.sleep(3600)\n\nasyncio.run(main())\n' },
    verdict: 'no-handler',
    line: 6,
    signals: ['SIGINT'],
  },
  {
    name: 'signal.sigwait takes it without a handler',
    files: { 'app.py': 'import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})\nsignal.sigwait({signal.SIGTERM})\n' },
    verdict: 'handles',
    line: 3,
  },
  { name: 'set to SIG_IGN', files: { 'app.py': 'import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n' }, verdict: 'no-handler', line: 2, reason: /ignored/ },
  { name: 'set back to SIG_DFL', files: { 'app.py': 'import signal\nsignal.signal(signal.SIGTERM, signal.SIG_DFL)\n' }, verdict: 'no-handler' },
  {
    name: 'inside a function nothing calls',
    files: { 'app.py': 'import signal\n\ndef setup():\n    signal.signal(signal.SIGTERM, print)\n' },
    verdict: 'unknown',
    line: 4,
    reason: /setup\(\), which nothing/,
  },
  {
    name: 'inside a function called under the main guard',
    files: { 'app.py': 'import signal\n\ndef setup():\n    signal.signal(signal.SIGTERM, print)\n\nif __name__ == "__main__":\n    setup()\n' },
    verdict: 'handles',
    line: 4,
  },
  { name: 'a signal chosen at run time', files: { 'app.py': 'import signal, os\nsignal.signal(getattr(signal, os.environ["SIG"]), print)\n' }, verdict: 'unknown', line: 2, reason: /run time/ },
  {
    name: 'uvicorn.run installs one',
    files: { 'main.py': 'import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n\nif __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0")\n' },
    verdict: 'handles',
    line: 6,
    via: 'uvicorn',
  },
  { name: 'aiohttp web.run_app installs one', files: { 'main.py': 'from aiohttp import web\napp = web.Application()\nweb.run_app(app)\n' }, verdict: 'handles', line: 3 },
  {
    name: 'aiohttp web.run_app(handle_signals=False)',
    files: { 'main.py': 'from aiohttp import web\napp = web.Application()\nweb.run_app(app, handle_signals=False)\n' },
    verdict: 'no-handler',
    line: 3,
  },
  {
    name: 'Flask app.run() installs none',
    files: { 'app.py': 'from flask import Flask\napp = Flask(__name__)\n\nif __name__ == "__main__":\n    app.run(host="0.0.0.0")\n' },
    verdict: 'no-handler',
    line: 5,
    via: 'flask-dev-server',
  },
  {
    name: 'Flask app.run(debug=True) runs the reloader',
    files: { 'app.py': 'from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n' },
    verdict: 'handles',
    line: 3,
    via: 'flask-dev-server-reloader',
    reason: /SIGKILLed/,
  },
  {
    name: 'Flask app.run(debug=<env>) depends on run time',
    files: { 'app.py': 'import os\nfrom flask import Flask\napp = Flask(__name__)\napp.run(debug=os.environ.get("DEBUG") == "1")\n' },
    verdict: 'unknown',
    line: 4,
  },
  {
    name: 'a plain http.server script',
    files: { 'server.py': 'from http.server import HTTPServer, BaseHTTPRequestHandler\nHTTPServer(("", 8000), BaseHTTPRequestHandler).serve_forever()\n' },
    verdict: 'no-handler',
    line: 2,
    reason: /serve_forever/,
  },
  { name: 'a while True worker loop', files: { 'worker.py': 'import time, json\nwhile True:\n    time.sleep(5)\n' }, verdict: 'no-handler' },
  {
    name: 'a third-party import pid1 has not verified is presumed to leave the signal alone',
    files: { 'worker.py': 'import acme_queue\nconn = acme_queue.BlockingConnection()\nconn.channel().start_consuming()\n' },
    verdict: 'no-handler',
    reason: /its other imports \(acme_queue\) are libraries not known to take signals/,
  },
  {
    name: 'a server or framework that may take signals keeps the verdict open (signal-owners.ts)',
    files: { 'worker.py': 'import time\nimport kopf\nimport acme_queue\ntime.sleep(1e9)\n' },
    verdict: 'unknown',
    line: 2,
    reason: /kopf \(libraries that may take signals\)/,
  },
  {
    name: 'a library whose name says it handles shutdowns keeps the verdict open',
    files: { 'app.py': 'import acme_graceful\nacme_graceful.serve()\n' },
    verdict: 'unknown',
    reason: /acme_graceful/,
  },
  {
    name: 'a module of its own that is not in the build context keeps the verdict open',
    files: { 'pkg/main.py': 'from . import handlers\nhandlers.run()\n' },
    verdict: 'unknown',
    reason: /modules of its own that pid1 could not read/,
  },
  {
    name: 'an absolute import of its own package is found in a directory above the entry (a package root)',
    files: { 'srv/app/main.py': 'from app.db import connect\nconnect()\n', 'srv/app/db.py': 'import signal\ndef connect():\n    pass\nsignal.signal(signal.SIGTERM, print)\n' },
    verdict: 'handles',
    file: 'srv/app/db.py',
    line: 4,
  },
  {
    name: 'an import of a module beside it that installs the handler',
    files: { 'main.py': 'from app import app\nimport time\ntime.sleep(1e9)\n', 'app.py': 'import signal\napp = object()\nsignal.signal(signal.SIGTERM, print)\n' },
    verdict: 'handles',
    file: 'app.py',
    line: 3,
  },
  {
    name: "the imported module's main guard does not run",
    files: { 'main.py': 'import app\napp.serve()\n', 'app.py': 'import signal\n\ndef serve():\n    pass\n\nif __name__ == "__main__":\n    signal.signal(signal.SIGTERM, print)\n' },
    verdict: 'no-handler',
  },
  {
    name: 'a relative import in a package',
    files: { 'pkg/__main__.py': 'from .server import run\nrun()\n', 'pkg/server.py': 'import signal\n\ndef run():\n    signal.signal(signal.SIGTERM, print)\n\nrun()\n' },
    verdict: 'handles',
    file: 'pkg/server.py',
    line: 4,
  },
  {
    name: 'local imports are followed past the first level',
    files: { 'main.py': 'import app\n', 'app.py': 'import helpers\n', 'helpers.py': 'import signal\nsignal.signal(signal.SIGTERM, print)\n' },
    verdict: 'handles',
    file: 'helpers.py',
    line: 2,
  },
  {
    name: 'a second-level import of a module already read (generated gRPC stubs: demo_pb2_grpc imports demo_pb2)',
    files: {
      'server.py': 'import time\nimport demo_pb2\nimport demo_pb2_grpc\nwhile True:\n    time.sleep(5)\n',
      'demo_pb2.py': 'from google.protobuf import descriptor as _descriptor\n',
      'demo_pb2_grpc.py': 'import grpc\nimport demo_pb2 as demo__pb2\n',
    },
    verdict: 'no-handler',
  },
  {
    name: 'a second-level import is read too',
    files: {
      'server.py': 'import time\nimport demo_pb2_grpc\ntime.sleep(1e9)\n',
      'demo_pb2_grpc.py': 'import grpc\nimport demo_pb2 as demo__pb2\n',
      'demo_pb2.py': 'import signal\nsignal.signal(signal.SIGTERM, print)\n',
    },
    verdict: 'handles',
    file: 'demo_pb2.py',
    line: 2,
  },
  { name: 'a syntax error elsewhere in the file', files: { 'app.py': 'import signal\nsignal.signal(signal.SIGTERM, print)\ndef broken(:\n    pass\n' }, verdict: 'handles', line: 2 },
];

const JS: Case[] = [
  // node exits once its event loop is empty (node(1)): a program that prints and returns finishes at once
  { name: 'a node script that prints and returns finishes', files: { 'index.js': "const time = Number(process.argv[2]) || 10\nconsole.log('Time:', time)\n" }, verdict: 'finishes' },
  {
    name: 'a node timer loop that serves nothing: no handler, nothing to drain',
    files: { 'index.js': 'const tick = () => {\n  console.log(Math.random())\n  setTimeout(tick, 5000)\n}\ntick()\n' },
    verdict: 'no-handler',
    nothingToDrain: true,
  },
  {
    name: 'a node server (listen) has something in flight',
    files: { 'index.js': "const http = require('http')\nhttp.createServer((q, r) => r.end('ok')).listen(8080)\n" },
    verdict: 'no-handler',
    nothingToDrain: false,
  },
  {
    name: 'a node loop that writes files has something in flight',
    files: { 'index.js': "const fs = require('fs')\nsetInterval(() => fs.writeFileSync('/tmp/x', 'y'), 1000)\n" },
    verdict: 'no-handler',
    nothingToDrain: false,
  },
  {
    name: 'process.on("SIGTERM")',
    files: { 'server.js': 'const http = require("http");\nconst s = http.createServer().listen(3000);\nprocess.on("SIGTERM", () => s.close());\n' },
    verdict: 'handles',
    line: 3,
  },
  { name: 'process.once', files: { 'server.js': "process.once('SIGTERM', () => process.exit(0));\n" }, verdict: 'handles', line: 1 },
  {
    name: 'process.addListener for SIGINT only',
    files: { 'server.js': 'process.addListener(`SIGINT`, () => process.exit(0));\nsetInterval(() => {}, 1000);\n' },
    verdict: 'no-handler',
    line: 1,
    signals: ['SIGINT'],
  },
  { name: 'process.on("exit") is not a signal', files: { 'server.js': "process.on('exit', () => console.log('bye'));\nsetInterval(() => {}, 1000);\n" }, verdict: 'no-handler', signals: [] },
  { name: 'a commented-out listener', files: { 'server.js': "// process.on('SIGTERM', stop)\n/* process.on('SIGTERM', stop) */\nsetInterval(() => {}, 1000);\n" }, verdict: 'no-handler' },
  { name: 'a string containing the call', files: { 'server.js': 'const help = "process.on(\'SIGTERM\', stop)";\nconsole.log(help);\n' }, verdict: 'no-handler' },
  {
    name: 'forEach over an array of signals',
    files: { 'server.js': "['SIGINT', 'SIGTERM'].forEach((sig) => process.on(sig, () => process.exit(0)));\n" },
    verdict: 'handles',
    line: 1,
    signals: ['SIGINT', 'SIGTERM'],
  },
  {
    // dockersamples/labspace-infra's interface (adapted from node-graceful-shutdown): EventEmitter calls return the emitter
    name: 'a chained listener: process.removeAllListeners(s).addListener(s, f), over an array of signals',
    files: {
      'server.js':
        "const handledEvents = ['SIGINT', 'SIGTERM', 'SIGQUIT'];\nhandledEvents.forEach((event) =>\n  process.removeAllListeners(event).addListener(event, () => process.exit(0)),\n);\nsetInterval(() => {}, 1000);\n",
    },
    verdict: 'handles',
    line: 3,
    signals: ['SIGINT', 'SIGTERM', 'SIGQUIT'],
  },
  {
    name: 'a chain that is not on process',
    files: { 'server.js': "const e = new (require('events'))();\ne.removeAllListeners('SIGTERM').on('SIGTERM', () => {});\nsetInterval(() => {}, 1000);\n" },
    verdict: 'no-handler',
  },
  { name: 'for...of over an array of signals', files: { 'server.js': "for (const sig of ['SIGTERM']) {\n  process.on(sig, stop);\n}\nfunction stop() {}\n" }, verdict: 'handles', line: 2 },
  { name: 'a constant', files: { 'server.js': "const STOP = 'SIGTERM';\nprocess.on(STOP, () => {});\n" }, verdict: 'handles', line: 2 },
  { name: 'import process from "node:process"', files: { 'server.mjs': "import proc from 'node:process';\nproc.on('SIGTERM', () => proc.exit(0));\n" }, verdict: 'handles', line: 2 },
  { name: 'require("process") under another name', files: { 'server.js': "const p = require('process');\np.on('SIGTERM', () => p.exit(0));\n" }, verdict: 'handles', line: 2 },
  { name: 'express without a listener', files: { 'server.js': "const express = require('express');\nconst app = express();\napp.listen(3000);\n" }, verdict: 'no-handler', reason: /Node re-raises/ },
  {
    name: 'a package pid1 has not verified is presumed to leave the signal alone',
    files: { 'server.js': "const hapi = require('@acme/hapi-fork');\nhapi.server({ port: 3000 }).start();\n" },
    verdict: 'no-handler',
    reason: /@acme\/hapi-fork\) are libraries not known to take signals/,
  },
  {
    name: 'a framework that may take signals keeps the verdict open',
    files: { 'server.js': "const { createServer } = require('@loopback/rest');\ncreateServer().start();\n" },
    verdict: 'unknown',
    reason: /@loopback\/rest/,
  },
  {
    name: 'a listener in a required module',
    files: { 'index.js': "require('./lib/shutdown');\nrequire('http').createServer().listen(3000);\n", 'lib/shutdown.js': "process.on('SIGTERM', () => process.exit(0));\n" },
    verdict: 'handles',
    file: 'lib/shutdown.js',
    line: 1,
  },
  { name: 'a relative import not in the build context', files: { 'index.js': "import { start } from './dist/app.js';\nstart();\n" }, verdict: 'unknown', reason: /\.\/dist\/app\.js/ },
  {
    name: '@godaddy/terminus createTerminus',
    files: { 'server.js': "const { createTerminus } = require('@godaddy/terminus');\nconst http = require('http');\ncreateTerminus(http.createServer(), { onSignal });\n" },
    verdict: 'handles',
    line: 3,
  },
  {
    name: 'NestJS enableShutdownHooks',
    files: {
      'main.ts':
        "import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.enableShutdownHooks();\n  await app.listen(3000);\n}\nbootstrap();\n",
    },
    verdict: 'handles',
    line: 4,
  },
  { name: 'a function nothing calls', files: { 'server.js': "function onStop() {\n  process.on('SIGTERM', () => process.exit(0));\n}\n" }, verdict: 'unknown', line: 2 },
  { name: 'a function that is called', files: { 'server.js': "function onStop() {\n  process.on('SIGTERM', () => process.exit(0));\n}\nonStop();\n" }, verdict: 'handles', line: 2 },
  {
    name: 'TypeScript type annotations',
    files: { 'main.ts': "import http from 'node:http';\nconst server: http.Server = http.createServer();\nprocess.on('SIGTERM', (sig: NodeJS.Signals): void => {\n  server.close();\n});\n" },
    verdict: 'handles',
    line: 3,
  },
  { name: 'an event name chosen at run time', files: { 'server.js': 'process.on(process.env.STOP_SIGNAL, () => process.exit(0));\n' }, verdict: 'unknown', line: 1 },
];

const GO_HEAD = 'package main\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\n';
const GO: Case[] = [
  {
    name: 'signal.Notify(c, syscall.SIGTERM)',
    files: { 'main.go': `${GO_HEAD}func main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGTERM)\n\t<-c\n}\n` },
    verdict: 'handles',
    line: 11,
  },
  {
    name: 'os.Interrupt only',
    files: { 'main.go': `${GO_HEAD}func main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, os.Interrupt)\n\t<-c\n\t_ = syscall.Getpid\n}\n` },
    verdict: 'no-handler',
    line: 11,
    signals: ['SIGINT'],
    reason: /exits at once with status 2/,
  },
  {
    name: 'signal.NotifyContext',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"context"\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)\n\tdefer stop()\n\t<-ctx.Done()\n}\n',
    },
    verdict: 'handles',
    line: 11,
    signals: ['SIGINT', 'SIGTERM'],
  },
  {
    name: 'os/signal under another name',
    files: { 'main.go': 'package main\n\nimport (\n\t"os"\n\tsig "os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsig.Notify(c, syscall.SIGTERM)\n}\n' },
    verdict: 'handles',
    line: 11,
  },
  {
    name: 'Notify with no signals takes them all',
    files: { 'main.go': `${GO_HEAD}func main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c)\n\t_ = syscall.SIGTERM\n}\n` },
    verdict: 'handles',
    line: 11,
    signals: ['*'],
  },
  {
    name: 'a []os.Signal variable',
    files: { 'main.go': `${GO_HEAD}func main() {\n\tsigs := []os.Signal{syscall.SIGINT, syscall.SIGTERM}\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, sigs...)\n}\n` },
    verdict: 'handles',
    line: 12,
  },
  { name: 'net/http without Notify', files: { 'main.go': 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":8080", nil)\n}\n' }, verdict: 'no-handler', line: 6, via: 'go' },
  { name: 'a commented-out Notify', files: { 'main.go': `${GO_HEAD}func main() {\n\t// signal.Notify(c, syscall.SIGTERM)\n\t_ = os.Args\n\t_ = syscall.SIGTERM\n}\n` }, verdict: 'no-handler' },
  { name: 'signal.Ignore', files: { 'main.go': `${GO_HEAD}func main() {\n\tsignal.Ignore(syscall.SIGTERM)\n\t_ = os.Args\n}\n` }, verdict: 'no-handler', line: 10, reason: /ignored/ },
  {
    name: 'a module pid1 has not verified is presumed to leave the signal alone; a server is cut',
    files: { 'main.go': 'package main\n\nimport "github.com/acme/server"\n\nfunc main() {\n\tserver.Run()\n}\n' },
    verdict: 'no-handler',
    nothingToDrain: false,
    reason: /github.com\/acme\/server\) are libraries not known to take signals; without signal.Notify the Go runtime exits at once/,
  },
  {
    name: 'a framework that may take signals keeps the verdict open',
    files: { 'main.go': 'package main\n\nimport "github.com/go-kratos/kratos/v2"\n\nfunc main() {\n\tkratos.New().Run()\n}\n' },
    verdict: 'unknown',
    reason: /kratos/,
  },
  // weaveworks/common's server.New installs signals.NewHandler, whose Loop stops the server on SIGINT or SIGTERM (grafana/tns)
  {
    name: 'a weaveworks/common server keeps the verdict open',
    files: { 'main.go': 'package main\n\nimport "github.com/weaveworks/common/server"\n\nfunc main() {\n\ts, _ := server.New(server.Config{})\n\tdefer s.Shutdown()\n\ts.Run()\n}\n' },
    verdict: 'unknown',
    reason: /weaveworks/,
  },
  {
    name: 'a Go one-shot that serves nothing loses nothing when the runtime exits at once',
    files: { 'main.go': 'package main\n\nimport (\n\t"fmt"\n\t"github.com/acme/metrics"\n)\n\nfunc main() {\n\tfmt.Println(metrics.Send("x", 1))\n}\n' },
    verdict: 'no-handler',
    nothingToDrain: true,
    reason: /nothing in the program listens or serves/,
  },
  // skaffold's lifecycle-hooks example: a loop that prints a file and reloads it on SIGHUP; SIGTERM's default ends it
  {
    name: 'a Go loop that handles SIGHUP only (a reload) and serves nothing: nothing to drain when SIGTERM ends it',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n\t"os/signal"\n\t"syscall"\n\t"time"\n)\n\nfunc main() {\n\tsigs := make(chan os.Signal, 1)\n\tsignal.Notify(sigs, syscall.SIGHUP)\n\tgo func() {\n\t\tfor range sigs {\n\t\t\tfmt.Println("reload")\n\t\t}\n\t}()\n\tfor {\n\t\tfmt.Println("hello")\n\t\ttime.Sleep(time.Second)\n\t}\n}\n',
    },
    verdict: 'no-handler',
    nothingToDrain: true,
  },
  {
    name: 'the same loop handling SIGINT with a shutdown step of its own (flush, then exit): a shutdown SIGTERM skips',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n\t"os/signal"\n\t"syscall"\n\t"time"\n)\n\nfunc main() {\n\tsigs := make(chan os.Signal, 1)\n\tsignal.Notify(sigs, syscall.SIGINT)\n\tgo func() {\n\t\t<-sigs\n\t\tflush()\n\t\tos.Exit(0)\n\t}()\n\tfor {\n\t\tfmt.Println("hello")\n\t\ttime.Sleep(time.Second)\n\t}\n}\n\nfunc flush() {}\n',
    },
    verdict: 'no-handler',
    nothingToDrain: false,
  },
  // napnap75's bots (fresh49): the os.Interrupt handler prints and exits, which is what SIGTERM's default action does anyway
  {
    name: 'the same loop handling SIGINT by printing and exiting: the default action written out, nothing to drain',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n\t"os/signal"\n\t"syscall"\n\t"time"\n)\n\nfunc main() {\n\tsigs := make(chan os.Signal, 1)\n\tsignal.Notify(sigs, syscall.SIGINT)\n\tgo func() {\n\t\t<-sigs\n\t\tfmt.Println("bye")\n\t\tos.Exit(0)\n\t}()\n\tfor {\n\t\tfmt.Println("hello")\n\t\ttime.Sleep(time.Second)\n\t}\n}\n',
    },
    verdict: 'no-handler',
    nothingToDrain: true,
  },
  {
    name: 'an exit-only os.Interrupt case of a select loop (a Docker-events relay): nothing to drain',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n\t"os/signal"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, os.Interrupt)\n\tmsgs := make(chan string)\n\tfor {\n\t\tselect {\n\t\tcase sig := <-c:\n\t\t\tfmt.Printf("Got %s signal. Aborting...\\n", sig)\n\t\t\tos.Exit(1)\n\t\tcase m := <-msgs:\n\t\t\tfmt.Println(m)\n\t\t}\n\t}\n}\n',
    },
    verdict: 'no-handler',
    nothingToDrain: true,
  },
  {
    name: 'an exit-only handler in a server: requests in flight are cut all the same',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"net/http"\n\t"os"\n\t"os/signal"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, os.Interrupt)\n\tgo func() {\n\t\t<-c\n\t\tos.Exit(1)\n\t}()\n\thttp.ListenAndServe(":8080", nil)\n}\n',
    },
    verdict: 'no-handler',
    nothingToDrain: false,
  },
  {
    name: "a Go one-shot whose module's packages define an HTTP middleware and defer a metric: neither serves (jaeger es-rollover)",
    goMod: { module: 'example.com/app', dir: '.' },
    files: {
      'main.go': 'package main\n\nimport "example.com/app/internal/es"\n\nfunc main() {\n\tes.DeleteIndices()\n}\n',
      'internal/es/client.go':
        'package es\n\nimport (\n\t"net/http"\n\t"time"\n)\n\ntype auth struct{ next http.Handler }\n\nfunc (a *auth) ServeHTTP(w http.ResponseWriter, r *http.Request) {\n\ta.next.ServeHTTP(w, r)\n}\n\nfunc DeleteIndices() {\n\tstart := time.Now()\n\tdefer func() {\n\t\trecordLatency(time.Since(start))\n\t}()\n\thttp.Get("http://es:9200/_cat/indices")\n}\n\nfunc recordLatency(time.Duration) {}\n',
    },
    verdict: 'no-handler',
    nothingToDrain: true,
  },
  {
    name: 'a server type of the module defined, not run: a Serve method declared is no listener',
    goMod: { module: 'example.com/app', dir: '.' },
    files: {
      'main.go': 'package main\n\nimport "example.com/app/srv"\n\nfunc main() {\n\tsrv.Ping()\n}\n',
      'srv/srv.go': 'package srv\n\ntype Server struct{}\n\nfunc (s *Server) Serve(addr string) error { return nil }\n\nfunc Ping() {}\n',
    },
    verdict: 'no-handler',
    nothingToDrain: true,
  },
  {
    name: 'a deferred shutdown step in the main package is skipped by the runtime exit',
    files: { 'main.go': 'package main\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc main() {\n\tdefer fmt.Println("flushed")\n\ttime.Sleep(time.Hour)\n}\n' },
    verdict: 'no-handler',
    nothingToDrain: false,
  },
  {
    name: 'a server run by a package of the module (srv.Serve called) still serves',
    goMod: { module: 'example.com/app', dir: '.' },
    files: {
      'main.go': 'package main\n\nimport "example.com/app/srv"\n\nfunc main() {\n\tsrv.Run()\n}\n',
      'srv/srv.go': 'package srv\n\nimport (\n\t"net"\n\t"net/http"\n)\n\nfunc Run() {\n\tl, _ := net.Listen("tcp", ":8080")\n\thttp.Serve(l, nil)\n}\n',
    },
    verdict: 'no-handler',
    nothingToDrain: false,
  },
  {
    name: 'a Go program that runs a child process has it cut when the runtime exits',
    files: { 'main.go': 'package main\n\nimport "os/exec"\n\nfunc main() {\n\t_ = exec.Command("/llama-server").Run()\n}\n' },
    verdict: 'no-handler',
    nothingToDrain: false,
    reason: /Go runtime exits at once with status 2/,
  },
  {
    name: "a Go server started by a framework's Run(addr)",
    files: { 'main.go': 'package main\n\nimport "github.com/gin-gonic/gin"\n\nfunc main() {\n\tr := gin.Default()\n\tr.Run(":8080")\n}\n' },
    verdict: 'no-handler',
    nothingToDrain: false,
    reason: /Go runtime exits at once with status 2/,
  },
  {
    name: 'Notify in another file of the main package',
    files: {
      'cmd/main.go': 'package main\n\nfunc main() {\n\tsetupSignals()\n\tselect {}\n}\n',
      'cmd/signals.go': `${GO_HEAD}func setupSignals() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGTERM)\n\tgo func() { <-c; os.Exit(0) }()\n}\n`,
    },
    verdict: 'handles',
    file: 'cmd/signals.go',
    line: 11,
  },
  {
    name: 'a package of the module, one level',
    goMod: { module: 'example.com/app', dir: '.' },
    files: {
      'main.go': 'package main\n\nimport "example.com/app/internal/shutdown"\n\nfunc main() {\n\tshutdown.Wait()\n}\n',
      'internal/shutdown/shutdown.go': `package shutdown\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc Wait() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGTERM)\n\t<-c\n}\n`,
    },
    verdict: 'handles',
    file: 'internal/shutdown/shutdown.go',
    line: 11,
  },
  { name: 'fx.New(...).Run()', files: { 'main.go': 'package main\n\nimport "go.uber.org/fx"\n\nfunc main() {\n\tfx.New().Run()\n}\n' }, verdict: 'handles', line: 6 },
  {
    name: 'golang.org/x/sys/unix.SIGTERM',
    files: { 'main.go': 'package main\n\nimport (\n\t"os"\n\t"os/signal"\n\n\t"golang.org/x/sys/unix"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, unix.SIGTERM)\n}\n' },
    verdict: 'handles',
    line: 12,
  },
];

for (const [lang, cases] of [
  ['Python', PY],
  ['JavaScript/TypeScript', JS],
  ['Go', GO],
] as const) {
  describe(`${lang} sources`, () => {
    for (const c of cases) test(c.name, () => check(c));
  });
}

test('languages by file name', () => {
  assert.equal(sourceLanguageOf('app/main.py'), 'python');
  assert.equal(sourceLanguageOf('server.mjs'), 'javascript');
  assert.equal(sourceLanguageOf('src/main.ts'), 'javascript');
  assert.equal(sourceLanguageOf('cmd/app/main.go'), 'go');
  assert.equal(sourceLanguageOf('run.sh'), undefined);
});

test('a file that is not Python, JavaScript or Go is refused with its name', async () => {
  await assert.rejects(analyzeProgramSource('echo hi', { path: 'run.sh' }), /run\.sh: not a Python, JavaScript or Go file/);
});
