// The durable, ordered log of every change to a user's notifications: written in the transaction of the
// change itself, read back to replay what a stream missed.

import type { Database } from '../db.js';
import { ExpectedError } from '../errors.js';
import type { ChangeKind, Notification, Prisma } from '../generated/prisma/client.js';
import type { NotificationCounts } from './counts.js';

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

/**
 * Locks the streams of many users (in user order, so that two batches never deadlock), creating the rows
 * of users new to the log. Everything after it in the transaction sees every change they committed before.
 */
export async function lockStreams(tx: Transaction, userIds: readonly string[]): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO notification_streams (user_id, position)
    SELECT user_id, 0 FROM unnest(${[...userIds].sort()}::varchar[]) AS user_id
    ON CONFLICT (user_id) DO UPDATE SET position = notification_streams.position`;
}

/** The next position of each of these users (whose streams this transaction has locked). */
export async function nextPositions(tx: Transaction, userIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await tx.$queryRaw<Array<{ user_id: string; position: bigint }>>`
    UPDATE notification_streams SET position = position + 1
    WHERE user_id = ANY(${[...userIds]}::varchar[])
    RETURNING user_id, position`;
  return new Map(rows.map((row) => [row.user_id, Number(row.position)]));
}

/**
 * Writes changes of many users at once (each at its position, in this transaction) and returns them as
 * events, in one statement: the counts after the change are taken by the insert itself, through the
 * database's `notification_counts`, as notification_create takes them.
 */
export async function logChanges(
  tx: Transaction,
  changes: Array<{ userId: string; position: number; change: ChangeRecord }>,
): Promise<Array<{ userId: string; event: ChangeEvent }>> {
  if (changes.length === 0) return [];
  const rows = changes.map(({ userId, position, change }) => {
    const notificationId = change.notification?.id ?? change.notificationId ?? null;
    const notificationIds = change.notificationIds ?? (notificationId ? [notificationId] : []);
    return { userId, position, change, notificationId, notificationIds, count: notificationIds.length };
  });
  const logged = await tx.$queryRaw<
    Array<{ user_id: string; position: bigint; total: number; unread: number; unseen: number; created_at: Date }>
  >`
    WITH input AS (
      SELECT * FROM unnest(
        ${rows.map((r) => r.userId)}::varchar[], ${rows.map((r) => r.position)}::bigint[],
        ${rows.map((r) => r.change.kind)}::"ChangeKind"[], ${rows.map((r) => r.notificationId)}::uuid[],
        ${rows.map((r) => (r.notificationId ? '[]' : JSON.stringify(r.notificationIds)))}::jsonb[],
        ${rows.map((r) => r.count)}::int[]
      ) AS t (user_id, position, kind, notification_id, notification_ids, count)
    ), counts AS (
      SELECT * FROM notification_counts(${[...new Set(rows.map((r) => r.userId))]}::varchar[], ${new Date()}::timestamptz)
    )
    INSERT INTO notification_changes
      (user_id, position, kind, notification_id, notification_ids, count, total_count, unread_count, unseen_count)
    SELECT i.user_id, i.position, i.kind, i.notification_id,
      ARRAY(SELECT jsonb_array_elements_text(i.notification_ids))::uuid[], i.count,
      c.total, c.unread, c.unseen
    FROM input AS i JOIN counts AS c USING (user_id)
    RETURNING user_id, position, total_count AS total, unread_count AS unread, unseen_count AS unseen, created_at`;
  const byKey = new Map(logged.map((row) => [`${row.user_id}\u0000${row.position}`, row]));
  return rows.map(({ userId, position, change, notificationId, notificationIds, count }) => {
    const row = byKey.get(`${userId}\u0000${position}`)!;
    const event: ChangeEvent = {
      position,
      kind: change.kind,
      notificationId,
      notificationIds,
      notification: change.notification ?? null,
      count,
      counts: { total: row.total, unread: row.unread, unseen: row.unseen },
      createdAt: row.created_at,
    };
    return { userId, event };
  });
}

/** Writes the change at `position` (from nextPosition, in the same transaction) and returns it as an event. */
export async function logChange(
  tx: Transaction,
  userId: string,
  position: number,
  change: ChangeRecord,
): Promise<ChangeEvent> {
  const [logged] = await logChanges(tx, [{ userId, position, change }]);
  return logged!.event;
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
