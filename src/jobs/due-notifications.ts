// Every second: snoozed notifications whose time has come resurface, expired ones go. Once across the
// cluster per tick (advisory lock); and each notification changes at most once even without the lock,
// since the service re-checks the condition under the row's lock.
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
  return {
    name: 'due-notifications',
    intervalMs,
    async run() {
      const done = await runOnceAcrossCluster(db, LOCK_KEYS.dueNotifications, async () => {
        const now = new Date();
        return { resurfaced: await notifications.resurfaceDue(now), expired: await notifications.expireDue(now) };
      });
      if (done && (done.resurfaced || done.expired)) logger.info(done, 'due notifications handled');
      return done;
    },
  };
}
