// Precise wake-ups: each snooze, and each notification stored with an expiry, adds a job of the due task
// (housekeeping.ts) at its due instant, so that it resurfaces or goes on time on whichever instance is free
// then; the job key (the instant) makes one job of every notification due at the same instant. It is added
// just after the change commits: one lost with its instance is found by the every-minute sweep. Since the
// queue looks for jobs that fell due only every DELIVERY_POLL_INTERVAL_MS, the instance that added the job
// also nudges its own workers at that instant.
import type { Database } from '../db.js';
import type { Logger } from '../logger.js';
import type { NotificationService } from '../notifications/service.js';
import { HOUSEKEEPING_TASKS } from './housekeeping.js';

/** Farther ahead than this, the queue's own polling is precise enough: no timer is kept. */
const NUDGE_WITHIN_MS = 3_600_000;

export function scheduleWakeUps(
  db: Database,
  notifications: NotificationService,
  nudge: () => void,
  logger: Logger,
): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const detach = notifications.observeDue((at) => {
    db.$executeRaw`SELECT graphile_worker.add_job(${HOUSEKEEPING_TASKS.due}, '{}'::json,
      run_at => ${at}::timestamptz, job_key => ${`due:${at.toISOString()}`}, max_attempts => 5)`.catch(
      (error: unknown) => logger.warn({ err: error, at }, 'wake-up not queued; the every-minute sweep will find it'),
    );
    const delay = at.getTime() - Date.now();
    if (delay > NUDGE_WITHIN_MS) return;
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        nudge();
      },
      // A few milliseconds late, so that PostgreSQL's clock finds the job due too.
      Math.max(0, delay) + 5,
    );
    timer.unref();
    timers.add(timer);
  });
  return () => {
    detach();
    for (const timer of timers) clearTimeout(timer);
  };
}
