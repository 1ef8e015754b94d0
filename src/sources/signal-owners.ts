/**
 * Libraries that may take the stop signal for the program that imports them, although the program's own
 * code never names a signal: servers, frameworks and runners that own the main loop (they install a SIGTERM
 * handler when they start, or at import), and shutdown helpers. pid1 reads a program's own code
 * (program-source.ts); for a third-party import it has not verified (known-libraries.ts), it presumes the
 * library leaves the stop signal alone unless it is listed here, or its name says it deals with signals or
 * shutdowns. Why: a library installs a handler only by calling the runtime's signal API (Go: os/signal;
 * CPython: signal.signal / loop.add_signal_handler; Node: process.on), and the libraries that do so without
 * being asked are the ones that run the program: database drivers, SDK clients, loggers, tracers and
 * parsers do not. Measured on the public corpus (corpus/README.md): of the judged launches this presumption
 * decides, the lost ones outnumber the graceful ones by ten to one.
 *
 * Being listed here only keeps the verdict 'unknown' (a warning): a name added by mistake costs recall, a
 * name missing costs precision. So the lists are generous: a library is listed when it is known to take the
 * signal, or when it runs the program's loop and pid1 has not read how it stops.
 */
import type { SourceLanguage } from '../model/catalogue.js';

/** Go import paths (a path or a parent of it). */
const GO: readonly string[] = [
  'go.uber.org/fx', // App.Run waits for SIGINT/SIGTERM
  'github.com/go-kratos/kratos', // App.Run: signal.Notify on SIGTERM, SIGQUIT, SIGINT by default
  'go-micro.dev',
  'github.com/micro/go-micro', // service.Run stops on SIGTERM/SIGINT/SIGQUIT
  'github.com/asim/go-micro',
  'github.com/micro/micro',
  'github.com/zeromicro/go-zero', // core/proc installs a SIGTERM handler in an init()
  'github.com/tal-tech/go-zero',
  'github.com/kataras/iris', // the host registers an interrupt handler by default
  'github.com/caddyserver/caddy', // TrapSignals
  'github.com/coredns/caddy',
  'github.com/coredns/coredns',
  'github.com/fvbock/endless', // graceful restarts on signals
  'github.com/facebookgo/grace',
  'github.com/tylerb/graceful',
  'gopkg.in/tylerb/graceful.v1',
  'github.com/ory/graceful',
  'github.com/jpillora/overseer',
  'github.com/cloudflare/tableflip',
  'github.com/kardianos/service', // Run waits for SIGINT/SIGTERM on Linux
  'knative.dev/pkg', // sharedmain.Main and signals.NewContext
  'knative.dev/eventing',
  'knative.dev/serving',
  'sigs.k8s.io/controller-runtime', // SetupSignalHandler
  'k8s.io/apiserver', // server.SetupSignalHandler
  'k8s.io/component-base',
  'k8s.io/sample-controller',
  'github.com/cloudwego/hertz', // Spin waits for SIGINT/SIGTERM
  'github.com/cloudwego/kitex', // server.Run waits for a signal
  'gofr.dev', // App.Run shuts down on SIGINT/SIGTERM
  'github.com/gogf/gf', // ghttp handles process signals
  'github.com/beego/beego',
  'github.com/astaxie/beego',
  'go.temporal.io/sdk', // worker.InterruptCh
  'github.com/oklog/run', // run.SignalHandler
  'github.com/nats-io/nats-server', // HandleSignals
  'github.com/ThreeDotsLabs/watermill', // the router's SignalsHandler plugin
  'github.com/dapr/go-sdk/service',
  'github.com/aws/aws-lambda-go', // lambda.Start: with extensions, SIGTERM options
  'github.com/GoogleCloudPlatform/functions-framework-go',
  'github.com/hashicorp/go-plugin',
  'github.com/hashicorp/consul',
  'github.com/hashicorp/vault',
  'github.com/prometheus/prometheus',
  'github.com/grafana/dskit', // services.Manager with signal handlers
  'github.com/weaveworks/common/server', // server.New installs signals.NewHandler: SIGINT/SIGTERM stop the server
  'github.com/weaveworks/common/signals', // Handler.Loop: on SIGINT or SIGTERM it stops its receivers
  'github.com/hibiken/asynq', // Server.Run waits for SIGTERM/SIGINT
  'github.com/RichardKnop/machinery',
  'github.com/gocraft/work',
  'go.uber.org/cadence',
  'github.com/gobuffalo/buffalo', // App.Serve shuts down on SIGINT/SIGTERM
  'github.com/revel/revel',
  'github.com/traefik/traefik',
  'github.com/openfaas',
];

