// Counts of a view of the inbox, in one query. Read state is `readAt` (set by markRead, cleared by
// markUnread and resurfacing), seen state is `seenAt`, so one aggregate answers all three.
import type { Prisma } from '../generated/prisma/client.js';

export interface NotificationCounts {
  total: number;
  unread: number;
  /** What the badge shows. */
  unseen: number;
}

type Reader = Pick<Prisma.TransactionClient, 'notification'>;

export async function countView(db: Reader, where: Prisma.NotificationWhereInput): Promise<NotificationCounts> {
  const { _count } = await db.notification.aggregate({ where, _count: { _all: true, readAt: true, seenAt: true } });
  return { total: _count._all, unread: _count._all - _count.readAt, unseen: _count._all - _count.seenAt };
}
