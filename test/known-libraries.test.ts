/**
 * The table of verified libraries (src/sources/known-libraries.ts) is well-formed, and its verdicts reach
 * the program analysis: a program that imports only libraries verified to install no handler, and has
 * none itself, is a certain 'no-handler'; one that calls the API that installs a handler is 'handles'.
 * The table's facts themselves are re-checked against the packages by scripts/verify-known-libraries.mjs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeProgramSource } from '../src/sources/program-source.js';
import {
  GO_LIBRARIES,
  goLibrary,
  goUnderUnknown,
  leavesSignalAlone,
  NODE_LIBRARIES,
  nodeLibrary,
  PYTHON_LIBRARIES,
  pythonLibrary,
  sitesSignals,
  STOP_SIGNALS,
  type KnownLibrary,
} from '../src/sources/known-libraries.js';

const SIGNAL = /^SIG[A-Z0-9]+$/;

function wellFormed(name: string, lib: KnownLibrary, language: 'python' | 'javascript' | 'go'): void {
  const src = /^(debian|npm|github):(.+)@([^@]+)$/.exec(lib.source);
  assert.ok(src, `${name}: source ${lib.source}`);
  if (language === 'python') assert.notEqual(src[1], 'npm', `${name}: a Python library from npm`);
  else if (language === 'go') assert.match(lib.source, /^github:[\w.-]+\/[\w.-]+(:[\w./-]+)?@[0-9a-f]{40}$/, `${name}: a Go module from a pinned GitHub commit`);
  else assert.notEqual(src[1], 'debian', `${name}: a Node library from Debian`);
  assert.ok(['none', 'calls', 'import', 'unknown'].includes(lib.verdict), `${name}: verdict ${lib.verdict}`);
  assert.ok(Number.isInteger(lib.files) && lib.files >= 0, `${name}: files`);
  for (const s of lib.signals ?? []) assert.match(s, SIGNAL, `${name}: signal ${s}`);
  if (lib.verdict === 'calls')
    assert.ok(lib.calls !== undefined && lib.signals !== undefined && (lib.calls.length > 0 || (lib.unknownUnder ?? []).length > 0), `${name}: 'calls' needs calls or unknownUnder, and signals`);
  if (lib.verdict === 'import') assert.ok((lib.signals ?? []).length > 0, `${name}: 'import' needs signals`);
  if (lib.verdict !== 'none') assert.ok(lib.note, `${name}: a verdict other than 'none' says why`);
  for (const c of lib.calls ?? []) {
    if (language === 'python') assert.equal(pythonLibrary(c)?.name, name, `${name}: call ${c} belongs to another entry`);
    else if (language === 'go') assert.equal(goLibrary(c.slice(0, c.lastIndexOf('.')))?.name, name, `${name}: call ${c} belongs to another entry`);
    else assert.match(c, /^[A-Za-z_$][\w$]*$/, `${name}: call ${c}`);
  }
  for (const s of lib.sites ?? []) {
    assert.match(s.key, /^[^#]+#[^:]+:(handler|ignore|block):(dynamic|SIG[A-Z0-9]+(\|SIG[A-Z0-9]+)*)$/, `${name}: site key ${s.key}`);
    assert.ok(s.line >= 1 && s.why.length > 0 && !s.why.startsWith('TODO'), `${name}: site ${s.key} needs a line and a why`);
    if (lib.verdict === 'none') {
      const taken = s.resolved ?? sitesSignals(s.key);
      assert.ok(taken !== 'dynamic' && !taken.some((x) => STOP_SIGNALS.includes(x)), `${name}: 'none' but ${s.key} may take a stop signal`);
    }
  }
  for (const n of lib.native ?? []) assert.match(n, /^\S+:[a-zA-Z_,]+$/, `${name}: native ${n}`);
}

describe('the table of verified libraries', () => {
  test('Python entries are well-formed', () => {
    assert.ok(Object.keys(PYTHON_LIBRARIES).length >= 60);
    for (const [name, lib] of Object.entries(PYTHON_LIBRARIES)) {
      assert.match(name, /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, name);
      wellFormed(name, lib, 'python');
    }
  });
  test('Node entries are well-formed', () => {
    assert.ok(Object.keys(NODE_LIBRARIES).length >= 40);
    for (const [name, lib] of Object.entries(NODE_LIBRARIES)) {
      assert.match(name, /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i, name);
      wellFormed(name, lib, 'javascript');
    }
  });
  test('Go entries are well-formed', () => {
    assert.ok(Object.keys(GO_LIBRARIES).length >= 25);
    for (const [name, lib] of Object.entries(GO_LIBRARIES)) {
      assert.match(name, /^[a-z0-9.-]+\.[a-z]+(\/[\w.-]+)*$/i, name);
      wellFormed(name, lib, 'go');
      for (const u of lib.unknownUnder ?? []) assert.ok(u.startsWith(`${name}/`), `${name}: unknownUnder ${u} is outside the entry`);
    }
  });
  test('Go lookups: the longest path prefix, at path boundaries', () => {
    assert.equal(goLibrary('github.com/go-chi/chi/v5/middleware')?.name, 'github.com/go-chi/chi/v5');
    assert.equal(goLibrary('golang.org/x/net/context')?.name, 'golang.org/x/net');
    assert.equal(goLibrary('github.com/gorilla/muxer'), undefined, 'a longer name is another module');
    assert.equal(goLibrary('github.com/go-chi/chi'), undefined, 'chi v1 (no /v5) is another module');
    assert.equal(goLibrary('knative.dev/pkg/injection/sharedmain'), undefined, 'only the signals package of knative.dev/pkg is read');
    assert.ok(goUnderUnknown(GO_LIBRARIES['github.com/lib/pq'] as KnownLibrary, 'github.com/lib/pq/auth/kerberos'));
    assert.ok(!goUnderUnknown(GO_LIBRARIES['github.com/lib/pq'] as KnownLibrary, 'github.com/lib/pq/oid'));
    assert.equal(goLibrary('github.com/prometheus/client_golang/prometheus/promhttp')?.name, 'github.com/prometheus/client_golang');
    assert.equal(goLibrary('google.golang.org/genproto/googleapis/rpc/status')?.name, 'google.golang.org/genproto/googleapis/rpc');
    assert.equal(goLibrary('gopkg.in/go-playground/webhooks.v3/github')?.name, 'gopkg.in/go-playground/webhooks.v3');
    assert.equal(goLibrary('github.com/google/go-github/github')?.name, 'github.com/google/go-github');
    assert.equal(goLibrary('github.com/google/go-github/v60/github'), undefined, 'a major-version suffix is another module');
    assert.equal(goLibrary('github.com/codegangsta/negroni/v3'), undefined, 'a major-version suffix is another module');
    assert.ok(goUnderUnknown(GO_LIBRARIES['golang.org/x/oauth2'] as KnownLibrary, 'golang.org/x/oauth2/google'));
    assert.ok(!goUnderUnknown(GO_LIBRARIES['golang.org/x/oauth2'] as KnownLibrary, 'golang.org/x/oauth2'));
    assert.equal(goLibrary('google.golang.org/genproto/googleapis/cloud/secretmanager/v1'), undefined, 'only genproto googleapis/api and googleapis/rpc are read');
    const grpc = GO_LIBRARIES['google.golang.org/grpc'] as KnownLibrary;
    for (const known of ['google.golang.org/grpc', 'google.golang.org/grpc/credentials/insecure', 'google.golang.org/grpc/health', 'google.golang.org/grpc/reflection'])
      assert.ok(!goUnderUnknown(grpc, known), `${known} is read`);
    for (const left of ['google.golang.org/grpc/xds', 'google.golang.org/grpc/stats/opentelemetry', 'google.golang.org/grpc/credentials/google'])
      assert.ok(goUnderUnknown(grpc, left), `${left} is left to the program`);
    assert.ok(!goUnderUnknown(grpc, 'google.golang.org/grpc/testing'), 'a sibling with a longer name is not under test');
    // The OpenTelemetry repository: one entry for the API and SDK modules, one for the exporter the corpus pins apart.
    assert.equal(goLibrary('go.opentelemetry.io/otel/sdk/metric')?.name, 'go.opentelemetry.io/otel');
    assert.equal(goLibrary('go.opentelemetry.io/otel/semconv/v1.24.0')?.name, 'go.opentelemetry.io/otel', 'a semconv version directory is no major-version suffix');
    assert.equal(goLibrary('go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc')?.name, 'go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc');
    const otel = GO_LIBRARIES['go.opentelemetry.io/otel'] as KnownLibrary;
    assert.ok(goUnderUnknown(otel, 'go.opentelemetry.io/otel/exporters/prometheus'), 'exporters without an entry of their own are left to the program');
    assert.ok(goUnderUnknown(otel, 'go.opentelemetry.io/otel/bridge/opencensus'));
    assert.ok(goUnderUnknown(GO_LIBRARIES['github.com/aymerick/douceur'] as KnownLibrary, 'github.com/aymerick/douceur/inliner'));
  });
  test('lookups: the longest dotted prefix, the package of a deep import', () => {
    assert.equal(pythonLibrary('requests.adapters')?.name, 'requests');
    assert.equal(pythonLibrary('google.protobuf.json_format')?.name, 'google.protobuf');
    assert.equal(pythonLibrary('google'), undefined, 'a namespace package alone is no library');
    assert.equal(pythonLibrary('no_such_module_here'), undefined);
    assert.equal(pythonLibrary('opentelemetry.sdk.trace.export')?.name, 'opentelemetry.sdk');
    assert.equal(pythonLibrary('opentelemetry'), undefined, 'the opentelemetry namespace alone is no library');
    assert.equal(pythonLibrary('opentelemetry.exporter.otlp.proto.grpc.trace_exporter')?.name, 'opentelemetry.exporter.otlp.proto.grpc');
    assert.equal(pythonLibrary('opentelemetry.instrumentation.grpc')?.name, 'opentelemetry.instrumentation.grpc');
    assert.equal(pythonLibrary('opentelemetry.instrumentation.flask'), undefined, 'an instrumentation not read is no part of the base distribution');
    assert.equal(pythonLibrary('opentelemetry.instrumentation.auto_instrumentation'), undefined, 'auto-instrumentation (entry points) is not keyed');
    assert.equal(pythonLibrary('google.rpc.status_pb2')?.name, 'google.rpc');
    assert.equal(pythonLibrary('google.api_core.exceptions'), undefined, 'google.api is not google.api_core');
    assert.equal(pythonLibrary('google.cloud.storage'), undefined, 'only two parts of google.cloud come from the common protos');
    assert.equal(nodeLibrary('pino/file')?.name, 'pino');
    assert.equal(nodeLibrary('@opentelemetry/resources/build/src/index.js')?.name, '@opentelemetry/resources');
    assert.equal(nodeLibrary('@opentelemetry/api'), undefined, 'a scope is no package');
    assert.equal(nodeLibrary('toString'), undefined, 'no prototype keys');
  });
  test('a library that handles only other signals leaves the stop signal alone', () => {
    const tornado = PYTHON_LIBRARIES.tornado as KnownLibrary;
    assert.equal(tornado.verdict, 'none');
    assert.ok(leavesSignalAlone(tornado, 'SIGTERM'));
    assert.ok(!leavesSignalAlone(tornado, 'SIGCHLD'), 'tornado takes SIGCHLD in Subprocess');
  });
});

interface Case {
  name: string;
  files: Record<string, string>;
  signal?: string;
  verdict: 'handles' | 'no-handler' | 'unknown';
  reason?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'Python: only verified libraries, no handler',
    files: {
      'worker.py':
        'import json, time\nimport requests\nimport redis\nfrom sqlalchemy import create_engine\nimport yaml\n\nr = redis.Redis()\nwhile True:\n    requests.get("http://localhost:8080")\n    time.sleep(5)\n',
    },
    verdict: 'no-handler',
  },
  { name: 'Python: google.protobuf and grpc', files: { 'app.py': 'from google.protobuf import json_format\nimport grpc\nimport time\ntime.sleep(1e9)\n' }, verdict: 'no-handler' },
  {
    name: 'Python: the OpenTelemetry API and SDK (from the snapshot), no handler',
    files: {
      'app.py':
        'import time\nfrom opentelemetry import trace\nfrom opentelemetry.sdk.trace import TracerProvider\nfrom opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter\n\ntrace.set_tracer_provider(TracerProvider())\ntrace.get_tracer_provider().add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))\nwhile True:\n    time.sleep(5)\n',
    },
    verdict: 'no-handler',
  },
  {
    name: 'Python: a gRPC server instrumented with OpenTelemetry (grpc instrumentation, OTLP exporter), no handler',
    files: {
      'server.py':
        'from concurrent import futures\nimport grpc\nfrom opentelemetry import trace\nfrom opentelemetry.instrumentation.grpc import GrpcInstrumentorServer\nfrom opentelemetry.sdk.trace import TracerProvider\nfrom opentelemetry.sdk.trace.export import BatchSpanProcessor\nfrom opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter\n\ntrace.set_tracer_provider(TracerProvider())\ntrace.get_tracer_provider().add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))\nGrpcInstrumentorServer().instrument()\nserver = grpc.server(futures.ThreadPoolExecutor(max_workers=10))\nserver.add_insecure_port("[::]:8080")\nserver.start()\nserver.wait_for_termination()\n',
    },
    verdict: 'no-handler',
  },
  {
    name: 'Python: an OpenTelemetry instrumentation not read is presumed to leave the signal alone (signal-owners.ts)',
    files: { 'app.py': 'import time\nfrom opentelemetry import trace\nfrom opentelemetry.instrumentation.flask import FlaskInstrumentor\nFlaskInstrumentor().instrument()\ntime.sleep(1e9)\n' },
    verdict: 'no-handler',
    reason: /its other imports \(opentelemetry\.instrumentation\.flask\) are libraries not known to take signals/,
  },
  {
    name: 'Python: a part of prometheus_flask_exporter left to the program (Connexion)',
    files: { 'app.py': 'from flask import Flask\nfrom prometheus_flask_exporter import ConnexionPrometheusMetrics\nmetrics = ConnexionPrometheusMetrics(Flask(__name__))\n' },
    verdict: 'unknown',
    reason: /ConnexionPrometheusMetrics/,
  },
  {
    name: 'Python: prometheus_flask_exporter.PrometheusMetrics installs no handler',
    files: {
      'app.py':
        'import time\nfrom flask import Flask\nfrom prometheus_flask_exporter import PrometheusMetrics\napp = Flask(__name__)\nmetrics = PrometheusMetrics(app)\nwhile True:\n    time.sleep(5)\n',
    },
    verdict: 'no-handler',
  },
  {
    name: 'Python: a verified library plus one pid1 does not know, presumed to leave the signal alone',
    files: { 'app.py': 'import requests\nimport acme_internal_sdk\nacme_internal_sdk.run()\n' },
    verdict: 'no-handler',
    reason: /its other imports \(acme_internal_sdk\)/,
  },
  {
    name: 'Python: a verified library plus a server pid1 has not verified (signal-owners.ts)',
    files: { 'app.py': 'import requests\nimport dramatiq\ndramatiq.get_broker().join("q")\n' },
    verdict: 'unknown',
    reason: /dramatiq \(libraries that may take signals\)/,
  },
  { name: 'Python: uvicorn.run installs the handler', files: { 'main.py': 'import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nuvicorn.run(app)\n' }, verdict: 'handles' },
  {
    name: 'Python: a call into a part of a library that can install one',
    files: { 'train.py': 'import torch\nfrom torch.distributed.elastic.multiprocessing import start_processes\nstart_processes()\n' },
    verdict: 'unknown',
    reason: /torch\.distributed\.elastic/,
  },
  {
    name: 'Python: a module beside the file shadows the library',
    files: { 'app.py': 'import redis\nredis.serve()\n', 'redis.py': 'import signal\n\ndef serve():\n    pass\n\nsignal.signal(signal.SIGTERM, print)\n' },
    verdict: 'handles',
  },
  {
    name: 'Python: a stop signal the library may take (tornado, SIGCHLD)',
    signal: 'SIGCHLD',
    files: { 'app.py': 'import tornado.ioloop\ntornado.ioloop.IOLoop.current().start()\n' },
    verdict: 'unknown',
  },
  {
    name: 'Node: only verified packages, no listener',
    files: {
      'server.js':
        "const express = require('express');\nconst cors = require('cors');\nconst { Pool } = require('pg');\nconst pino = require('pino');\nconst app = express();\napp.use(cors());\napp.listen(3000);\n",
    },
    verdict: 'no-handler',
    reason: /Node re-raises/,
  },
  {
    name: 'Go: a server importing only verified modules, no signal.Notify',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"net/http"\n\n\t_ "github.com/lib/pq"\n\t"github.com/gorilla/handlers"\n\t"github.com/gorilla/mux"\n\t"go.uber.org/zap"\n)\n\nfunc main() {\n\tzap.NewExample()\n\tr := mux.NewRouter()\n\thttp.ListenAndServe(":8000", handlers.CompressHandler(r))\n}\n',
    },
    verdict: 'no-handler',
    reason: /Go runtime exits at once/,
  },
  {
    name: 'Go: knative signals.NewContext (a verified "calls" entry) takes SIGTERM',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"net/http"\n\n\t"knative.dev/pkg/signals"\n)\n\nfunc main() {\n\tctx := signals.NewContext()\n\tgo http.ListenAndServe(":8080", nil)\n\t<-ctx.Done()\n}\n',
    },
    verdict: 'handles',
    reason: /knative\.dev\/pkg\/signals\.NewContext/,
  },
  {
    name: 'Go: controller-runtime signals.SetupSignalHandler under an import alias',
    files: { 'main.go': 'package main\n\nimport crsignals "sigs.k8s.io/controller-runtime/pkg/manager/signals"\n\nfunc main() {\n\t<-crsignals.SetupSignalHandler().Done()\n}\n' },
    verdict: 'handles',
  },
  {
    name: 'Go: prometheus client_golang and gRPC with health and reflection, no signal.Notify',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"net"\n\t"net/http"\n\n\t"github.com/prometheus/client_golang/prometheus"\n\t"github.com/prometheus/client_golang/prometheus/promauto"\n\t"github.com/prometheus/client_golang/prometheus/promhttp"\n\t"google.golang.org/grpc"\n\t"google.golang.org/grpc/health"\n\t"google.golang.org/grpc/reflection"\n)\n\nvar served = promauto.NewCounter(prometheus.CounterOpts{Name: "served"})\n\nfunc main() {\n\thttp.Handle("/metrics", promhttp.Handler())\n\tgo http.ListenAndServe(":9090", nil)\n\ts := grpc.NewServer()\n\t_ = health.NewServer()\n\treflection.Register(s)\n\tl, _ := net.Listen("tcp", ":8080")\n\ts.Serve(l)\n}\n',
    },
    verdict: 'no-handler',
    reason: /Go runtime exits at once/,
  },
  {
    name: 'Go: a part of gRPC the entry leaves to the program (xDS)',
    files: { 'main.go': 'package main\n\nimport (\n\t"google.golang.org/grpc"\n\t"google.golang.org/grpc/xds"\n)\n\nfunc main() {\n\t_, _ = xds.NewGRPCServer()\n\t_ = grpc.NewServer()\n}\n' },
    verdict: 'unknown',
    reason: /google\.golang\.org\/grpc\/xds/,
  },
  {
    name: 'Go: a part of a verified module the entry leaves to the program',
    files: { 'main.go': 'package main\n\nimport (\n\t"net/http"\n\n\t_ "github.com/lib/pq/auth/kerberos"\n)\n\nfunc main() {\n\thttp.ListenAndServe(":8000", nil)\n}\n' },
    verdict: 'unknown',
    reason: /github\.com\/lib\/pq\/auth\/kerberos/,
  },
  {
    name: 'Go: a verified module plus one pid1 does not know, presumed to leave the signal alone',
    files: { 'main.go': 'package main\n\nimport (\n\t"github.com/gorilla/mux"\n\t"example.org/acme/server"\n)\n\nfunc main() {\n\tserver.Run(mux.NewRouter())\n}\n' },
    verdict: 'no-handler',
    reason: /its other imports \(example\.org\/acme\/server\)/,
  },
  {
    name: 'Node: an instrumented express server (Instana collector, body-parser, express-pino-logger, request), no listener',
    files: {
      'server.js':
        "const instana = require('@instana/collector');\ninstana({ tracing: { enabled: true } });\nconst request = require('request');\nconst bodyParser = require('body-parser');\nconst express = require('express');\nconst expPino = require('express-pino-logger');\nconst app = express();\napp.use(expPino());\napp.use(bodyParser.json());\napp.listen(8080);\n",
    },
    verdict: 'no-handler',
    reason: /Node re-raises/,
  },
  {
    name: 'Node: AWS X-Ray and the AWS SDK v2, markdown-it and handlebars, no listener',
    files: {
      'app.js':
        "const express = require('express');\nconst XRay = require('aws-xray-sdk');\nconst AWS = XRay.captureAWS(require('aws-sdk'));\nconst md = require('markdown-it')();\nconst handlebars = require('handlebars');\nconst app = express();\napp.use(XRay.express.openSegment('app'));\napp.get('/', (req, res) => res.send(handlebars.compile('{{x}}')({ x: md.render('# hi') })));\napp.listen(3000);\n",
    },
    verdict: 'no-handler',
    reason: /Node re-raises/,
  },
  {
    name: 'Python: youtube_dl (from the snapshot), no handler',
    files: { 'worker.py': 'import time\nimport youtube_dl\n\nwhile True:\n    with youtube_dl.YoutubeDL({}) as ydl:\n        ydl.download(["https://example.org/v"])\n    time.sleep(5)\n' },
    verdict: 'no-handler',
  },
  {
    name: 'Go: markdown rendering with blackfriday and bluemonday, no signal.Notify',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"net/http"\n\n\t"github.com/microcosm-cc/bluemonday"\n\t"github.com/russross/blackfriday/v2"\n)\n\nfunc main() {\n\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {\n\t\tw.Write(bluemonday.UGCPolicy().SanitizeBytes(blackfriday.Run([]byte("# hi"))))\n\t})\n\thttp.ListenAndServe(":8080", nil)\n}\n',
    },
    verdict: 'no-handler',
    reason: /Go runtime exits at once/,
  },
  {
    name: 'Go: OpenTelemetry metrics over OTLP/gRPC, no signal.Notify',
    files: {
      'main.go':
        'package main\n\nimport (\n\t"context"\n\t"net/http"\n\n\t"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"\n\t"go.opentelemetry.io/otel/metric"\n\tsdkmetric "go.opentelemetry.io/otel/sdk/metric"\n\t"go.opentelemetry.io/otel/sdk/resource"\n\tsemconv "go.opentelemetry.io/otel/semconv/v1.24.0"\n)\n\nvar counter metric.Int64Counter\n\nfunc main() {\n\tctx := context.Background()\n\texp, _ := otlpmetricgrpc.New(ctx)\n\tres := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("app"))\n\tprovider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)), sdkmetric.WithResource(res))\n\tcounter, _ = provider.Meter("app").Int64Counter("requests")\n\thttp.ListenAndServe(":8080", nil)\n}\n',
    },
    verdict: 'no-handler',
    reason: /Go runtime exits at once/,
  },
  {
    name: 'Go: an OpenTelemetry exporter without an entry of its own stays unknown',
    files: {
      'main.go': 'package main\n\nimport (\n\t"net/http"\n\n\t"go.opentelemetry.io/otel/exporters/prometheus"\n)\n\nfunc main() {\n\t_, _ = prometheus.New()\n\thttp.ListenAndServe(":8080", nil)\n}\n',
    },
    verdict: 'unknown',
    reason: /go\.opentelemetry\.io\/otel\/exporters\/prometheus/,
  },
  {
    name: 'Node: a package pid1 does not know, presumed to leave the signal alone',
    files: { 'server.js': "const x = require('acme-internal-server');\nx.start();\n" },
    verdict: 'no-handler',
    reason: /its other imports \(acme-internal-server\)/,
  },
  {
    name: 'Node: a shutdown helper pid1 has not verified keeps the verdict open',
    files: { 'server.js': "const onExit = require('signal-exit');\nonExit(() => {});\n" },
    verdict: 'unknown',
    reason: /signal-exit/,
  },
];

describe('verified libraries in program analysis', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const entry = Object.keys(c.files)[0] as string;
      const r = await analyzeProgramSource(c.files[entry] as string, { path: entry, readFile: (p) => c.files[p], ...(c.signal ? { signal: c.signal } : {}) });
      assert.equal(r.verdict, c.verdict, `${r.verdict}: ${r.reason}`);
      if (c.reason) assert.match(r.reason, c.reason);
    });
  }
});
