// One notification content for many recipients, in one transaction and a handful of statements however
// many they are: dedup by idempotency key, collapse onto the subject's earlier notification, insert the
// rest, and log a change for each recipient it changed.
import type { Notification, Prisma } from '../generated/prisma/client.js';
import type { NotificationType } from '../generated/prisma/enums.js';
import { type ChangeEvent, type ChangeRecord, lockStreams, logChanges, nextPositions } from './changelog.js';
import { newNotificationId } from './ids.js';

type Tx = Prisma.TransactionClient;

export interface NotificationContent {
  title: string;
  message: string;
  type: NotificationType;
  metadata: Prisma.InputJsonObject;
  relatedSessionId: string | null;
  category: string | null;
  eventType: string | null;
  expiresAt: Date | null;
}

export interface DeliveryOptions {
  /** One key for every recipient (keys are unique per recipient): a retry with it creates nothing. */
  idempotencyKey: string | null;
  /** Names the subject: the recipient's notification with the same key is replaced instead of added to. */
  collapseKey: string | null;
  /** The event types (besides its own) whose notification this one may replace under the collapse key. */
  supersedes: readonly string[];
}

export type DeliveryOutcome =
  | { userId: string; outcome: 'CREATED' | 'UPDATED'; notification: Notification }
  /** The key was used before: the notification it led to (null if deleted since). */
  | { userId: string; outcome: 'DUPLICATE'; notification: Notification | null }
  /** The subject's notification comes from a later event than this one, which is dropped. */
  | { userId: string; outcome: 'STALE'; notification: Notification };

export interface BatchResult {
  outcomes: DeliveryOutcome[];
  events: Array<{ userId: string; event: ChangeEvent }>;
}

/** Delivers `content` to `recipients` (distinct user ids) within `tx`. */
export async function deliverBatch(
  tx: Tx,
  content: NotificationContent,
  recipients: readonly string[],
  { idempotencyKey, collapseKey, supersedes }: DeliveryOptions,
): Promise<BatchResult> {
  // Each recipient's changes run one at a time from here on, so the checks below cannot race.
  await lockStreams(tx, recipients);
  const newIds = new Map(recipients.map((userId) => [userId, newNotificationId()]));
  const outcomes: DeliveryOutcome[] = [];

  let fresh = [...recipients];
  if (idempotencyKey) {
    const claimed = await tx.$queryRaw<Array<{ user_id: string }>>`
      INSERT INTO notification_keys (user_id, key, notification_id)
      SELECT * FROM unnest(${fresh}::varchar[], ${fresh.map(() => idempotencyKey)}::varchar[], ${fresh.map((userId) => newIds.get(userId)!)}::uuid[])
      ON CONFLICT (user_id, key) DO NOTHING
      RETURNING user_id`;
    const claimedIds = new Set(claimed.map((row) => row.user_id));
    const duplicates = fresh.filter((userId) => !claimedIds.has(userId));
    fresh = fresh.filter((userId) => claimedIds.has(userId));
    if (duplicates.length > 0) outcomes.push(...(await findDuplicates(tx, duplicates, idempotencyKey)));
  }

  const replaced = new Map<string, Notification>();
  if (collapseKey && fresh.length > 0) {
    const earlier = await tx.notification.findMany({ where: { userId: { in: fresh }, collapseKey } });
    for (const notification of earlier) {
      const replaces =
        notification.eventType === content.eventType || supersedes.includes(notification.eventType ?? '');
      if (replaces) replaced.set(notification.userId, notification);
      else outcomes.push({ userId: notification.userId, outcome: 'STALE', notification });
    }
    const stale = new Set(earlier.filter((n) => !replaced.has(n.userId)).map((n) => n.userId));
    fresh = fresh.filter((userId) => !stale.has(userId));
    if (idempotencyKey && earlier.length > 0) {
      // The key now stands for the notification the event ended up in (updated, or kept as newer).
      await tx.$executeRaw`
        UPDATE notification_keys AS k SET notification_id = v.id
        FROM unnest(${earlier.map((n) => n.userId)}::varchar[], ${earlier.map((n) => n.id)}::uuid[]) AS v (user_id, id)
        WHERE k.user_id = v.user_id AND k.key = ${idempotencyKey}`;
    }
  }
  if (fresh.length === 0) return { outcomes, events: [] };

  const positions = await nextPositions(tx, fresh);
  const changes: Array<{ userId: string; position: number; change: ChangeRecord }> = [];
  const record = (notification: Notification, outcome: 'CREATED' | 'UPDATED') => {
    const { userId } = notification;
    outcomes.push({ userId, outcome, notification });
    const kind = outcome === 'CREATED' ? 'ADDED' : 'UPDATED';
    changes.push({ userId, position: positions.get(userId)!, change: { kind, notification } });
  };
  const inserted = await tx.notification.createManyAndReturn({
    data: fresh
      .filter((userId) => !replaced.has(userId))
      .map((userId) => ({
        ...content,
        id: newIds.get(userId)!,
        userId,
        idempotencyKey,
        collapseKey,
        position: positions.get(userId)!,
      })),
  });
  for (const notification of inserted) record(notification, 'CREATED');
  if (replaced.size > 0) {
    // Same content for everyone: one statement. Back as new: unread, unseen, out of the archive.
    const updated = await tx.notification.updateManyAndReturn({
      where: { id: { in: [...replaced.values()].map((n) => n.id) } },
      data: { ...content, status: 'UNREAD', readAt: null, seenAt: null, archivedAt: null, snoozedUntil: null },
    });
    for (const notification of updated) record(notification, 'UPDATED');
  }
  return { outcomes, events: await logChanges(tx, changes) };
}

async function findDuplicates(tx: Tx, userIds: string[], key: string): Promise<DeliveryOutcome[]> {
  const keys = await tx.notificationKey.findMany({ where: { userId: { in: userIds }, key } });
  const notifications = await tx.notification.findMany({ where: { id: { in: keys.map((k) => k.notificationId) } } });
  const byId = new Map(notifications.map((n) => [n.id, n]));
  return keys.map((k) => ({
    userId: k.userId,
    outcome: 'DUPLICATE' as const,
    notification: byId.get(k.notificationId) ?? null,
  }));
}
