import rule from '../../src/rules/service-no-handler.js';
import { ruleTester } from '../helpers/rule-tester.js';

const PY = (app: string): { dockerfile: string; files: Record<string, string> } => ({ dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n', files: { 'app.py': app } });

ruleTester(rule, {
  valid: [
    { name: 'a server that stops gracefully on SIGTERM', dockerfile: 'FROM python:3.12-slim\nCMD ["gunicorn", "app:app"]\n' },
    { name: 'sleep under pid1 init: the init is PID 1 and waits', dockerfile: 'FROM debian:bookworm\nCMD ["pid1", "init", "--", "sleep", "infinity"]\n' },
    { name: 'a Python handler seen in the source', ...PY('import signal, sys\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\nsignal.pause()\n') },
    // At its prompt php -a ends on SIGTERM (readline returns end of input): measured in test/catalogue-ns.test.ts.
    { name: 'the interactive php shell', dockerfile: 'FROM php:8.2-cli\nCMD ["php", "-a"]\n' },
    { name: 'uvicorn.run installs the handler', ...PY('import uvicorn\napp = object()\nuvicorn.run(app, host="0.0.0.0")\n') },
  ],
  invalid: [
    { name: 'sleep infinity', dockerfile: 'FROM debian:bookworm\nCMD ["sleep", "infinity"]\n', errors: [{ messageId: 'dropped', severity: 'error', message: /`sleep infinity` has no handler for SIGTERM: as PID 1 the kernel drops it/ }] },
    { name: 'exec tail -f /dev/null at the end of a script', script: '#!/bin/sh\necho started\nexec tail -f /dev/null\n', errors: [{ messageId: 'dropped', line: 1 }] },
    { name: 'a keep-alive compose service', compose: 'services:\n  debug:\n    image: busybox:1.36\n    command: ["tail", "-f", "/dev/null"]\n', errors: [{ messageId: 'dropped' }] },
    { name: 'a Python loop with no handler (seen in app.py)', ...PY('import time\nwhile True:\n    time.sleep(1)\n'), errors: [{ messageId: 'dropped', line: 4, message: /python app\.py` has no handler for SIGTERM \(nothing in \/app\/app\.py installs a SIGTERM handler/ }] },
    { name: 'Flask app.run(): no handler', ...PY('from flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(host="0.0.0.0")\n'), errors: [{ messageId: 'dropped', file: 'app.py' }] },
    { name: 'busybox crond in the foreground (Alpine)', dockerfile: 'FROM alpine:3.20\nCMD ["crond", "-f"]\n', errors: [{ messageId: 'dropped', message: /`crond -f` has no handler for SIGTERM/ }] },
  ],
});
