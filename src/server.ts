// The composition root: starts the whole service on a port, and stops it in the reverse order. What
// src/main.ts runs for the process, and what tests start on port 0. Built in this order, each from the ones
// before it: the infrastructure (PostgreSQL, Redis, pub/sub), the services (src/services.ts), the app
// (src/app.ts, Yoga), then the process pieces: the dependency watch, the job queue (deliveries and our own
// jobs), the listener and the intake.
import { createServer } from 'node:http';
import type { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type App, createApp } from './app.js';
import { createTokenVerifier } from './auth.js';
import type { Config } from './config.js';
import { createDatabase } from './db.js';
import { startDelivery } from './delivery/start.js';
import { checkDependencies } from './health/startup.js';
import { watchDependencies } from './health/watch.js';
import { loadTrustedDocuments } from './http/trusted-documents.js';
import { startEventIntake } from './intake/consumer.js';
import { housekeeping } from './jobs/housekeeping.js';
import { scheduleWakeUps } from './jobs/wake-ups.js';
import type { Logger } from './logger.js';
import { shuttingDown } from './notifications/live-streams.js';
import { createPubSub } from './pubsub.js';
import { redisConnections } from './redis.js';
import { createServices } from './services.js';
import { StartupError } from './startup-error.js';

/** How long open streams get to deliver their last message when the server stops. */
const STREAM_DRAIN_MS = 3000;
const FLUSH_MS = 250;

export interface RunningServer {
  app: App;
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  databaseUrl: string;
  stop(): Promise<void>;
  /** For a process about to exit before `stop` finished: ends what would outlive it (the embedded PostgreSQL). */
  stopNow(): void;
  /** While `stop` runs: the steps under way, and what the finished ones took. */
  stopSteps(): { underWay: string[]; stepsMs: Record<string, number> };
}

export interface StartOptions {
  graphiqlHeaders?: Record<string, string>;
  /** Asked at each GraphiQL page load outside production, for headers fresher than `graphiqlHeaders`. */
  freshGraphiqlHeaders?: (() => Promise<Record<string, string>>) | undefined;
  /** With the development outbox on: a user given an outbox address, unless they have a profile already. */
  devRecipient?: string;
  /** Trusted for push services' certificates (a test's own push receiver); the system's CAs otherwise. */
  pushAgent?: Agent;
}

/**
 * Starts everything, or nothing: PostgreSQL, its schema and Redis are checked before anything listens, and
 * a failure part-way stops what was started before it is thrown (a StartupError says why in one line).
 */
export async function startServer(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const started: Array<() => Promise<unknown>> = [];
  try {
    return await start(config, logger, options, started);
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => {});
    throw error;
  }
}

function listenProblem(error: unknown, config: Config): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `port ${config.port} on ${config.host} is in use: is the server already running? stop it, or set PORT to another port`,
    );
  }
  if (code === 'EACCES') return new StartupError(`no permission to listen on port ${config.port}: set PORT above 1023`);
  return error;
}