/** Python modules (top-level names or dotted prefixes). */
const PYTHON: readonly string[] = [
  'uvicorn', // Server.serve installs SIGINT/SIGTERM handlers in the main thread
  'gunicorn',
  'hypercorn',
  'daphne',
  'granian',
  'sanic',
  'quart', // app.run: the event loop stops on SIGINT/SIGTERM
  'litestar',
  'robyn',
  'bottle',
  'aiogram', // start_polling(handle_signals=True)
  'telegram', // python-telegram-bot: run_polling(stop_signals=(SIGINT, SIGTERM, SIGABRT))
  'discord', // discord.py: Client.run adds SIGINT/SIGTERM handlers
  'pyrogram',
  'aiohttp', // web.run_app: GracefulExit on SIGINT/SIGTERM
  'twisted', // reactor.run installs SIGINT/SIGTERM handlers
  'cherrypy', // engine.signals on quickstart
  'celery',
  'kopf',
  'scrapy',
  'streamlit',
  'locust',
  'gevent',
  'eventlet',
  // ndscheduler's SchedulerServer.run() (a Tornado server) imports signal for its own stop
  'ndscheduler',
  'tornado',
  'jupyter',
  'jupyter_server',
  'jupyterlab',
  'notebook',
  'ipykernel',
  'prefect',
  'airflow',
  'dagster',
  'luigi',
  'rq',
  'dramatiq',
  'huey',
  'faust',
  'arq',
  'ray', // the driver installs a SIGTERM handler
  'jax', // jax.distributed.initialize starts XLA's preemption sync manager, whose notifier takes SIGTERM
  'pytorch_lightning', // the Trainer's signal connector takes SIGTERM
  'lightning',
  'horovod',
  'deepspeed',
  'accelerate',
  'kserve', // ModelServer.start stops on SIGINT/SIGTERM
  'kserve_storage',
  'sagemaker_inference', // model_server installs a SIGTERM handler that forwards it
  'sagemaker_training',
  'bentoml',
  'mlflow',
  'vllm',
  'sglang',
  'text_generation_server',
  'tritonserver',
  'gradio',
  'chainlit',
  'panel',
  'bokeh',
  'fastmcp',
  'mcp',
  'langserve',
  'functions_framework', // runs gunicorn / flask
  'django', // runserver's autoreloader: SIGTERM -> sys.exit(0)
  'werkzeug',
  'flask_socketio',
  'socketio',
  'waitress',
  'supervisor',
  'circus',
  'honcho',
  'daemon',
  'nameko',
  'dapr.ext',
  'google.cloud.functions',
  'azure.functions',
  'azure.functions_worker',
  'awslambdaric',
  'watchdog',
  'hupper',
  'pydevd',
  'debugpy',
  'ptvsd',
];

/** Node packages (bare names, scoped names whole). */
const NODE: readonly string[] = [
  'next', // `next start` closes the server on SIGTERM/SIGINT
  'nuxt',
  'nitropack',
  '@nestjs/core', // enableShutdownHooks
  '@loopback/core', // Application stops on SIGTERM by default
  '@loopback/rest',
  'loopback',
  'strapi',
  '@strapi/strapi',
  'sails',
  '@adonisjs/core',
  '@godaddy/terminus',
  'lightship',
  'close-with-grace',
  'exit-hook',
  'async-exit-hook',
  'signal-exit',
  'node-cleanup',
  'death',
  'http-graceful-shutdown',
  'moleculer',
  'pm2',
  'nodemon',
  'concurrently',
  'npm-run-all',
  'fastify-cli',
  'forever',
  'ts-node-dev',
  'tsx',
  '@google-cloud/functions-framework', // registers SIGTERM/SIGINT handlers
  'micro',
  '@remix-run/serve',
  '@sveltejs/kit',
  'astro',
  'meteor',
  'feathers',
  '@feathersjs/feathers',
  'egg',
  'midway',
  '@midwayjs/core',
  'thinkjs',
  'restify',
  'gatsby',
  'vite',
  'webpack-dev-server',
  'browser-sync',
  'json-server',
  'serve',
  'http-server',
  'live-server',
  'puppeteer', // launch() handles SIGINT/SIGTERM/SIGHUP to close the browser
  'playwright',
  'playwright-core',
  'bull',
  'bullmq',
  'bee-queue',
  'agenda',
  '@azure/functions',
  'aws-lambda-ric',
  'probot',
  'botkit',
  'hubot',
  'discord.js',
  'telegraf',
];

/** A name that says it deals with signals or with stopping: `signals`, `graceful`, `shutdown`, `terminus`, `lifecycle`. */
const SAYS_SIGNALS = /signal|graceful|shutdown|terminat|lifecycle|daemon|supervis/i;

const TABLES: Record<SourceLanguage, readonly string[]> = { go: GO, python: PYTHON, javascript: NODE };

function under(module: string, prefix: string, language: SourceLanguage): boolean {
  if (module === prefix) return true;
  const sep = language === 'python' ? '.' : '/';
  return module.startsWith(`${prefix}${sep}`);
}

/**
 * Whether an import of a library pid1 has not verified may take the stop signal for the program: it is
 * listed above, or its name says it deals with signals. Otherwise pid1 presumes it leaves the signal alone.
 */
export function mayTakeStopSignal(language: SourceLanguage, module: string): boolean {
  const bare = language === 'javascript' ? module.replace(/^node:/, '') : module;
  if (SAYS_SIGNALS.test(bare)) return true;
  return TABLES[language].some((p) => under(bare, p, language));
}
