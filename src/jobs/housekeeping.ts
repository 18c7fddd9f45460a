// Our own periodic work, as jobs of the job queue (src/delivery/queue.ts): each job runs on one instance,
// whichever takes it first, so the work is done once across the cluster. Scheduled sends go out, snoozed notifications resurface
// and expired ones go at their due time (a job per due instant, added by wake-ups.ts), and every minute as
// a safety net for a wake-up lost with its instance; retention runs every RETENTION_INTERVAL_MS and the
// change log is pruned every hour. The recurring ones are graphile-worker's crontab: one job per due time
// across every instance, in one named queue so that a long run is never overlapped by the next.
import { type CronItem, type ParsedCronItem, parseCronItems, type TaskList } from 'graphile-worker';
import type { Config } from '../config.js';
import type { Database } from '../db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { NotificationService } from '../notifications/service.js';
import { pruneChangeLog } from './prune-change-log.js';
import { applyRetention } from './retention.js';

export const HOUSEKEEPING_TASKS = {
  due: 'due_notifications',
  retention: 'retention',
  pruneChangeLog: 'prune_change_log',
} as const;

export type HousekeepingTask = (typeof HOUSEKEEPING_TASKS)[keyof typeof HOUSEKEEPING_TASKS];

export interface HousekeepingOptions {
  db: Database;
  notifications: NotificationService;
  config: Pick<Config, 'retention' | 'changeLogRetentionDays'>;
  metrics: Metrics;
  logger: Logger;
}

export interface Housekeeping {
  tasks: TaskList;
  cronItems: ParsedCronItem[];
}

/** Due notifications handled per step: a run goes on until none is left. */
const DUE_BATCH = 500;
const MINUTE_MS = 60_000;

/** Matches every `minutes` minutes counted from midnight UTC (crontab has no other way to say "every N"). */
export function everyMinutes(minutes: number): CronItem['match'] {
  if (minutes <= 1) return '* * * * *';
  const days = Math.floor(minutes / 1440);
  if (days >= 1) return ({ min, hour, date }) => min === 0 && hour === 0 && (date - 1) % days === 0;
  return ({ min, hour }) => (hour * 60 + min) % minutes === 0;
}

export function housekeeping({ db, notifications, config, metrics, logger }: HousekeepingOptions): Housekeeping {
  const log = logger.child({ component: 'housekeeping' });
  const counted = (job: string, work: () => Promise<void>) => async (): Promise<void> => {
    try {
      await work();
      metrics.jobRuns.inc({ job, result: 'ran' });
    } catch (error) {
      // graphile-worker logs it and runs the job again later (exponential backoff).
      metrics.jobRuns.inc({ job, result: 'failed' });
      throw error;
    }
  };
  const tasks: TaskList = {
    [HOUSEKEEPING_TASKS.due]: counted(HOUSEKEEPING_TASKS.due, async () => {
      const done = { sent: 0, resurfaced: 0, expired: 0 };
      for (;;) {
        const now = new Date();
        const sent = await notifications.releaseScheduled(now, DUE_BATCH);
        const resurfaced = await notifications.resurfaceDue(now, DUE_BATCH);
        const expired = await notifications.expireDue(now, DUE_BATCH);
        done.sent += sent;
        done.resurfaced += resurfaced;
        done.expired += expired;
        if (sent < DUE_BATCH && resurfaced < DUE_BATCH && expired < DUE_BATCH) break;
      }
      if (done.sent || done.resurfaced || done.expired) log.info(done, 'due notifications handled');
    }),
    [HOUSEKEEPING_TASKS.retention]: counted(HOUSEKEEPING_TASKS.retention, async () => {
      const work = await applyRetention(db, notifications, config.retention);
      for (const [action, count] of Object.entries(work)) metrics.retention.inc({ action }, count);
      if (work.archived || work.deleted || work.expired) {
        log.info({ ...work, policy: config.retention }, 'retention applied');
      }
    }),
    [HOUSEKEEPING_TASKS.pruneChangeLog]: counted(HOUSEKEEPING_TASKS.pruneChangeLog, async () => {
      const deleted = await pruneChangeLog(db, config.changeLogRetentionDays);
      if (deleted) log.info({ deleted, retentionDays: config.changeLogRetentionDays }, 'change log pruned');
    }),
  };
  const recurring = (task: HousekeepingTask, match: CronItem['match'], queueName?: string): CronItem => ({
    task,
    match,
    identifier: task,
    // A run missed while every instance was down is not made up: the next one does the same work.
    options: { backfillPeriod: 0, jobKey: `cron:${task}`, maxAttempts: 3, ...(queueName ? { queueName } : {}) },
  });
  const minutes = Math.max(1, Math.ceil(config.retention.intervalMs / MINUTE_MS));
  const cronItems = parseCronItems([
    recurring(HOUSEKEEPING_TASKS.due, '* * * * *'),
    recurring(HOUSEKEEPING_TASKS.retention, everyMinutes(minutes), 'housekeeping'),
    recurring(HOUSEKEEPING_TASKS.pruneChangeLog, '0 * * * *', 'housekeeping'),
  ]);
  return { tasks, cronItems };
}

/** Asks for a run of `task` as soon as a worker is free; asked twice before it starts, it runs once. */
export async function requestRun(db: Database, task: HousekeepingTask): Promise<void> {
  const queueName = task === HOUSEKEEPING_TASKS.due ? null : 'housekeeping';
  await db.$executeRaw`SELECT graphile_worker.add_job(${task}, '{}'::json, queue_name => ${queueName},
    job_key => ${`now:${task}`}, max_attempts => 3)`;
}
