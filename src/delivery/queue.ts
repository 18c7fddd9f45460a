// The durable job queue: graphile-worker over our PostgreSQL. Delivery jobs are added by delivery_enqueue in
// the transaction that stores their notification; the housekeeping jobs (src/jobs/) by their wake-ups and
// its crontab. Every instance runs a worker pool on the same table, and a job is run by one worker at a time
// (row locks, SKIP LOCKED); a pool that dies is found by its silence (heartbeats.ts) and its jobs go to the
// others. graphile-worker installs and upgrades its own schema (graphile_worker.*) from SQL files inside its
// package when it starts: no network needed.
import { EventEmitter } from 'node:events';
import { type ParsedCronItem, run, type TaskList, type WorkerEvents, Logger as WorkerLogger } from 'graphile-worker';
import pg from 'pg';
import type { Database } from '../db.js';
import type { Logger } from '../logger.js';
import { type HeartbeatOptions, startHeartbeats } from './heartbeats.js';

export interface JobQueueOptions {
  databaseUrl: string;
  db: Database;
  tasks: TaskList;
  /** Recurring jobs: graphile-worker adds one job per due time across every instance. */
  cronItems: ParsedCronItem[];
  concurrency: number;
  pollIntervalMs: number;
  heartbeat: HeartbeatOptions;
  logger: Logger;
}

export interface JobQueue {
  /** This instance's worker pool: what its jobs' locked_by says. */
  poolId: string;
  /** Has a free worker of this instance look for a job now, rather than at its next poll. */
  nudge(): void;
  stop(): Promise<void>;
}

/**
 * Fewer statements per job (bench/FINDINGS.md, delivery throughput): completions (and failures) that come
 * within a few milliseconds of each other are written in one statement. A job completed but not yet written
 * when its instance dies runs again on another, where its delivery is no longer QUEUED at that attempt:
 * nothing is sent twice for it (deliveries.ts). graphile-worker's localQueue (jobs fetched in batches) is
 * left off: with it, jobs of one named queue (our housekeeping) run at the same time, and a stop logged errors.
 */
function batching(): GraphileConfig.WorkerOptions {
  return { completeJobBatchDelay: BATCH_DELAY_MS, failJobBatchDelay: BATCH_DELAY_MS };
}
const BATCH_DELAY_MS = 5;

/** Installs the queue's schema if needed, then works on its jobs until stopped. */
export async function startJobQueue({
  databaseUrl,
  db,
  tasks,
  cronItems,
  concurrency,
  pollIntervalMs,
  heartbeat,
  logger,
}: JobQueueOptions): Promise<JobQueue> {
  const log = logger.child({ component: 'job-queue' });
  const events: WorkerEvents = new EventEmitter();
  let pool: { id: string; nudge(count: number): void } | undefined;
  events.once('pool:create', ({ workerPool }) => {
    pool = workerPool;
  });
  // Our pool, not one graphile-worker makes: it ends its own without waiting and drops its error handler first,
  // so a database that goes away just after (the embedded PostgreSQL stopping) crashed the process with an
  // unhandled 'error' of an idle connection. This one keeps its handler and is ended, awaited, on stop.
  const pgPool = new pg.Pool({
    connectionString: databaseUrl,
    // Its own connections besides the workers': listening for new jobs, the crontab, the tasks' helpers.
    max: concurrency + 2,
  });
  pgPool.on('error', (error) => log.warn({ err: error }, 'an idle queue connection failed'));
  // A checked-out connection's error too (graphile-worker warns "Your pool doesn't have all of the error
  // handlers" and installs its own otherwise); its query then fails and the job is retried.
  pgPool.on('connect', (client) => {
    client.on('error', (error) => log.warn({ err: error }, 'a queue connection failed'));
  });
  const runner = await run({
    pgPool,
    concurrency,
    pollInterval: pollIntervalMs,
    preset: { worker: batching() },
    noHandleSignals: true,
    events,
    logger: new WorkerLogger(() => (level, message, meta) => {
      const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
      log[method]({ ...(meta ?? {}) }, message);
    }),
    taskList: tasks,
    parsedCronItems: cronItems,
  }).catch(async (error: unknown) => {
    await pgPool.end();
    throw error;
  });
  if (!pool) throw new Error('graphile-worker started no worker pool');
  const workerPool = pool;
  const beats = startHeartbeats(db, workerPool.id, heartbeat, logger);
  return {
    poolId: workerPool.id,
    nudge: () => workerPool.nudge(1),
    async stop() {
      // The pool first: it finishes or releases its jobs while its heartbeat still says it is alive.
      await runner.stop();
      await beats.stop();
      await pgPool.end();
    },
  };
}
