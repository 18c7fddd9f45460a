// The durable, ordered log of every change to a user's notifications: written in the transaction of the
// change itself, read back to replay what a stream missed.

import type { Database } from '../db.js';
import { ExpectedError } from '../errors.js';
import type { ChangeKind, Notification, Prisma } from '../generated/prisma/client.js';

type Transaction = Prisma.TransactionClient;

/** One change, as streams and the delta query report it. */
export interface ChangeEvent {
  position: number;
  kind: ChangeKind;
  notificationId: string | null;
  /** The notification's state after the change; null when it is gone or the change touched many. */
  notification: Notification | null;
  count: number;
  unreadCount: number;
  createdAt: Date;
}

export interface ChangeRecord {
  kind: ChangeKind;
  notification?: Notification;
  notificationId?: string;
  count?: number;
}

export const resyncRequired = () =>
  new ExpectedError(
    'RESYNC_REQUIRED',
    'That position is no longer in the change log (or was never in it): reload the list, then follow from the current position.',
  );

/**
 * Records a change made in `tx` and returns it as an event. Taking the next position locks the user's
 * stream row until commit, so a user's positions follow the order their changes commit in.
 */
export async function recordChange(tx: Transaction, userId: string, change: ChangeRecord): Promise<ChangeEvent> {
  const [stream] = await tx.$queryRaw<Array<{ position: bigint }>>`
    INSERT INTO notification_streams (user_id, position) VALUES (${userId}, 1)
    ON CONFLICT (user_id) DO UPDATE SET position = notification_streams.position + 1
    RETURNING position`;
  const unreadCount = await tx.notification.count({ where: { userId, status: 'UNREAD' } });
  const notificationId = change.notification?.id ?? change.notificationId ?? null;
  const row = await tx.notificationChange.create({
    data: {
      userId,
      position: stream!.position,
      kind: change.kind,
      notificationId,
      count: change.count ?? 1,
      unreadCount,
    },
  });
  return {
    position: Number(row.position),
    kind: row.kind,
    notificationId,
    notification: change.notification ?? null,
    count: row.count,
    unreadCount,
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

  /** The position at which a notification of the user was added, if the log still has it. */
  async positionOfAdded(userId: string, notificationId: string): Promise<number | undefined> {
    const change = await this.db.notificationChange.findFirst({
      where: { userId, notificationId, kind: 'ADDED' },
      select: { position: true },
    });
    return change ? Number(change.position) : undefined;
  }

  /** Whether the user has this notification (to tell a pruned cursor from a foreign one). */
  async ownsNotification(userId: string, notificationId: string): Promise<boolean> {
    return (await this.db.notification.count({ where: { userId, id: notificationId } })) > 0;
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
      notification: row.notificationId ? (byId.get(row.notificationId) ?? null) : null,
      count: row.count,
      unreadCount: row.unreadCount,
      createdAt: row.createdAt,
    }));
  }
}
