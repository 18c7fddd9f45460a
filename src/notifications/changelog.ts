// The durable, ordered log of every change to a user's notifications: written in the transaction of the
// change itself, read back to replay what a stream missed.

import type { Database } from '../db.js';
import { ExpectedError } from '../errors.js';
import type { ChangeKind, Notification, Prisma } from '../generated/prisma/client.js';
import { countView, type NotificationCounts } from './counts.js';
import { filterWhere } from './filter.js';

type Transaction = Prisma.TransactionClient;

/** One change, as streams and the delta query report it. */
export interface ChangeEvent {
  position: number;
  kind: ChangeKind;
  /** The notification changed, for changes to one. */
  notificationId: string | null;
  /** Every notification changed (the one, or the many of a bulk change). */
  notificationIds: string[];
  /** The notification's state after the change; null when it is gone or the change touched many. */
  notification: Notification | null;
  count: number;
  /** The user's counts right after the change, for the default view. */
  counts: NotificationCounts;
  createdAt: Date;
}

export interface ChangeRecord {
  kind: ChangeKind;
  notification?: Notification;
  notificationId?: string;
  notificationIds?: string[];
  count?: number;
}

export const resyncRequired = () =>
  new ExpectedError(
    'RESYNC_REQUIRED',
    'That position is no longer in the change log (or was never in it): reload the list, then follow from the current position.',
  );

/**
 * The user's next change-log position. It locks the user's stream row until commit, so a user's positions
 * follow the order their changes commit in, and what runs after it in the transaction sees every change
 * committed before.
 */
export async function nextPosition(tx: Transaction, userId: string): Promise<number> {
  const [stream] = await tx.$queryRaw<Array<{ position: bigint }>>`
    INSERT INTO notification_streams (user_id, position) VALUES (${userId}, 1)
    ON CONFLICT (user_id) DO UPDATE SET position = notification_streams.position + 1
    RETURNING position`;
  return Number(stream!.position);
}

/** Writes the change at `position` (from nextPosition, in the same transaction) and returns it as an event. */
export async function logChange(
  tx: Transaction,
  userId: string,
  position: number,
  change: ChangeRecord,
): Promise<ChangeEvent> {
  const counts = await countView(tx, filterWhere(userId, {}, new Date()));
  const notificationId = change.notification?.id ?? change.notificationId ?? null;
  const notificationIds = change.notificationIds ?? (notificationId ? [notificationId] : []);
  const row = await tx.notificationChange.create({
    data: {
      userId,
      position,
      kind: change.kind,
      notificationId,
      notificationIds: change.notificationIds ?? [],
      count: change.count ?? notificationIds.length,
      totalCount: counts.total,
      unreadCount: counts.unread,
      unseenCount: counts.unseen,
    },
  });
  return {
    position,
    kind: row.kind,
    notificationId,
    notificationIds,
    notification: change.notification ?? null,
    count: row.count,
    counts,
    createdAt: row.createdAt,
  };
}

export class ChangeLog {
  constructor(private readonly db: Database) {}

  /** The position of the user's latest change; 0 before their first. */
  async currentPosition(userId: string): Promise<number> {
    const stream = await this.db.notificationStream.findUnique({ where: { userId } });
    return Number(stream?.position ?? 0n);
  }

  /** The position at which a notification of the user was added; undefined for ids the user never had. */
  async positionOfAdded(userId: string, notificationId: string): Promise<number | undefined> {
    const notification = await this.db.notification.findFirst({
      where: { userId, id: notificationId },
      select: { position: true },
    });
    if (notification) return Number(notification.position);
    // Deleted since: the log may still remember it.
    const change = await this.db.notificationChange.findFirst({
      where: { userId, notificationId, kind: 'ADDED' },
      select: { position: true },
    });
    return change ? Number(change.position) : undefined;
  }

  /**
   * Checks that every change after `position` is still in the log; RESYNC_REQUIRED otherwise (pruned
   * away, or a position the user's log never reached).
   */
  async assertResumable(userId: string, position: number): Promise<void> {
    const current = await this.currentPosition(userId);
    if (position > current) throw resyncRequired();
    if (position === current) return;
    const oldest = await this.db.notificationChange.findFirst({
      where: { userId },
      orderBy: { position: 'asc' },
      select: { position: true },
    });
    if (!oldest || Number(oldest.position) > position + 1) throw resyncRequired();
  }

  /** Up to `limit` changes after `position`, oldest first, each with the notification's current state. */
  async after(userId: string, position: number, limit: number, kinds?: ChangeKind[]): Promise<ChangeEvent[]> {
    const rows = await this.db.notificationChange.findMany({
      where: { userId, position: { gt: position }, ...(kinds ? { kind: { in: kinds } } : {}) },
      orderBy: { position: 'asc' },
      take: limit,
    });
    const ids = rows.flatMap((row) => (row.notificationId ? [row.notificationId] : []));
    const notifications = ids.length ? await this.db.notification.findMany({ where: { userId, id: { in: ids } } }) : [];
    const byId = new Map(notifications.map((notification) => [notification.id, notification]));
    return rows.map((row) => ({
      position: Number(row.position),
      kind: row.kind,
      notificationId: row.notificationId,
      notificationIds: row.notificationId ? [row.notificationId] : row.notificationIds,
      notification: row.notificationId ? (byId.get(row.notificationId) ?? null) : null,
      count: row.count,
      counts: { total: row.totalCount, unread: row.unreadCount, unseen: row.unseenCount },
      createdAt: row.createdAt,
    }));
  }
}
