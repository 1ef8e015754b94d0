/**
 * Third-party libraries and what importing or using them does to the stop signal, each entry read from
 * the package's own released source (the Debian package for Python, the npm tarball and the tree
 * `npm install` brings for Node) by scripts/verify-known-libraries.mjs, which re-downloads and re-checks
 * every entry (`npm run verify-libs`). The sources are searched with pid1's own tree-sitter readers
 * (python-source.ts, javascript-source.ts) plus a wider net for the same APIs however they are spelt, and
 * native code (.so, .node) for the libc/libuv/CPython functions that install signal handlers.
 *
 * Verdicts, for the stop signals SIGTERM, SIGINT and SIGQUIT:
 * - none: no code in the package (nor in the packages it brings) installs a handler for them, whatever
 *   the program calls. `sites` lists the places that handle other signals (SIGCHLD, SIGWINCH, ...) or
 *   events that are no signal, each with why it does not take a stop signal.
 * - calls: importing installs nothing; the calls in `calls` do (qualified Python names as pid1 resolves
 *   them, e.g. `uvicorn.run`; Node export names). Every site is reached only through those calls.
 * - import: importing the module installs a handler for `signals`.
 * - unknown: the package can install one and pid1 cannot tell from the program when (the site is reached
 *   from too many places), or it could not be verified: the import stays a reason for 'unknown'.
 */

/** The signals a stop sends in practice (docker stop, kubelet, STOPSIGNAL of official images). */
export const STOP_SIGNALS: readonly string[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];

export type LibraryVerdict = 'none' | 'calls' | 'import' | 'unknown';

/** A place in the package's code that installs a signal handler (or could), as the verifier finds it. */
export interface LibrarySite {
  /** `path#scope:action:signals`, what the verifier compares (lines move between versions). */
  key: string;
  /** The line in the verified version. */
  line: number;
  /** For a site whose signals the parser cannot resolve: the signals it takes, read by hand ([] for none). */
  resolved?: string[];
  /** What reaches it and why it matters or not, read by hand. */
  why: string;
}

export interface KnownLibrary {
  verdict: LibraryVerdict;
  /** `debian:PACKAGE@VERSION`, `npm:NAME@VERSION` or `github:OWNER/NAME[:SUBDIR]@COMMIT`. */
  source: string;
  /** How many source files were read. */
  files: number;
  /** Signals a call in `calls` (or the import, for 'import') installs a handler for. */
  signals?: string[];
  /** 'calls': the calls that install one, by the name pid1 gives them. */
  calls?: string[];
  /**
   * 'calls': modules (Python dotted prefixes) whose code reaches a site by more ways than `calls` lists:
   * importing one of them, or calling into one, leaves the verdict to the program ('unknown').
   */
  unknownUnder?: string[];
  sites?: LibrarySite[];
  /** Native code importing signal functions: `path:symbol,...` (path without the CPython ABI tag). */
  native?: string[];
  /** Why, for anything but a plain 'none'. */
  note?: string;
}

const none = (source: string, files: number, extra: Partial<KnownLibrary> = {}): KnownLibrary => ({ verdict: 'none', source, files, ...extra });
const site = (key: string, line: number, why: string, resolved?: string[]): LibrarySite => ({ key, line, why, ...(resolved ? { resolved } : {}) });

/** opentelemetry-api: one distribution, whose parts are imported one by one (`from opentelemetry import trace`). */
const otelApi = (): KnownLibrary =>
  none('github:open-telemetry/opentelemetry-python:opentelemetry-api/src@0a5d76b65094a4bad414e0c0ab68981fc266f0a9', 30, {
    note: 'opentelemetry-api 1.45.0.dev; the runtime context is loaded by entry point (opentelemetry_context: contextvars_context, from this distribution, unless OTEL_PYTHON_CONTEXT names another)',
  });

/** googleapis-common-protos 1.66.0 (the last release from its own repository): generated protobuf modules under the google namespace. */
const commonProtos = (): KnownLibrary =>
  none('github:googleapis/python-api-common-protos@9a50722451ce3006c3536e2daa67577da1edf92f', 67, { note: 'googleapis-common-protos 1.66.0: generated protobuf modules' });

/** opentelemetry-instrumentation (contrib), whose modules share the opentelemetry.instrumentation namespace with every instrumentation package. */
const otelInstrumentation = (): KnownLibrary =>
  none('github:open-telemetry/opentelemetry-python-contrib:opentelemetry-instrumentation/src@466ae4c00de77d1f54f77a9600f1d08eba2306b5', 18, {
    note: 'opentelemetry-instrumentation 0.66b0.dev: only its modules are keyed, not opentelemetry.instrumentation itself (each instrumentation is a distribution of its own); auto_instrumentation (which loads every installed instrumentation by entry point) is not keyed',
  });

