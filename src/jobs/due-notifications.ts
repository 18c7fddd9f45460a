// Snoozed notifications whose time has come resurface, expired ones go: every second, and at the moment the
// next snooze ends (a snoozed notification stays hidden until this job resurfaces it, so it must be
// prompt). Once across the cluster per run (advisory lock); and each notification changes at most once
// even without the lock, since the service re-checks the condition under the row's lock.
import type { Database } from '../db.js';
import type { Logger } from '../logger.js';
import type { NotificationService } from '../notifications/service.js';
import { LOCK_KEYS, runOnceAcrossCluster } from './cluster-lock.js';
import type { Job } from './scheduler.js';

export function dueNotificationsJob(
  db: Database,
  notifications: NotificationService,
  logger: Logger,
  intervalMs = 1000,
): Job {
  let runAt: (at: Date) => void = () => {};
  return {
    name: 'due-notifications',
    intervalMs,
    wakeUps(schedule) {
      runAt = schedule;
      // Snoozes made here are due before the next tick may see them; those made elsewhere are found by a
      // tick (and woken for by the instance that made them).
      return notifications.observeDue(schedule);
    },
    async run() {
      const done = await runOnceAcrossCluster(db, LOCK_KEYS.dueNotifications, async () => {
        const now = new Date();
        return { resurfaced: await notifications.resurfaceDue(now), expired: await notifications.expireDue(now) };
      });
      if (done && (done.resurfaced || done.expired)) logger.info(done, 'due notifications handled');
      // Only the instance that ran plans the next wake-up: one that was skipped would only race the one at
      // work, which plans its own when done.
      if (done) {
        const next = await notifications.nextDue();
        if (next) runAt(next);
      }
      return done;
    },
  };
}
