// The durable delivery queue: graphile-worker over our PostgreSQL. Jobs are added by delivery_enqueue in the
// transaction that stores their notification; every instance runs a worker pool on the same table, and a
// job is run by one worker at a time (row locks, SKIP LOCKED). graphile-worker installs and upgrades its own
// schema (graphile_worker.*) from SQL files inside its package when it starts: no network needed.
import { type Runner, run, type TaskList, Logger as WorkerLogger } from 'graphile-worker';
import type { Logger } from '../logger.js';

export interface DeliveryQueueOptions {
  databaseUrl: string;
  tasks: TaskList;
  concurrency: number;
  pollIntervalMs: number;
  logger: Logger;
}

export type DeliveryQueue = Pick<Runner, 'stop'>;

/** Installs the queue's schema if needed, then works on its jobs until stopped. */
export async function startDeliveryQueue({
  databaseUrl,
  tasks,
  concurrency,
  pollIntervalMs,
  logger,
}: DeliveryQueueOptions): Promise<DeliveryQueue> {
  const log = logger.child({ component: 'delivery-queue' });
  const runner = await run({
    connectionString: databaseUrl,
    // Its own connections besides the workers': listening for new jobs, and the writes of the tasks' helpers.
    maxPoolSize: concurrency + 2,
    concurrency,
    pollInterval: pollIntervalMs,
    noHandleSignals: true,
    logger: new WorkerLogger(() => (level, message, meta) => {
      const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
      log[method]({ ...(meta ?? {}) }, message);
    }),
    taskList: tasks,
  });
  return { stop: () => runner.stop() };
}