/** Python, by import name (a top-level module or a dotted prefix: `google.auth`). */
export const PYTHON_LIBRARIES: Readonly<Record<string, KnownLibrary>> = {
  'google.api': commonProtos(),
  'google.auth': none('debian:python3-google-auth@1.5.1-3', 31),
  'google.cloud.extended_operations_pb2': commonProtos(),
  'google.cloud.location': commonProtos(),
  'google.gapic': commonProtos(),
  'google.logging.type': commonProtos(),
  'google.longrunning': commonProtos(),
  'google.oauth2': none('debian:python3-google-auth@1.5.1-3', 31),
  'google.protobuf': none('debian:python3-protobuf@3.21.12-3+deb12u1', 46),
  'google.rpc': commonProtos(),
  'google.type': commonProtos(),
  'opentelemetry._logs': otelApi(),
  'opentelemetry.attributes': otelApi(),
  'opentelemetry.baggage': otelApi(),
  'opentelemetry.context': otelApi(),
  'opentelemetry.environment_variables': otelApi(),
  'opentelemetry.exporter.otlp.proto.common': none('github:open-telemetry/opentelemetry-python:exporter/opentelemetry-exporter-otlp-proto-common/src@0a5d76b65094a4bad414e0c0ab68981fc266f0a9', 10, {
    note: 'opentelemetry-exporter-otlp-proto-common 1.45.0.dev',
  }),
  'opentelemetry.exporter.otlp.proto.grpc': none('github:open-telemetry/opentelemetry-python:exporter/opentelemetry-exporter-otlp-proto-grpc/src@0a5d76b65094a4bad414e0c0ab68981fc266f0a9', 6, {
    note: 'opentelemetry-exporter-otlp-proto-grpc 1.45.0.dev; a credential provider named by OTEL_PYTHON_EXPORTER_OTLP_GRPC_CREDENTIAL_PROVIDER is loaded by entry point (another distribution, not read)',
  }),
  'opentelemetry.instrumentation._semconv': otelInstrumentation(),
  'opentelemetry.instrumentation.dependencies': otelInstrumentation(),
  'opentelemetry.instrumentation.environment_variables': otelInstrumentation(),
  'opentelemetry.instrumentation.grpc': none('github:open-telemetry/opentelemetry-python-contrib:instrumentation/opentelemetry-instrumentation-grpc/src@466ae4c00de77d1f54f77a9600f1d08eba2306b5', 11, {
    note: 'opentelemetry-instrumentation-grpc 0.66b0.dev',
  }),
  'opentelemetry.instrumentation.instrumentor': otelInstrumentation(),
  'opentelemetry.instrumentation.propagators': otelInstrumentation(),
  'opentelemetry.instrumentation.utils': otelInstrumentation(),
  'opentelemetry.instrumentation.version': otelInstrumentation(),
  'opentelemetry.metrics': otelApi(),
  'opentelemetry.propagate': otelApi(),
  'opentelemetry.propagators': otelApi(),
  'opentelemetry.trace': otelApi(),
  'opentelemetry.util': otelApi(),
  'opentelemetry.version': otelApi(),
  'opentelemetry.proto': none('github:open-telemetry/opentelemetry-python:opentelemetry-proto/src@0a5d76b65094a4bad414e0c0ab68981fc266f0a9', 29, {
    note: 'opentelemetry-proto 1.45.0.dev: generated protobuf and gRPC stubs',
  }),
  'opentelemetry.sdk': none('github:open-telemetry/opentelemetry-python:opentelemetry-sdk/src@0a5d76b65094a4bad414e0c0ab68981fc266f0a9', 61, {
    note: 'opentelemetry-sdk 1.45.0.dev; _configuration (run by auto-instrumentation, not by importing) loads exporters and generators by entry point, and imports opentelemetry.configuration (another distribution) only if it is installed (try/except ImportError): neither read',
  }),
  'opentelemetry.semconv': none('github:open-telemetry/opentelemetry-python:opentelemetry-semantic-conventions/src@0a5d76b65094a4bad414e0c0ab68981fc266f0a9', 127, {
    note: 'opentelemetry-semantic-conventions 0.66b0.dev',
  }),
  MySQLdb: none('debian:python3-mysqldb@1.4.6-2+b1', 14),
  PIL: none('debian:python3-pil@9.4.0-1.1+deb12u1', 93),
  aiohttp: {
    verdict: 'calls',
    source: 'debian:python3-aiohttp@3.8.4-1+deb12u2',
    files: 45,
    signals: ['SIGINT', 'SIGTERM'],
    calls: ['aiohttp.web.run_app'],
    unknownUnder: ['aiohttp.web.AppRunner', 'aiohttp.web.ServerRunner', 'aiohttp.web.BaseRunner', 'aiohttp.web_runner', 'aiohttp.worker'],
    sites: [
      site('aiohttp/web_runner.py#BaseRunner.setup:handler:SIGINT', 273, 'runner.setup() with handle_signals=True: web.run_app (default True), AppRunner(handle_signals=...) (unknownUnder)'),
      site('aiohttp/web_runner.py#BaseRunner.setup:handler:SIGTERM', 274, 'runner.setup() with handle_signals=True: web.run_app (default True), AppRunner(handle_signals=...) (unknownUnder)'),
      site('aiohttp/worker.py#GunicornWebWorker.init_signals:handler:SIGQUIT', 155, "the gunicorn worker class (runs under gunicorn's arbiter, which handles TERM)"),
      site('aiohttp/worker.py#GunicornWebWorker.init_signals:handler:SIGTERM', 159, "the gunicorn worker class (runs under gunicorn's arbiter, which handles TERM)"),
      site('aiohttp/worker.py#GunicornWebWorker.init_signals:handler:SIGINT', 163, "the gunicorn worker class (runs under gunicorn's arbiter, which handles TERM)"),
      site('aiohttp/worker.py#GunicornWebWorker.init_signals:handler:SIGWINCH', 167, "the gunicorn worker class (runs under gunicorn's arbiter, which handles TERM)"),
      site('aiohttp/worker.py#GunicornWebWorker.init_signals:handler:SIGUSR1', 171, "the gunicorn worker class (runs under gunicorn's arbiter, which handles TERM)"),
      site('aiohttp/worker.py#GunicornWebWorker.init_signals:handler:SIGABRT', 175, "the gunicorn worker class (runs under gunicorn's arbiter, which handles TERM)"),
    ],
    note: 'web.run_app(handle_signals=True, the default) and a runner made with handle_signals=True turn SIGINT and SIGTERM into a graceful exit',
  },
  anyio: {
    verdict: 'calls',
    source: 'debian:python3-anyio@3.6.2-1',
    files: 37,
    signals: [],
    calls: [],
    unknownUnder: ['anyio.open_signal_receiver', 'anyio._backends'],
    sites: [site('anyio/_backends/_asyncio.py#_SignalReceiver.__enter__:handler:dynamic', 2002, 'open_signal_receiver(*signals) only: unknownUnder')],
    note: 'anyio.open_signal_receiver(*signals) handles the signals it is given while the receiver is open',
  },
  apiclient: none('debian:python3-googleapi@1.7.12-1', 16),
  apscheduler: none('debian:python3-apscheduler@3.9.1-2', 38),
  attr: none('debian:python3-attr@22.2.0-1', 19),
  attrs: none('debian:python3-attr@22.2.0-1', 19),
  billiard: {
    verdict: 'unknown',
    source: 'debian:python3-billiard@4.1.0-1',
    files: 28,
    sites: [
      site('billiard/common.py#maybe_setsignal:handler:dynamic', 94, 'see note'),
      site('billiard/forkserver.py#main:ignore:SIGCHLD', 164, 'see note'),
      site('billiard/forkserver.py#_serve_one:handler:SIGCHLD', 207, 'see note'),
      site('billiard/pool.py#Worker.after_fork:handler:dynamic', 428, 'see note'),
      site('billiard/pool.py#Worker.after_fork:ignore:SIGINT', 431, 'see note'),
      site('billiard/resource_sharer.py#_ResourceSharer._serve:block:dynamic', 143, 'see note'),
      site('billiard/semaphore_tracker.py#main:ignore:SIGINT', 99, 'see note'),
      site('billiard/semaphore_tracker.py#main:ignore:SIGTERM', 100, 'see note'),
    ],
    note: "celery's fork of multiprocessing: its pool workers, fork server and semaphore tracker set TERM/INT handlers or ignore them in their own processes; not judged further",
  },
  boto: none('debian:python3-boto@2.49.0-4.1', 375),
  celery: {
    verdict: 'calls',
    source: 'debian:python3-celery@5.2.6-5',
    files: 155,
    signals: ['SIGTERM', 'SIGINT', 'SIGQUIT'],
    calls: ['celery.Celery.worker_main', 'celery.Celery.start'],
    unknownUnder: ['celery.bin', 'celery.apps', 'celery.worker', 'celery.beat', 'celery.platforms', 'celery.Celery.Worker', 'celery.Celery.Beat'],
    sites: [
      site(
        'celery/platforms.py#Signals.__setitem__:handler:dynamic',
        683,
        'celery.platforms.signals[...] = handler, used by the worker and beat (celery/apps/worker.py install_worker_*_handler, celery/apps/beat.py): unknownUnder',
      ),
    ],
    note: 'the celery worker (and beat) install TERM/INT/QUIT handlers; using celery as a client (send_task, delay) installs none',
  },
  certifi: none('debian:python3-certifi@2022.9.24-1', 3),
  click: none('debian:python3-click@8.1.3-2', 16),
  confluent_kafka: {
    verdict: 'calls',
    source: 'debian:python3-confluent-kafka@1.7.0-4',
    files: 22,
    signals: ['SIGTERM'],
    calls: [],
    unknownUnder: ['confluent_kafka.kafkatest'],
    sites: [
      site(
        'confluent_kafka/kafkatest/verifiable_client.py#VerifiableClient.__init__:handler:SIGTERM',
        38,
        'VerifiableClient(), the Kafka system-test harness (confluent_kafka.kafkatest): unknownUnder',
      ),
    ],
    note: 'only the system-test harness confluent_kafka.kafkatest (VerifiableClient) installs a SIGTERM handler; Producer/Consumer install none',
  },
  cryptography: none('debian:python3-cryptography@38.0.4-3+deb12u1', 82),
  django: {
    verdict: 'calls',
    source: 'debian:python3-django@3:3.2.25-0+deb12u7',
    files: 859,
    signals: ['SIGTERM'],
    calls: [],
    unknownUnder: ['django.core.management', 'django.utils.autoreload'],
    sites: [
      site('django/db/backends/postgresql/client.py#DatabaseClient.runshell:ignore:SIGINT', 50, 'manage.py dbshell: SIGINT ignored while psql runs, then restored (django.core.management)'),
      site('django/db/backends/postgresql/client.py#DatabaseClient.runshell:handler:SIGINT', 54, 'manage.py dbshell: SIGINT ignored while psql runs, then restored (django.core.management)'),
      site('django/utils/autoreload.py#ensure_echo_on:ignore:SIGTTOU', 101, 'SIGTTOU only, not a stop signal'),
      site('django/utils/autoreload.py#ensure_echo_on:handler:SIGTTOU', 106, 'SIGTTOU only, not a stop signal'),
      site('django/utils/autoreload.py#run_with_reloader:handler:SIGTERM', 633, "runserver's autoreloader (django.core.management, django.utils.autoreload)"),
    ],
    note: "only management commands install handlers: runserver's autoreloader (SIGTERM -> exit, the server child SIGKILLed) and dbshell (SIGINT ignored while psql runs)",
  },
  dotenv: none('debian:python3-dotenv@0.21.0-1', 8),
  elasticsearch: none('debian:python3-elasticsearch@7.17.6-1', 99),
  emoji: none('debian:python3-emoji@2.2.0-2', 4),
  fastapi: none('debian:python3-fastapi@0.92.0-1', 42),
  filelock: none('debian:python3-filelock@3.9.0-1+deb12u1', 8),
  flask: {
    verdict: 'calls',
    source: 'debian:python3-flask@2.2.2-3',
    files: 22,
    signals: ['SIGTERM'],
    calls: ['flask.Flask.run'],
    unknownUnder: ['flask.cli'],
    note: "Flask.run() runs werkzeug's run_simple: with the reloader (debug) its parent catches SIGTERM and exits; `flask run` (flask.cli) likewise",
  },
  flask_cors: none('debian:python3-flask-cors@3.0.10-2+deb12u1', 5),
  fsspec: none('debian:python3-fsspec@2022.11.0-1', 41),
  gevent: {
    verdict: 'calls',
    source: 'debian:python3-gevent@22.10.2-3',
    files: 78,
    signals: [],
    calls: [],
    unknownUnder: ['gevent.signal_handler', 'gevent.hub.signal', 'gevent.signal'],
    sites: [site('gevent/hub.py#signal.__init__:handler:dynamic', 258, 'gevent.signal_handler / gevent.hub.signal: the signal passed in (unknownUnder)')],
    native: ['gevent/libev/corecext.so:sigaction'],
    note: "gevent.signal_handler(signum, handler) installs a handler for the signal it is given (a libev signal watcher); importing gevent and its loop take SIGCHLD only; native: libev (corecext) calls sigaction for the signal watchers started: gevent.signal_handler's and the child watcher's SIGCHLD",
  },
  googleapiclient: none('debian:python3-googleapi@1.7.12-1', 16),
  grpc: none('debian:python3-grpcio@1.51.1-3+b1', 55),
  gunicorn: {
    verdict: 'calls',
    source: 'debian:python3-gunicorn@20.1.0-6+deb12u1',
    files: 34,
    signals: ['SIGTERM', 'SIGINT', 'SIGQUIT'],
    calls: ['gunicorn.app.wsgiapp.run', 'gunicorn.app.base.BaseApplication.run', 'gunicorn.app.base.Application.run'],
    unknownUnder: ['gunicorn.arbiter', 'gunicorn.workers'],
    sites: [
      site('gunicorn/arbiter.py#Arbiter.init_signals:handler:SIGNALS', 188, 'Arbiter.run() (gunicorn.app.base.BaseApplication.run, the gunicorn command)'),
      site('gunicorn/arbiter.py#Arbiter.init_signals:handler:SIGCHLD', 189, 'Arbiter.run() (gunicorn.app.base.BaseApplication.run, the gunicorn command)'),
      site('gunicorn/workers/base.py#Worker.init_signals:handler:SIGQUIT', 172, 'worker processes, children of the arbiter'),
      site('gunicorn/workers/base.py#Worker.init_signals:handler:SIGTERM', 173, 'worker processes, children of the arbiter'),
      site('gunicorn/workers/base.py#Worker.init_signals:handler:SIGINT', 174, 'worker processes, children of the arbiter'),
      site('gunicorn/workers/base.py#Worker.init_signals:handler:SIGWINCH', 175, 'worker processes, children of the arbiter'),
      site('gunicorn/workers/base.py#Worker.init_signals:handler:SIGUSR1', 176, 'worker processes, children of the arbiter'),
      site('gunicorn/workers/base.py#Worker.init_signals:handler:SIGABRT', 177, 'worker processes, children of the arbiter'),
    ],
    note: "gunicorn's arbiter handles TERM (graceful) and INT/QUIT (quick) when it runs",
  },
  httpx: none('debian:python3-httpx@0.23.3-1', 23),
  isympy: {
    verdict: 'none',
    source: 'debian:python3-sympy@1.11.1-1',
    files: 1473,
    sites: [site('sympy/testing/runtests.py#SymPyTests._timeout:handler:SIGALRM', 1326, 'SIGALRM only, not a stop signal')],
  },
  huggingface_hub: none('github:huggingface/huggingface_hub:src@23bab6a3fdb11bcdf3424f79fbe245ed4b9256ef', 107, {
    unknownUnder: [
      'huggingface_hub._webhooks_payload',
      'huggingface_hub._webhooks_server',
      'huggingface_hub.fastai_utils',
      'huggingface_hub.hub_mixin',
      'huggingface_hub.inference._templating',
      'huggingface_hub.serialization',
    ],
    note: 'huggingface_hub 0.24.6 (the tag v0.24.6); its integrations with gradio, pydantic, fastai, safetensors/torch, minijinja and tensorflow import libraries pid1 has not verified (unknownUnder); `git log -S"import signal" -- src` finds no signal code before aee73c48a (v0.32.0)',
  }),
  jinja2: none('debian:python3-jinja2@3.1.2-1+deb12u3', 25),
  jinjanator: none('github:kpfleming/jinjanator:src@44a1b83ba42d2c9c74317e0315b97e98f869da1e', 6, {
    note: 'jinjanator 25.3.1 (the tag); plugins are loaded by entry point (pluggy) and are distributions of their own',
  }),
  jinjanator_plugins: none('github:kpfleming/jinjanator-plugins:src@186f21cd9de7daec3b9c9cbf00f488a9e92e45a6', 1, { note: 'jinjanator-plugins 25.1.0 (the tag)' }),
  kafka: none('debian:python3-kafka@2.0.2-3', 196),
  kombu: none('debian:python3-kombu@5.2.4-1', 75),
  kubernetes: none('debian:python3-kubernetes@22.6.0-2', 629),
  numpy: {
    verdict: 'none',
    source: 'debian:python3-numpy@1:1.24.2-1+deb12u1',
    files: 482,
    native: ['numpy/core/_multiarray_umath.so:PyOS_setsig'],
    note: 'native: PyOS_setsig(SIGINT) only inside NPY_SIGINT_ON/NPY_SIGINT_OFF (numpy/core/include/numpy/npy_interrupt.h), which saves the handler and restores it around one computation: nothing outlives the call',
  },
  paho: none('debian:python3-paho-mqtt@1.6.1-1', 10),
  pandas: none('debian:python3-pandas@1.5.3+dfsg-2', 1357),
  pika: none('debian:python3-pika@1.2.0-1', 29),
  pluggy: none('debian:python3-pluggy@1.0.0+repack-1', 7),
  pythonjsonlogger: none('debian:python3-pythonjsonlogger@2.0.1-3', 2),
  prometheus_client: none('debian:python3-prometheus-client@0.16.0-0.1', 24),
  prompt_toolkit: {
    verdict: 'calls',
    source: 'debian:python3-prompt-toolkit@3.0.36-2',
    files: 146,
    signals: ['SIGINT'],
    calls: [],
    unknownUnder: ['prompt_toolkit.application', 'prompt_toolkit.shortcuts'],
    sites: [
      site(
        'prompt_toolkit/application/application.py#Application.run_async.set_handle_sigint:handler:SIGINT',
        812,
        'Application.run_async (prompt_toolkit.application, prompt_toolkit.shortcuts.prompt): unknownUnder',
      ),
      site(
        'prompt_toolkit/application/application.py#attach_winch_signal_handler:handler:dynamic',
        1511,
        'Application.run_async (prompt_toolkit.application, prompt_toolkit.shortcuts.prompt): unknownUnder',
      ),
      site(
        'prompt_toolkit/application/application.py#attach_winch_signal_handler:handler:dynamic',
        1517,
        'Application.run_async (prompt_toolkit.application, prompt_toolkit.shortcuts.prompt): unknownUnder',
      ),
    ],
    note: 'an interactive Application.run()/prompt() handles SIGINT (handle_sigint) and SIGWINCH while it runs',
  },
  packaging: none('debian:python3-packaging@23.0-1', 13),
  prometheus_flask_exporter: {
    verdict: 'calls',
    source: 'github:rycus86/prometheus_flask_exporter@f2ba7ceb090647c6b6330ffe6c5b769139b2e10c',
    files: 2,
    signals: [],
    calls: [],
    unknownUnder: ['prometheus_flask_exporter.ConnexionPrometheusMetrics', 'prometheus_flask_exporter.multiprocess'],
    note: 'installs no handler (0.23.2); ConnexionPrometheusMetrics imports connexion and the multiprocess module imports uwsgi (a module only the uWSGI server provides), neither read: using them leaves the verdict to the program',
  },
  psutil: {
    verdict: 'calls',
    source: 'debian:python3-psutil@5.9.4-1+b1',
    files: 28,
    signals: ['SIGTERM'],
    calls: [],
    unknownUnder: ['psutil.tests'],
    sites: [site('psutil/tests/__init__.py#<module>:handler:SIGTERM', 1820, 'psutil.tests, the test suite: unknownUnder')],
    note: "only psutil.tests (the package's test suite, which `import psutil` does not import) installs one",
  },
  psycopg2: none('debian:python3-psycopg2@2.9.5-1+b1', 11),
  psycopg: none('debian:python3-psycopg@3.1.7-4', 62),
  py: none('debian:python3-pytest@7.2.1-2', 71),
  pymongo: none('debian:python3-pymongo@3.11.0-1+deb12u2', 59),
  pytest: none('debian:python3-pytest@7.2.1-2', 71),
  redis: none('debian:python3-redis@4.3.4-3', 62),
  requests: none('debian:python3-requests@2.28.1+dfsg-1', 18),
  schedule: none('debian:python3-schedule@1.1.0-0.2', 1),
  sentry_sdk: {
    verdict: 'none',
    source: 'debian:python3-sentry-sdk@1.9.10-2+deb12u1',
    files: 69,
    sites: [
      site(
        'sentry_sdk/profiler.py#_SignalScheduler.setup:handler:dynamic',
        472,
        "the profiler's signal schedulers: self.signal_num is SIGPROF (_SigprofScheduler) or SIGALRM (_SigalrmScheduler), never a stop signal",
        ['SIGPROF', 'SIGALRM'],
      ),
    ],
  },
  six: none('debian:python3-six@1.16.0-4', 1),
  sqlalchemy: none('debian:python3-sqlalchemy@1.4.46+ds1-1', 238),
  starlette: none('debian:python3-starlette@0.26.1-1+deb12u2', 34),
  sympy: {
    verdict: 'none',
    source: 'debian:python3-sympy@1.11.1-1',
    files: 1473,
    sites: [site('sympy/testing/runtests.py#SymPyTests._timeout:handler:SIGALRM', 1326, 'SIGALRM only, not a stop signal')],
  },
  torch: {
    verdict: 'calls',
    source: 'debian:python3-torch@1.13.1+dfsg-4',
    files: 1214,
    signals: ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'],
    calls: [],
    unknownUnder: ['torch.distributed.elastic', 'torch.distributed.run', 'torch.distributed.launch', 'torch.distributed.launcher'],
    sites: [
      site(
        'torch/distributed/elastic/multiprocessing/api.py#PContext.start:handler:SIGTERM',
        235,
        'PContext.start(), reached through torch.distributed.elastic.multiprocessing.start_processes (torchrun, elastic_launch): unknownUnder',
      ),
      site(
        'torch/distributed/elastic/multiprocessing/api.py#PContext.start:handler:SIGINT',
        236,
        'PContext.start(), reached through torch.distributed.elastic.multiprocessing.start_processes (torchrun, elastic_launch): unknownUnder',
      ),
      site(
        'torch/distributed/elastic/multiprocessing/api.py#PContext.start:handler:SIGHUP',
        238,
        'PContext.start(), reached through torch.distributed.elastic.multiprocessing.start_processes (torchrun, elastic_launch): unknownUnder',
      ),
      site(
        'torch/distributed/elastic/multiprocessing/api.py#PContext.start:handler:SIGQUIT',
        239,
        'PContext.start(), reached through torch.distributed.elastic.multiprocessing.start_processes (torchrun, elastic_launch): unknownUnder',
      ),
      site('torch/utils/data/_utils/signal_handling.py#_set_SIGCHLD_handler:handler:SIGCHLD', 71, 'SIGCHLD only (DataLoader workers), not a stop signal'),
    ],
    note: "torch.distributed.elastic (torchrun's agent) turns SIGTERM/SIGINT/SIGHUP/SIGQUIT into an exception that stops its workers; `import torch` and the DataLoader install none for a stop signal (SIGCHLD only)",
  },
  tornado: {
    verdict: 'none',
    source: 'debian:python3-tornado@6.2.0-3+deb12u4',
    files: 72,
    sites: [
      site('tornado/process.py#Subprocess.initialize:handler:SIGCHLD', 326, "SIGCHLD only (Subprocess.initialize/uninitialize), not a stop signal; tornado's IOLoop installs no handler"),
      site('tornado/process.py#Subprocess.uninitialize:handler:SIGCHLD', 337, "SIGCHLD only (Subprocess.initialize/uninitialize), not a stop signal; tornado's IOLoop installs no handler"),
    ],
  },
  tqdm: none('debian:python3-tqdm@4.64.1-1', 32),
  typing_extensions: none('debian:python3-typing-extensions@4.4.0-1', 1, {
    note: 'a typing shim; opentelemetry asks for >= 4.5 (typing_extensions.deprecated), Debian bookworm has 4.4.0: read at that version',
  }),
  urllib3: none('debian:python3-urllib3@1.26.12-1+deb12u4', 37),
  uvicorn: {
    verdict: 'calls',
    source: 'debian:python3-uvicorn@0.17.6-1',
    files: 39,
    signals: ['SIGINT', 'SIGTERM'],
    calls: ['uvicorn.run', 'uvicorn.Server.run', 'uvicorn.Server.serve'],
    unknownUnder: ['uvicorn.main', 'uvicorn.supervisors'],
    sites: [
      site('uvicorn/server.py#Server.install_signal_handlers:handler:SIGINT|SIGTERM', 294, 'Server.serve() (uvicorn.run, Server.run)'),
      site('uvicorn/server.py#Server.install_signal_handlers:handler:SIGINT|SIGTERM', 298, 'Server.serve() (uvicorn.run, Server.run)'),
      site(
        'uvicorn/supervisors/basereload.py#BaseReload.startup:handler:SIGINT|SIGTERM',
        59,
        'the reloader and the multiprocess supervisor (uvicorn.run(reload=True/workers=N), the uvicorn command): unknownUnder uvicorn.supervisors',
      ),
      site(
        'uvicorn/supervisors/multiprocess.py#Multiprocess.startup:handler:SIGINT|SIGTERM',
        56,
        'the reloader and the multiprocess supervisor (uvicorn.run(reload=True/workers=N), the uvicorn command): unknownUnder uvicorn.supervisors',
      ),
    ],
    note: "uvicorn's Server installs handlers for SIGINT and SIGTERM (HANDLED_SIGNALS) when it serves, and shuts down gracefully",
  },
  waitress: none('debian:python3-waitress@2.1.2-2+deb12u1', 16),
  werkzeug: {
    verdict: 'calls',
    source: 'debian:python3-werkzeug@2.2.2-3+deb12u1',
    files: 42,
    signals: ['SIGTERM'],
    calls: ['werkzeug.serving.run_simple'],
    unknownUnder: ['werkzeug._reloader'],
    sites: [site('werkzeug/_reloader.py#run_with_reloader:handler:SIGTERM', 427, 'run_simple(use_reloader=True) only (python-source.ts reloader())')],
    note: "the development server's reloader (run_simple(use_reloader=True)) catches SIGTERM in the parent and exits; the server child is SIGKILLed",
  },
  wrapt: none('debian:python3-wrapt@1.14.1-2+b2', 5),
  yaml: none('debian:python3-yaml@6.0-3+b2', 18),
  youtube_dl: none('github:ytdl-org/youtube-dl@5014bd67c22b421207b2650d4dc874b95b36dda1', 818, {
    note: 'youtube-dl 2021.12.17 (the tag; its last release on PyPI): Debian bookworm ships youtube-dl as a transitional package to yt-dlp, without this module; it imports only the standard library, and optionally (try/except ImportError) Python 2 names in compat.py, Cryptodome (python3-pycryptodome 3.11.0: no signal site), Crypto and xattr (not read)',
  }),
};

