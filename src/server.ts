// Starts the whole service on a port, and stops it in order: what src/main.ts runs for the process,
// and what tests start on port 0.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type App, createApp } from './app.js';
import { createTokenVerifier } from './auth.js';
import type { Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded-postgres.js';
import { applyMigrations } from './db/migrations.js';
import { createDatabase } from './db.js';
import { buildDemoPage } from './http/demo-page.js';
import { loadTrustedDocuments } from './http/trusted-documents.js';
import { startEventIntake } from './intake/consumer.js';
import { dueNotificationsJob } from './jobs/due-notifications.js';
import { pruneChangeLogJob } from './jobs/prune-change-log.js';
import { retentionJob } from './jobs/retention.js';
import { startJobs } from './jobs/scheduler.js';
import type { Logger } from './logger.js';
import { shuttingDown } from './notifications/live-streams.js';
import { createPubSub } from './pubsub.js';
import { createRedisClient } from './redis.js';
import { closeLimitsRedis, connectLimitsRedis } from './security/redis.js';

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
}

export interface StartOptions {
  graphiqlHeaders?: Record<string, string>;
}

export async function startServer(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const { persistedOperations } = config.security;
  const trustedDocuments = persistedOperations.manifest
    ? loadTrustedDocuments(persistedOperations.manifest)
    : undefined;
  const demoPage = config.demo ? await buildDemoPage(persistedOperations.mode) : undefined;
  const embedded = config.database.url ? undefined : await startEmbeddedPostgres(config.database.embeddedDir, logger);
  const databaseUrl = config.database.url ?? embedded!.url;
  if (embedded) {
    const applied = await applyMigrations(databaseUrl);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  const db = createDatabase(databaseUrl, config.database.poolSize);
  const pubsub = await createPubSub({ redisUrl: config.redis.url, keyPrefix: config.redis.keyPrefix, logger });
  const redis = config.redis.url ? createRedisClient(config.redis.url, logger, 'commands') : undefined;
  const limitsRedis = config.redis.url ? await connectLimitsRedis(config.redis.url, logger) : undefined;
  const app = createApp({
    config,
    db,
    pubsub,
    redis,
    logger,
    verifyToken: createTokenVerifier(config.jwt, config.security.maxUserTokenAgeSeconds),
    graphiqlHeaders: options.graphiqlHeaders,
    trustedDocuments,
    limitsRedis,
    demoPage,
  });

  const jobs = startJobs(
    [
      pruneChangeLogJob(db, config.changeLogRetentionDays, logger),
      dueNotificationsJob(db, app.services.notifications, logger),
      retentionJob(db, app.services.notifications, config.retention, app.metrics, logger, config.retention.intervalMs),
    ],
    logger,
    (job, result) => app.metrics.jobRuns.inc({ job, result }),
  );

  const server = createServer(app.yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;

  // Producers that are not GraphQL clients XADD events to a Redis Stream; every instance consumes it.
  const intake =
    config.intake.enabled && config.redis.url
      ? startEventIntake({
          config: config.intake,
          redisUrl: config.redis.url,
          publishing: app.services.publishing,
          logger,
          count: (result) => app.metrics.intake.inc({ result }),
        })
      : undefined;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Stop accepting, requests and stream events alike (the event in hand is finished and acknowledged);
      // then end every stream with SHUTTING_DOWN so its client resumes elsewhere, give those last messages a
      // moment to leave, and close what is left.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const intakeStopped = intake?.stop();
      await app.services.liveStreams.endAll(shuttingDown(), STREAM_DRAIN_MS);
      // The streams' last messages are written; let them leave the sockets before cutting them.
      await new Promise((resolve) => setTimeout(resolve, FLUSH_MS));
      server.closeAllConnections();
      await closed;
      await intakeStopped;
      await jobs.stop();
      await app.yoga.dispose();
      if (limitsRedis) await closeLimitsRedis(limitsRedis);
      await pubsub.close();
      await redis?.quit().catch(() => redis.disconnect());
      await db.$disconnect();
      await embedded?.stop();
      logger.info('stopped');
    })();
    return stopping;
  };

  return { app, url, port, databaseUrl, stop };
}
