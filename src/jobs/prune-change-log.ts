import type { Database } from '../db.js';
import type { Logger } from '../logger.js';
import { LOCK_KEYS, runOnceAcrossCluster } from './cluster-lock.js';
import type { Job } from './scheduler.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Deletes change-log entries older than the retention, once across the cluster per run. Returns how many
 * it deleted, or undefined when another instance was doing it. Streams asking for a pruned position get
 * RESYNC_REQUIRED.
 */
export function pruneChangeLog(db: Database, retentionDays: number): Promise<number | undefined> {
  const before = new Date(Date.now() - retentionDays * DAY_MS);
  return runOnceAcrossCluster(db, LOCK_KEYS.pruneChangeLog, async (tx) => {
    const { count } = await tx.notificationChange.deleteMany({ where: { createdAt: { lt: before } } });
    return count;
  });
}

export function pruneChangeLogJob(db: Database, retentionDays: number, logger: Logger): Job {
  return {
    name: 'prune-change-log',
    intervalMs: 3600 * 1000,
    async run() {
      const deleted = await pruneChangeLog(db, retentionDays);
      if (deleted) logger.info({ deleted, retentionDays }, 'change log pruned');
      return deleted;
    },
  };
}