/** Node, by package name (`@scope/name` or `name`). */
export const NODE_LIBRARIES: Readonly<Record<string, KnownLibrary>> = {
  '@google-cloud/profiler': none('npm:@google-cloud/profiler@8.1.0', 1440),
  '@grpc/grpc-js': none('npm:@grpc/grpc-js@1.14.4', 313),
  '@grpc/proto-loader': none('npm:@grpc/proto-loader@0.8.1', 141),
  '@hapi/hapi': none('npm:@hapi/hapi@21.4.10', 117),
  '@instana/collector': {
    verdict: 'none',
    source: 'npm:@instana/collector@1.140.1',
    files: 1052,
    sites: [
      site(
        '@instana/collector/src/uncaught/index.js#activateUncaughtExceptionHandling:handler:dynamic',
        83,
        "process.once(uncaughtExceptionEventName, ...) with uncaughtExceptionEventName = 'uncaughtException' (src/uncaught/index.js:29): an event, no signal",
        [],
      ),
      site(
        '@instana/collector/src/uncaught/index.js#activateUnhandledPromiseRejectionHandling:handler:dynamic',
        192,
        "process.on(unhandledRejectionEventName, ...) with unhandledRejectionEventName = 'unhandledRejection' (src/uncaught/index.js:30): an event, no signal",
        [],
      ),
    ],
    note: 'the last 1.x release (robot-shop asks for ^1.132.2)',
  },
  '@nestjs/common': none('npm:@nestjs/common@12.5.1', 283),
  '@nestjs/config': none('npm:@nestjs/config@12.0.1', 2140),
  '@nestjs/core': {
    verdict: 'calls',
    source: 'npm:@nestjs/core@12.5.1',
    files: 242,
    signals: ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'],
    calls: ['enableShutdownHooks'],
    sites: [
      site('@nestjs/core/nest-application-context.js#NestApplicationContext.listenToShutdownSignals.<anonymous>:handler:dynamic', 261, 'enableShutdownHooks() only (nest-application-context.js)'),
    ],
    note: 'app.enableShutdownHooks() listens for the shutdown signals and runs the lifecycle hooks',
  },
  '@nestjs/platform-express': none('npm:@nestjs/platform-express@12.5.1', 264),
  '@nestjs/swagger': none('npm:@nestjs/swagger@12.0.2', 2380),
  '@nestjs/terminus': none('npm:@nestjs/terminus@12.1.0', 46),
  '@opentelemetry/exporter-otlp-grpc': none('npm:@opentelemetry/exporter-otlp-grpc@0.26.0', 2674),
  '@opentelemetry/instrumentation': none('npm:@opentelemetry/instrumentation@0.301.1', 63),
  '@opentelemetry/instrumentation-grpc': none('npm:@opentelemetry/instrumentation-grpc@0.300.0', 103),
  '@opentelemetry/resources': none('npm:@opentelemetry/resources@3.1.1', 146),
  '@opentelemetry/sdk-node': none('npm:@opentelemetry/sdk-node@0.221.0', 1947),
  '@opentelemetry/semantic-conventions': none('npm:@opentelemetry/semantic-conventions@1.45.0', 22),
  async: none('npm:async@3.2.6', 132),
  'aws-sdk': none('npm:aws-sdk@2.1693.0', 842, { note: 'the last 2.x release (the SDK v2, end of support)' }),
  'aws-xray-sdk': none('npm:aws-xray-sdk@3.2.0', 198, { note: 'with aws-xray-sdk-core, -express, -mysql and -postgres, which it brings' }),
  axios: none('npm:axios@1.21.1', 205),
  'body-parser': none('npm:body-parser@1.20.9', 153, { note: 'the last 1.x release (express 4 apps ask for ^1)' }),
  'class-transformer': none('npm:class-transformer@0.5.1', 107),
  'class-validator': none('npm:class-validator@0.15.1', 1127),
  cloudevents: none('npm:cloudevents@10.0.0', 359),
  'cookie-parser': none('npm:cookie-parser@1.4.7', 3),
  cors: none('npm:cors@2.8.6', 3),
  dotenv: {
    verdict: 'none',
    source: 'npm:dotenv@18.0.3',
    files: 1,
    sites: [
      site(
        'dotenv/dist/index.cjs#<anonymous>.J:handler:SIGHUP|SIGINT|SIGQUIT|SIGTERM',
        8,
        'the `dotenv run` command line only (the package bin: `require.main === module && J(process.argv)`); J is not exported',
        [],
      ),
    ],
  },
  express: none('npm:express@5.3.0', 195),
  'express-pino-logger': none('npm:express-pino-logger@4.0.0', 125),
  'express-ws': none('npm:express-ws@5.0.2', 24),
  fastify: none('npm:fastify@5.12.8', 1248),
  handlebars: none('npm:handlebars@4.7.10', 277),
  ioredis: none('npm:ioredis@6.0.0', 65),
  koa: none('npm:koa@3.3.0', 62),
  'markdown-it': none('npm:markdown-it@14.3.3', 95),
  mongodb: none('npm:mongodb@7.9.0', 176),
  mongoose: none('npm:mongoose@9.12.1', 470),
  mysql: none('npm:mysql@2.18.1', 89),
  mysql2: none('npm:mysql2@3.24.6', 129),
  next: {
    verdict: 'unknown',
    source: 'npm:next@16.4.6',
    files: 4853,
    sites: [
      site('next/dist/cli/next-analyze.js#nextAnalyze:handler:SIGTERM', 52, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/cli/next-analyze.js#nextAnalyze:handler:SIGINT', 56, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/cli/next-build.js#nextBuild:handler:SIGTERM', 63, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/cli/next-build.js#nextBuild:handler:SIGINT', 64, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/cli/next-build.js#buildInChild:handler:SIGHUP|SIGINT|SIGTERM', 174, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/cli/next-dev.js#<module>:handler:SIGINT', 202, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/cli/next-dev.js#<module>:handler:SIGTERM', 203, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/cli/next-dev.js#nextDev.offerUpgrade:handler:SIGHUP', 223, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/cli/next-start.js#nextStart:handler:SIGTERM', 101, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/cli/next-start.js#nextStart:handler:SIGINT', 102, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/compiled/ora/index.js#<anonymous>.379.StdinDiscarder.realStart:handler:SIGINT', 1, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/esm/lib/memory/startup.js#enableMemoryDebuggingMode:handler:SIGUSR2', 19, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site(
        'next/dist/esm/lib/typescript/runTypeScriptCli.js#runTypeScriptCli.<anonymous>:handler:SIGHUP|SIGINT|SIGTERM',
        145,
        'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)',
      ),
      site('next/dist/esm/lib/upgrade/model-discovery.js#discoverModels.<anonymous>:handler:SIGINT', 171, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/esm/lib/upgrade/model-discovery.js#discoverModels.<anonymous>:handler:SIGTERM', 172, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/esm/lib/upgrade/model-discovery.js#discoverModels.<anonymous>:handler:SIGHUP', 173, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/esm/lib/upgrade/run-child-process.js#runChildProcess.<anonymous>:handler:SIGINT', 9, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/esm/lib/upgrade/run-child-process.js#runChildProcess.<anonymous>:handler:SIGTERM', 10, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/esm/lib/upgrade/run-child-process.js#runChildProcess.<anonymous>:handler:SIGHUP', 11, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/esm/server/lib/start-server.js#startServer.<anonymous>.<anonymous>:handler:SIGINT', 310, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/esm/server/lib/start-server.js#startServer.<anonymous>.<anonymous>:handler:SIGTERM', 311, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/lib/memory/startup.js#enableMemoryDebuggingMode:handler:SIGUSR2', 34, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site(
        'next/dist/lib/typescript/runTypeScriptCli.js#runTypeScriptCli.<anonymous>:handler:SIGHUP|SIGINT|SIGTERM',
        184,
        'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)',
      ),
      site('next/dist/lib/upgrade/model-discovery.js#discoverModels.<anonymous>:handler:SIGINT', 202, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/lib/upgrade/model-discovery.js#discoverModels.<anonymous>:handler:SIGTERM', 203, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/lib/upgrade/model-discovery.js#discoverModels.<anonymous>:handler:SIGHUP', 204, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/lib/upgrade/run-child-process.js#runChildProcess.<anonymous>:handler:SIGINT', 24, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/lib/upgrade/run-child-process.js#runChildProcess.<anonymous>:handler:SIGTERM', 25, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/lib/upgrade/run-child-process.js#runChildProcess.<anonymous>:handler:SIGHUP', 26, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/server/lib/start-server.js#startServer.<anonymous>.<anonymous>:handler:SIGINT', 378, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
      site('next/dist/server/lib/start-server.js#startServer.<anonymous>.<anonymous>:handler:SIGTERM', 379, 'the next CLI, the standalone server or the upgrade/typecheck helpers (see note)'),
    ],
    note: 'the next CLI (next start/dev/build) and the standalone server (server/lib/start-server.js) listen for SIGINT/SIGTERM; a custom server built with next() reaches other paths: left to the program',
  },
  'node-media-server': {
    verdict: 'unknown',
    source: 'npm:node-media-server@4.4.3',
    files: 365,
    sites: [
      site('node-media-server/src/store/lightweight_store.js#LightweightStore.open:handler:SIGINT', 190, 'NodeMediaServer.run() -> store.open() (src/index.js)'),
      site('node-media-server/src/store/lightweight_store.js#LightweightStore.open:handler:SIGTERM', 191, 'NodeMediaServer.run() -> store.open() (src/index.js)'),
    ],
    note: 'NodeMediaServer.run() opens its store, which (signals: true by default) listens for SIGINT and SIGTERM, flushes, and re-raises the signal with process.kill(process.pid, sig): at PID 1 the re-raised signal has the default action and is dropped. Older versions (2.x) differ',
  },
  'on-exit-leak-free': {
    verdict: 'none',
    source: 'npm:on-exit-leak-free@2.1.2',
    files: 1,
    sites: [site('on-exit-leak-free/index.js#install:handler:dynamic', 25, "install(event) is called with 'exit' and 'beforeExit' only (index.js register/unregister): no signal", [])],
  },
  pg: none('npm:pg@8.23.1', 54),
  pino: none('npm:pino@10.4.0', 295),
  'prom-client': none('npm:prom-client@15.1.3', 160),
  redis: none('npm:redis@6.3.1', 659),
  request: none('npm:request@2.88.2', 233, { note: 'deprecated; its last release' }),
  'socket.io': none('npm:socket.io@4.8.4', 96),
  tmp: {
    verdict: 'none',
    source: 'npm:tmp@0.2.4',
    files: 1,
    sites: [site('tmp/lib/tmp.js#<module>:handler:dynamic', 732, "process.addListener(EXIT, _garbageCollector) with EXIT = 'exit' (lib/tmp.js:32): the exit event, no signal", [])],
  },
  winston: none('npm:winston@3.19.0', 320),
  ws: none('npm:ws@8.23.0', 16),
  '@protobufjs/codegen': none('npm:@protobufjs/codegen@2.0.5', 2),
  'bignumber.js': none('npm:bignumber.js@9.3.1', 2),
  'lodash.camelcase': none('npm:lodash.camelcase@4.3.0', 1),
  protobufjs: none('npm:protobufjs@7.5.9', 77),
};

/**
 * Go, by module or package path prefix (`github.com/gorilla/mux`), read from a GitHub snapshot of the
 * module: every .go file the go tool builds into an importer (not _test.go, not package main, not
 * testdata/, vendor/ or _dirs), with pid1's Go reader (go-source.ts) plus a wider net (os/signal by
 * function value or dot import, raw sigaction/signalfd/sigprocmask system calls, cgo's C code,
 * go:linkname into the runtime's signal hooks). The modules a library imports need entries of their own
 * (checked by scripts/verify-known-libraries.mjs). `calls` are `importpath.Function`, as go-source.ts
 * qualifies a call; `unknownUnder` are package path prefixes left to the program (not read).
 */
export const GO_LIBRARIES: Readonly<Record<string, KnownLibrary>> = {
  'filippo.io/edwards25519': none('github:FiloSottile/edwards25519@b182a6575cfd9f4fbb1d1d4e487a6b00a3ec06f7', 12),
  'github.com/aymerick/douceur': none('github:aymerick/douceur@c5c95ec357c8235fbd7f34e8c843d36783f3fad9', 4, {
    unknownUnder: ['github.com/aymerick/douceur/inliner'],
    note: 'v0.2.0 (no go.mod: the GOPATH path); css and parser read (what bluemonday imports); inliner (goquery) not read: left to the program',
  }),
  'github.com/beorn7/perks': none('github:beorn7/perks@37c8de3658fcb183f997c4e13e8337516ab753e6', 3),
  'github.com/cenkalti/backoff/v4': none('github:cenkalti/backoff@720b78985a65c0452fd37bb155c7cac4157a7c45', 7, { note: 'v4.3.0' }),
  'github.com/cespare/xxhash/v2': none('github:cespare/xxhash@ab37246c889f9db16b606fda1c232d659df9271d', 5),
  'github.com/cloudevents/sdk-go/v2': none('github:cloudevents/sdk-go:v2@d6f403090375c4e07e693d28e1d4d8c7dd4475e9', 111, {
    unknownUnder: [
      'github.com/cloudevents/sdk-go/v2/binding/test',
      'github.com/cloudevents/sdk-go/v2/client/test',
      'github.com/cloudevents/sdk-go/v2/protocol/test',
      'github.com/cloudevents/sdk-go/v2/test',
    ],
    note: 'client, event, binding, protocol/http and protocol/gochan read; the test helpers (testify) not read; the protocol bindings outside v2/ (kafka, nats, amqp, pubsub, ...) are modules of their own, not covered',
  }),
  'github.com/codegangsta/negroni': none('github:urfave/negroni@c6a59be0ce122566695fbd5e48a77f8f10c8a63a', 7, {
    note: 'v1.0.0, the last release before go.mod (module github.com/urfave/negroni): the GOPATH-era path that `go get github.com/codegangsta/negroni` still fetches',
  }),
  'github.com/dgryski/go-rendezvous': none('github:dgryski/go-rendezvous@9f7001d12a5f0021fd3283525f888b5814ccee27', 1),
  'github.com/felixge/httpsnoop': none('github:felixge/httpsnoop@0fc9006be0bfd68ee14bc3db0d58f7c7241892e0', 3),
  'github.com/go-chi/chi/v5': none('github:go-chi/chi@735ae2b87f8c733d616e809ae86e0985c1bc3350', 35),
  'github.com/go-logr/logr': none('github:go-logr/logr@38a1c47ef633fa6b2eee6b8f2e1371ba8626e557', 14, { note: 'v1.4.3' }),
  'github.com/go-logr/stdr': none('github:go-logr/stdr@521af2addfa7c81c8a65d0e85ed34bb6bb6dc262', 1, { note: 'v1.2.2' }),
  'github.com/go-sql-driver/mysql': none('github:go-sql-driver/mysql@416cd99d463949ca51faf4f84d674de2fc1aa54b', 21),
  'github.com/golang/protobuf': none('github:golang/protobuf@75de7c059e36b64f01d0dd234ff2fff404ec3374', 36, {
    note: 'v1.5.4, deprecated: a shim over google.golang.org/protobuf',
  }),
  'github.com/gomodule/redigo': none('github:gomodule/redigo@57c8b99ccb90c3401bec6e09289081e8b78b3bde', 16),
  'github.com/google/go-cmp': none('github:google/go-cmp@b133f1f1932e48f466f597a3346ce6f5a49a0dc1', 32),
  'github.com/google/go-github': none('github:google/go-github@747f93dd9b489bd56f7442b3c42bfea12800a75b', 86, {
    unknownUnder: ['github.com/google/go-github/example'],
    note: 'v17.0.0, the GOPATH-era path (no /vN) that `go get github.com/google/go-github` fetches as v17.0.0+incompatible; the examples (appengine) not read',
  }),
  'github.com/google/go-querystring': none('github:google/go-querystring@b8825f6ec38273c429afdc4726a9a6d667db7451', 1),
  'github.com/google/uuid': none('github:google/uuid@2d3c2a9cc518326daf99a383f07c4d3c44317e4d', 16),
  'github.com/gorilla/css': none('github:gorilla/css@b2cb20bc2adfcf4cbfde7730187411777ffa836a', 2, { note: 'v1.0.1' }),
  'github.com/gorilla/handlers': none('github:gorilla/handlers@9c61bd81e701cf500437e1b516b675cdd3b73ca7', 8),
  'github.com/gorilla/mux': none('github:gorilla/mux@db9d1d0073d27a0a2d9a8c1bc52aa0af4374d265', 6),
  'github.com/gorilla/websocket': none('github:gorilla/websocket@e064f32e3674d9d79a8fd417b5bc06fa5c6cad8f', 12),
  'github.com/grpc-ecosystem/grpc-gateway/v2': none('github:grpc-ecosystem/grpc-gateway@d08f8db7a006221004859a974ecc1d8a8cd5fe69', 34, {
    unknownUnder: [
      'github.com/grpc-ecosystem/grpc-gateway/v2/examples',
      'github.com/grpc-ecosystem/grpc-gateway/v2/internal/descriptor',
      'github.com/grpc-ecosystem/grpc-gateway/v2/internal/generator',
      'github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway',
      'github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2',
    ],
    note: 'v2.27.1; runtime, utilities and the generated option types read (what generated *.pb.gw.go files import); the protoc plugins (yaml.v3) and the examples not read: left to the program',
  }),
  'github.com/json-iterator/go': none('github:json-iterator/go@71ac16282d122fdd1e3a6d3e7f79b79b4cc3b50e', 48),
  'github.com/kelseyhightower/envconfig': none('github:kelseyhightower/envconfig@10e87fe9eaec671f89425dc366f004a9336bcc8f', 5),
  'github.com/klauspost/compress': none('github:klauspost/compress@117430d3b0e3c39c14d32fe7c90652149a78e609', 138),
  'github.com/lib/pq': none('github:lib/pq@f4654a41a62bc974ea825de270c44f577721205e', 42, {
    unknownUnder: ['github.com/lib/pq/auth/kerberos'],
    note: 'auth/kerberos (gokrb5, sspi) not read: left to the program',
  }),
  'github.com/microcosm-cc/bluemonday': none('github:microcosm-cc/bluemonday@10b8ac69db438c65c6d5469bb3c345aaa81f18d9', 6, { note: 'v1.0.27' }),
  'github.com/modern-go/concurrent': none('github:modern-go/concurrent@bacd9c7ef1dd9b15be4a9909b8ac7a4e313eec94', 5),
  'github.com/modern-go/reflect2': none('github:modern-go/reflect2@35a7c28c31ee079903db043180532306a621943a', 21, {
    note: 'its go:linkname targets are reflect internals (mapiterinit, typedmemmove, ...), none of the runtime signal hooks',
  }),
  'github.com/munnerz/goautoneg': none('github:munnerz/goautoneg@a7dc8b61c822528f973a5e4e7b272055c6fdb43e', 1),
  'github.com/prometheus/client_golang': none('github:prometheus/client_golang@89c60c0554699c74fa3d4eec472b98a3108905e3', 58, {
    unknownUnder: [
      'github.com/prometheus/client_golang/api',
      'github.com/prometheus/client_golang/exp',
      'github.com/prometheus/client_golang/prometheus/testutil',
      'github.com/prometheus/client_golang/tutorials',
    ],
    note: 'prometheus, promhttp, promauto, push, collectors, graphite read; api (json-iterator) and prometheus/testutil (godebug) not read, exp and tutorials/whatsup are modules of their own: left to the program',
  }),
  'github.com/prometheus/client_model': none('github:prometheus/client_model@10dc9dfb541a117fe0a6457192564ec609c78615', 1),
  'github.com/prometheus/common': none('github:prometheus/common@d2417e2cbb82c4c81e4d28d55f354058169a9f08', 28, {
    unknownUnder: ['github.com/prometheus/common/assets', 'github.com/prometheus/common/config', 'github.com/prometheus/common/promslog/flag', 'github.com/prometheus/common/route'],
    note: 'expfmt, model, version, promslog, helpers, server read; config (jwt, oauth2, conntrack, yaml), promslog/flag (kingpin) and route (httprouter) not read, assets is a module of its own: left to the program',
  }),
  'github.com/prometheus/procfs': none('github:prometheus/procfs@3c943fdba94a978d990553698da4add62bb11a30', 125),
  'github.com/redis/go-redis/v9': none('github:redis/go-redis@216593cc01faa029006266a5f1fc3d5004312ecf', 120, {
    unknownUnder: ['github.com/redis/go-redis/v9/helper', 'github.com/redis/go-redis/v9/internal/customvet'],
    note: 'helper (xxh3) and the vet tool not read: left to the program; the extra/ modules (OpenTelemetry, OpenCensus, Prometheus) are modules of their own (github.com/redis/go-redis/extra/...), not covered',
  }),
  'github.com/russross/blackfriday/v2': none('github:russross/blackfriday@4c9bf9512682b995722660a4196c0013228e2049', 9, { note: 'v2.1.0' }),
  'github.com/valyala/bytebufferpool': none('github:valyala/bytebufferpool@18533face0dfe7042f8157bba9010bd7f8df54b1', 3),
  'github.com/xyproto/pinterface': none('github:xyproto/pinterface@388b4512dd35cf9b1222c2b586030e695a681b09', 1),
  'github.com/xyproto/simpleredis/v2': none('github:xyproto/simpleredis:v2@57c75c74d298ccbbc0b9196d92ed3833e97dc8e8', 2),
  'go.opentelemetry.io/auto/sdk': none('github:open-telemetry/opentelemetry-go-instrumentation:sdk@715f58ce2f17e2176b8e53b871e47531a259cc1d', 16, { note: 'sdk/v1.2.1' }),
  'go.opentelemetry.io/otel': none('github:open-telemetry/opentelemetry-go@9276201a64b623606e3eaa0d61ae8ee6d62756c0', 603, {
    unknownUnder: ['go.opentelemetry.io/otel/bridge', 'go.opentelemetry.io/otel/exporters', 'go.opentelemetry.io/otel/internal/tools', 'go.opentelemetry.io/otel/schema'],
    note: 'v1.43.0: the API and the SDK, modules of their own in one repository (otel, attribute, codes, baggage, propagation, semconv, metric, trace, log, sdk, sdk/metric, sdk/resource, sdk/trace, sdk/log) read at the same tag; the bridges (OpenCensus, OpenTracing), the exporters (except the entries of their own), schema (yaml.v3) and the build tools not read: left to the program',
  }),
  'go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc': none(
    'github:open-telemetry/opentelemetry-go:exporters/otlp/otlpmetric/otlpmetricgrpc@81216fb002a6a76d32fdab6ef999bcf65794130d',
    16,
    {
      unknownUnder: ['go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc/internal/otest'],
      note: 'exporters/otlp/otlpmetric/otlpmetricgrpc/v1.28.0; internal/otest (testify; imported only by the tests) not read',
    },
  ),
  'go.opentelemetry.io/proto/otlp': none('github:open-telemetry/opentelemetry-proto-go:otlp@683f172c00ae2b73cbc85ed1aa2ad86cc0e1ee3f', 18, {
    note: 'otlp/v1.7.1: generated protobuf, gRPC and grpc-gateway stubs',
  }),
  'go.uber.org/atomic': none('github:uber-go/atomic@703f34c27411b863572156a97e9b659ff96e1d36', 27, {
    unknownUnder: ['go.uber.org/atomic/tools'],
    note: 'tools/ (build-tagged imports of linters) not read',
  }),
  'go.uber.org/multierr': none('github:uber-go/multierr@cf4b2327cea93d7b37e2b11bfe38187e2bbefaec', 1, {
    unknownUnder: ['go.uber.org/multierr/tools'],
    note: 'tools/ (build-tagged imports of linters) not read',
  }),
  'go.uber.org/zap': none('github:uber-go/zap@5b81b37b81b8e2ed447a6f57991e372ee4fa5c8f', 64, {
    unknownUnder: ['go.uber.org/zap/tools'],
    note: 'tools/ (a build-tagged import of govulncheck) not read',
  }),
  'golang.org/x/crypto': none('github:golang/crypto@82adefa711cb8d9a1f12c7ea91b491007d21819f', 171),
  'golang.org/x/net': none('github:golang/net@0ca694d2a5adcce7f36d4d65e5f8d72390d94051', 507),
  'golang.org/x/oauth2': none('github:golang/oauth2@89ff2e1ac388c1a234a687cb2735341cde3f7122', 43, {
    unknownUnder: ['golang.org/x/oauth2/google'],
    note: 'google/ (cloud.google.com/go/compute/metadata) not read: left to the program',
  }),
  'golang.org/x/sync': none('github:golang/sync@ec11c4a93de22cde2abe2bf74d70791033c2464c', 4),
  'golang.org/x/sys': none('github:golang/sys@e8c1c3274309bd87f360205f5706e986ceccb317', 393, {
    unknownUnder: ['golang.org/x/sys/windows/svc'],
    note: 'windows/svc (debug.Run: signal.Notify for every signal) not counted: Windows services only, left to the program',
  }),
  'golang.org/x/term': none('github:golang/term@9f69229da31ca6a34b522f59dbe07cad5ea21587', 8),
  'golang.org/x/text': none('github:golang/text@724af9c35838492dcaacc1ac51a8a0187c994c54', 203, {
    unknownUnder: ['golang.org/x/text/message/pipeline'],
    note: 'message/pipeline (the gotext tool, golang.org/x/tools) not read',
  }),
  'google.golang.org/genproto/googleapis/api': none('github:googleapis/go-genproto:googleapis/api@08b0e42266880154f3122364912db2b5cf01a32a', 44, {
    unknownUnder: [
      'google.golang.org/genproto/googleapis/api/apikeys',
      'google.golang.org/genproto/googleapis/api/servicecontrol',
      'google.golang.org/genproto/googleapis/api/servicemanagement',
      'google.golang.org/genproto/googleapis/api/serviceusage',
    ],
    note: 'apikeys, servicecontrol, servicemanagement and serviceusage are modules of their own (aliases into cloud.google.com/go): left to the program',
  }),
  'google.golang.org/genproto/googleapis/rpc': none('github:googleapis/go-genproto:googleapis/rpc@08b0e42266880154f3122364912db2b5cf01a32a', 6),
  'google.golang.org/grpc': none('github:grpc/grpc-go@4793ad0474669eafbd5346c8a3d098fdfa542498', 275, {
    unknownUnder: [
      'google.golang.org/grpc/admin',
      'google.golang.org/grpc/authz',
      'google.golang.org/grpc/balancer/weightedroundrobin',
      'google.golang.org/grpc/benchmark',
      'google.golang.org/grpc/cmd',
      'google.golang.org/grpc/credentials/google',
      'google.golang.org/grpc/credentials/oauth',
      'google.golang.org/grpc/credentials/tls/certprovider',
      'google.golang.org/grpc/credentials/xds',
      'google.golang.org/grpc/examples',
      'google.golang.org/grpc/experimental/opentelemetry',
      'google.golang.org/grpc/gcp',
      'google.golang.org/grpc/grpclog/glogger',
      'google.golang.org/grpc/internal/credentials/spiffe',
      'google.golang.org/grpc/internal/credentials/xds',
      'google.golang.org/grpc/internal/stubserver',
      'google.golang.org/grpc/internal/testutils',
      'google.golang.org/grpc/internal/xds',
      'google.golang.org/grpc/interop',
      'google.golang.org/grpc/orca',
      'google.golang.org/grpc/security',
      'google.golang.org/grpc/stats/opencensus',
      'google.golang.org/grpc/stats/opentelemetry',
      'google.golang.org/grpc/test',
      'google.golang.org/grpc/xds',
    ],
    note: 'the server, client, codes, status, credentials (insecure, tls, alts, local), health, reflection, keepalive, metadata, balancers and resolvers read; xDS, authz, ORCA, OpenTelemetry/OpenCensus stats, GCP credentials and observability, glog, SPIFFE certificate providers (they import envoy control plane, cncf/xds, otel, opencensus, go-spiffe, oauth2, cloud auth), the test utilities and the nested modules (examples, interop, security/advancedtls, gcp/observability, stats/opencensus, cmd/protoc-gen-go-grpc, test/tools) not read: left to the program',
  }),
  'google.golang.org/protobuf': none('github:protocolbuffers/protobuf-go@f2248ac996afc39b3df0777cdcc269f6ade50b07', 311),
  'gopkg.in/go-playground/webhooks.v3': none('github:go-playground/webhooks@8ffb2ffc32b7af2c7e940944eccba4dcd66c692a', 8, {
    unknownUnder: ['gopkg.in/go-playground/webhooks.v3/gogs'],
    note: 'v3.13.0 (gopkg.in serves the v3 tags); gogs/ (go-gogs-client) not read',
  }),
  'knative.dev/pkg/signals': {
    verdict: 'calls',
    source: 'github:knative/pkg:signals@521cb33b33ddfe74529a68ff564450c051287436',
    files: 3,
    signals: ['SIGINT', 'SIGTERM'],
    calls: ['knative.dev/pkg/signals.SetupSignalHandler', 'knative.dev/pkg/signals.NewContext'],
    sites: [
      site(
        'signal.go#SetupSignalHandler:handler:dynamic',
        36,
        'signal.Notify(c, shutdownSignals...) in SetupSignalHandler (NewContext calls it); shutdownSignals = []os.Signal{os.Interrupt, syscall.SIGTERM} (signal_posix.go)',
        ['SIGINT', 'SIGTERM'],
      ),
    ],
    note: 'SetupSignalHandler (and NewContext, which calls it) closes the returned channel / ends the context on SIGINT or SIGTERM; a second signal exits 1',
  },
  'sigs.k8s.io/controller-runtime/pkg/manager/signals': {
    verdict: 'calls',
    source: 'github:kubernetes-sigs/controller-runtime:pkg/manager/signals@86a0d40e047cf6b7b18d1eb47d15639821863d05',
    files: 4,
    signals: ['SIGINT', 'SIGTERM'],
    calls: ['sigs.k8s.io/controller-runtime/pkg/manager/signals.SetupSignalHandler'],
    sites: [
      site(
        'signal.go#SetupSignalHandler:handler:dynamic',
        36,
        'signal.Notify(c, shutdownSignals...) in SetupSignalHandler; shutdownSignals = []os.Signal{os.Interrupt, syscall.SIGTERM} (signal_posix.go)',
        ['SIGINT', 'SIGTERM'],
      ),
    ],
    note: 'SetupSignalHandler cancels the returned context on SIGINT or SIGTERM; a second signal exits 1',
  },
};

interface LibraryMatch {
  /** The table's key. */
  name: string;
  library: KnownLibrary;
}

/** The entry for a Python import (`a.b.c` matches the longest of `a.b.c`, `a.b`, `a`). */
export function pythonLibrary(dotted: string): LibraryMatch | undefined {
  const parts = dotted.split('.');
  for (let i = parts.length; i > 0; i--) {
    const name = parts.slice(0, i).join('.');
    if (Object.hasOwn(PYTHON_LIBRARIES, name)) return { name, library: PYTHON_LIBRARIES[name] as KnownLibrary };
  }
  return undefined;
}

/** The entry for a Node module specifier (`pino`, `@opentelemetry/api/build/x`). */
export function nodeLibrary(spec: string): LibraryMatch | undefined {
  const bare = spec.replace(/^node:/, '');
  const name = bare.startsWith('@') ? bare.split('/').slice(0, 2).join('/') : (bare.split('/')[0] ?? bare);
  return Object.hasOwn(NODE_LIBRARIES, name) ? { name, library: NODE_LIBRARIES[name] as KnownLibrary } : undefined;
}

/**
 * The entry for a Go import path: the longest key that is the path or a parent of it, unless the next
 * element is a major-version suffix (`github.com/google/go-github/v60` is another module than the
 * GOPATH-era `github.com/google/go-github`: go.dev/ref/mod#major-version-suffixes).
 */
export function goLibrary(ipath: string): LibraryMatch | undefined {
  const parts = ipath.split('/');
  for (let i = parts.length; i > 0; i--) {
    const name = parts.slice(0, i).join('/');
    if (Object.hasOwn(GO_LIBRARIES, name)) return /^v\d+$/.test(parts[i] ?? '') ? undefined : { name, library: GO_LIBRARIES[name] as KnownLibrary };
  }
  return undefined;
}

/** Whether a Go package path (or `path.Function`) is inside one of the entry's `unknownUnder` packages. */
export function goUnderUnknown(library: KnownLibrary, ipath: string): boolean {
  return (library.unknownUnder ?? []).some((p) => ipath === p || ipath.startsWith(`${p}/`) || ipath.startsWith(`${p}.`));
}

/** Whether a dotted name is inside one of the entry's `unknownUnder` modules. */
export function underUnknown(library: KnownLibrary, dotted: string): boolean {
  return (library.unknownUnder ?? []).some((p) => dotted === p || dotted.startsWith(`${p}.`));
}

/**
 * Whether importing the library leaves `signal` alone, so pid1 may treat the import as known: a 'none'
 * entry none of whose sites may take that signal, or a 'calls' entry (its sites are reached only through
 * its `calls` and `unknownUnder`, which the readers see in the program).
 */
export function leavesSignalAlone(library: KnownLibrary, signal: string): boolean {
  if (library.verdict === 'calls') return true;
  if (library.verdict !== 'none') return false;
  return !(library.sites ?? []).some((s) => {
    const taken = s.resolved ?? sitesSignals(s.key);
    return taken === 'dynamic' || taken.includes(signal);
  });
}

/** The signals in a site key (`file#scope:action:SIGA|SIGB`), or 'dynamic'. */
export function sitesSignals(key: string): string[] | 'dynamic' {
  const last = key.slice(key.lastIndexOf(':') + 1);
  return last === 'dynamic' ? 'dynamic' : last.split('|').filter(Boolean);
}
