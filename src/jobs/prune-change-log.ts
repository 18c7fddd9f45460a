import type { Database } from '../db.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Deletes change-log entries older than the retention; returns how many. Run by the job queue
 * (housekeeping.ts). Streams asking for a pruned position get RESYNC_REQUIRED.
 */
export async function pruneChangeLog(db: Database, retentionDays: number): Promise<number> {
  const before = new Date(Date.now() - retentionDays * DAY_MS);
  const { count } = await db.notificationChange.deleteMany({ where: { createdAt: { lt: before } } });
  return count;
}
