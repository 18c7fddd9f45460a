// Keeps the inbox from growing without end: deletes what expired, archives what is older than the
// retention, and keeps at most so many live ones per user (the oldest go first). Run by the job queue
// (housekeeping.ts), once across the cluster; each user's share is one logged change, so every tab follows.
import type { Database } from '../db.js';
import type { NotificationService } from '../notifications/service.js';

export interface RetentionPolicy {
  archiveAfterDays: number;
  maxPerUser: number;
}

export interface RetentionWork {
  archived: number;
  deleted: number;
  expired: number;
}

const DAY_MS = 24 * 3600 * 1000;
/** Users handled per step: a run goes on until nothing is left. */
const USERS_PER_STEP = 500;

export async function applyRetention(
  db: Database,
  notifications: NotificationService,
  policy: RetentionPolicy,
): Promise<RetentionWork> {
  const work: RetentionWork = { archived: 0, deleted: 0, expired: 0 };
  // Expired ones first: they must not take places the per-user cap keeps for live ones.
  for (;;) {
    const expired = await notifications.expireDue();
    work.expired += expired;
    if (expired === 0) break;
  }
  const cutoff = new Date(Date.now() - policy.archiveAfterDays * DAY_MS);
  for (;;) {
    const users = await db.notification.findMany({
      where: { createdAt: { lt: cutoff }, status: { not: 'ARCHIVED' }, snoozedUntil: null },
      distinct: ['userId'],
      select: { userId: true },
      take: USERS_PER_STEP,
    });
    for (const { userId } of users) {
      work.archived += (await notifications.archiveAll(userId, { filter: { createdBefore: cutoff } })).count;
    }
    if (users.length < USERS_PER_STEP) break;
  }
  for (;;) {
    const crowded = await db.notification.groupBy({
      by: ['userId'],
      _count: { _all: true },
      having: { userId: { _count: { gt: policy.maxPerUser } } },
      orderBy: { userId: 'asc' },
      take: USERS_PER_STEP,
    });
    for (const { userId } of crowded) work.deleted += (await notifications.trimTo(userId, policy.maxPerUser)).count;
    if (crowded.length < USERS_PER_STEP) break;
  }
  return work;
}