async function start(
  config: Config,
  logger: Logger,
  options: StartOptions,
  started: Array<() => Promise<unknown>>,
): Promise<RunningServer> {
  const { persistedOperations } = config.security;
  const trustedDocuments = persistedOperations.manifest
    ? loadTrustedDocuments(persistedOperations.manifest)
    : undefined;
  // Development tooling (src/dev/) is imported only when it is used: production never loads it, nor needs
  // the packages it brings (devDependencies).
  const demoPage = config.demo
    ? await import('./dev/demo-page.js').then(async (demo) =>
        demo.useDemoPage(await demo.buildDemoPage(persistedOperations.mode)),
      )
    : undefined;
  const graphiqlTabs =
    config.graphiql && config.env !== 'production'
      ? (await import('./dev/graphiql-tabs.js')).graphiqlTabs(options.graphiqlHeaders ?? {})
      : undefined;
  const graphiqlPage =
    config.graphiql && config.env !== 'production' && options.freshGraphiqlHeaders
      ? (await import('./dev/graphiql-page.js')).devGraphiqlPage(options.freshGraphiqlHeaders)
      : undefined;
  // With the development outbox, email goes to an SMTP catcher in this process (src/dev/outbox/).
  const outboxModule = config.delivery.devOutbox ? await import('./dev/outbox/start.js') : undefined;
  const outbox = await outboxModule?.startDevOutbox(logger);
  if (outbox) {
    started.push(() => outbox.close());
    config = outbox.configure(config);
  }
  const embedded = config.database.url
    ? undefined
    : await (await import('./dev/embedded-postgres.js')).startEmbeddedPostgres(config.database.embeddedDir, logger);
  if (embedded) started.push(() => embedded.stop());
  const databaseUrl = config.database.url ?? embedded!.url;
  await checkDependencies(config, databaseUrl, logger);
  const db = createDatabase(databaseUrl, config.database.poolSize);
  started.push(() => db.$disconnect());
  // The client's first query loads its query compiler and opens the pool: slow on a busy machine, and better
  // paid here than by the first request or the first /ready.
  await db.$queryRaw`SELECT 1`;
  const redis = config.redis.url ? redisConnections(config.redis.url, logger) : undefined;
  if (redis) started.push(() => redis.close());
  const pubsub = await createPubSub({ redis, keyPrefix: config.redis.keyPrefix, logger });
  started.push(() => pubsub.close());
  const infrastructure = { config, db, pubsub, redis, logger };

  const built = createServices(infrastructure);
  const { services, metrics } = built;

  const app = createApp(
    {
      ...infrastructure,
      verifyToken: createTokenVerifier(config.jwt, config.security.maxUserTokenAgeSeconds),
      graphiqlHeaders: options.graphiqlHeaders,
      graphiqlTabs,
      graphiqlPage,
      trustedDocuments,
      demoPage,
      devOutboxPage: outbox?.page,
    },
    built,
  );
  if (outboxModule && options.devRecipient)
    await outboxModule.ensureDevRecipient(services.recipients, options.devRecipient);
  started.push(async () => app.yoga.dispose());
  // Start even when Redis is away (ioredis keeps reconnecting: creating and reading need only PostgreSQL),
  // but not before the connections opened so far had their chance, or the first requests' limits would
  // find them still connecting.
  await redis?.connected();

  const watch = watchDependencies(built.dependencies, logger);
  started.push(() => watch.stop());

  // Before listening: the queue installs its schema, which every create that queues a delivery needs. It
  // runs our own jobs too (src/jobs/), so it runs with no channel configured.
  let url = '';
  const queue = await startDelivery({
    config,
    databaseUrl,
    db,
    parts: app.delivery,
    housekeeping: housekeeping({ db, notifications: services.notifications, config, metrics, logger }),
    serverUrl: () => url,
    logger,
    pushAgent: options.pushAgent,
    onPushSent:
      outbox && ((endpoint, payload) => outbox.outbox.add({ kind: 'push', endpoint, payload: JSON.parse(payload) })),
  });
  started.push(() => queue.stop());
  const wakeUps = scheduleWakeUps(db, services.notifications, queue.nudge, logger);
  started.push(async () => wakeUps());

  const server = createServer(app.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenProblem(error, config)));
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  url = `http://${host}:${port}`;

  // Producers that are not GraphQL clients XADD events to a Redis Stream; every instance consumes it.
  const intake =
    config.intake.enabled && redis
      ? startEventIntake({
          config: config.intake,
          redis,
          publishing: services.publishing,
          logger,
          count: (result) => metrics.intake.inc({ result }),
        })
      : undefined;

  let stopping: Promise<void> | undefined;
  // What each step of the stop took, and the ones under way: a stop that overruns its deadline says where.
  const stepsMs: Record<string, number> = {};
  const underWay = new Set<string>();
  const timed = async (name: string, run: () => unknown) => {
    underWay.add(name);
    const started = performance.now();
    await run();
    stepsMs[name] = Math.round(performance.now() - started);
    underWay.delete(name);
  };
  // In the reverse order of the start.
  const stop = () => {
    stopping ??= (async () => {
      // The ways in stop together, requests, stream events and jobs alike (the event in hand is finished and
      // acknowledged, running jobs are finished or released, each in its own time); then every stream ends
      // with SHUTTING_DOWN so its client resumes elsewhere, those last messages get a moment to leave, and
      // what is left is closed.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const intakeStopped = timed('intake', () => intake?.stop());
      wakeUps();
      const queueStopped = timed('queue', () => queue.stop());
      await timed('streams', () => services.liveStreams.endAll(shuttingDown(), STREAM_DRAIN_MS));
      // The streams' last messages are written; let them leave the sockets before cutting them.
      await timed('flush', () => new Promise((resolve) => setTimeout(resolve, FLUSH_MS)));
      server.closeAllConnections();
      await timed('connections', () => closed);
      await intakeStopped;
      await queueStopped;
      await timed('watch', () => watch.stop());
      await timed('yoga', () => app.yoga.dispose());
      await timed('pubsub', () => pubsub.close());
      await timed('redis', () => redis?.close());
      await timed('database', () => db.$disconnect());
      await timed('embedded', () => embedded?.stop());
      logger.info({ stepsMs }, 'stopped');
    })();
    return stopping;
  };

  return {
    app,
    url,
    port,
    databaseUrl,
    stop,
    stopNow: () => embedded?.stopNow(),
    stopSteps: () => ({ underWay: [...underWay], stepsMs }),
  };
}
