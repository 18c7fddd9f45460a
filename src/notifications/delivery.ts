// One notification content for many recipients, in one transaction and a handful of statements however
// many they are: dedup by idempotency key, collapse onto the subject's earlier notification, insert the
// rest, and log a change for each recipient it changed.
import { enqueueDeliveries, enqueueExpression } from '../delivery/enqueue.js';
import type { DeliveryPlan } from '../delivery/planner.js';
import { type Notification, Prisma } from '../generated/prisma/client.js';
import type { NotificationPriority, NotificationType } from '../generated/prisma/enums.js';
import { type ChangeEvent, type ChangeRecord, lockStreams, logChanges, nextPositions } from './changelog.js';
import { newNotificationId } from './ids.js';
import { NOTIFICATION_COLUMNS } from './rows.js';
import { queryRows } from './sql.js';

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
  /** URGENT is never held back outside the app (quiet hours, digests, delays). */
  priority: NotificationPriority;
}

export interface DeliveryOptions {
  /** One key for every recipient (keys are unique per recipient): a retry with it creates nothing. */
  idempotencyKey: string | null;
  /** Names the subject: the recipient's notification with the same key is replaced instead of added to. */
  collapseKey: string | null;
  /** The event types (besides its own) whose notification this one may replace under the collapse key. */
  supersedes: readonly string[];
  /** Deliveries outside the app, queued with the notifications they are for (in the same transaction). */
  plan?: DeliveryPlan | undefined;
  /** A scheduled send: stored unseen and unannounced until then (see scheduleBatch). */
  sendAt?: Date | null | undefined;
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
  { idempotencyKey, collapseKey, supersedes, plan }: DeliveryOptions,
): Promise<BatchResult> {
  const newIds = new Map(recipients.map((userId) => [userId, newNotificationId()]));
  const outcomes: DeliveryOutcome[] = [];
  const changes: Array<{ userId: string; position: number; change: ChangeRecord }> = [];
  // A new notification's change is at the position it was added at; an update's at a position of its own.
  const record = (
    notification: Notification,
    outcome: 'CREATED' | 'UPDATED',
    position = Number(notification.position),
  ) => {
    const { userId } = notification;
    outcomes.push({ userId, outcome, notification });
    changes.push({ userId, position, change: { kind: outcome === 'CREATED' ? 'ADDED' : 'UPDATED', notification } });
  };

  // Keys first, then streams, in every path: the same lock order everywhere, so no two deliveries deadlock.
  const fresh = await claimKeys(tx, recipients, newIds, idempotencyKey, outcomes);
  if (fresh.length === 0) return { outcomes, events: [] };

  if (!collapseKey) {
    // The common case, in one statement: take each recipient's next position and insert.
    const inserted = await insertNotifications(tx, content, fresh, newIds, { idempotencyKey, collapseKey });
    for (const notification of inserted) record(notification, 'CREATED');
    await enqueueDeliveries(
      tx,
      plan,
      changes.map(({ change }) => change.notification!),
    );
    return { outcomes, events: await logChanges(tx, changes) };
  }

  // Each recipient's changes run one at a time from here on, so the collapse checks below cannot race.
  await lockStreams(tx, fresh);
  const earlier = await tx.notification.findMany({ where: { userId: { in: fresh }, collapseKey } });
  const replaced = new Map<string, Notification>();
  for (const notification of earlier) {
    const replaces = notification.eventType === content.eventType || supersedes.includes(notification.eventType ?? '');
    if (replaces) replaced.set(notification.userId, notification);
    else outcomes.push({ userId: notification.userId, outcome: 'STALE', notification });
  }
  if (idempotencyKey && earlier.length > 0) {
    // The key now stands for the notification the event ended up in (updated, or kept as newer).
    await tx.$executeRaw`
      UPDATE notification_keys AS k SET notification_id = v.id
      FROM unnest(${earlier.map((n) => n.userId)}::varchar[], ${earlier.map((n) => n.id)}::uuid[]) AS v (user_id, id)
      WHERE k.user_id = v.user_id AND k.key = ${idempotencyKey}`;
  }
  const stale = new Set(earlier.filter((n) => !replaced.has(n.userId)).map((n) => n.userId));
  const newcomers = fresh.filter((userId) => !stale.has(userId) && !replaced.has(userId));
  if (newcomers.length > 0) {
    const inserted = await insertNotifications(tx, content, newcomers, newIds, { idempotencyKey, collapseKey });
    for (const notification of inserted) record(notification, 'CREATED');
  }
  if (replaced.size > 0) {
    const positions = await nextPositions(tx, [...replaced.keys()]);
    // Same content for everyone: one statement. Back as new: unread, unseen, out of the archive.
    const updated = await tx.notification.updateManyAndReturn({
      where: { id: { in: [...replaced.values()].map((n) => n.id) } },
      data: { ...content, status: 'UNREAD', readAt: null, seenAt: null, archivedAt: null, snoozedUntil: null },
    });
    for (const notification of updated) record(notification, 'UPDATED', positions.get(notification.userId));
  }
  await enqueueDeliveries(
    tx,
    plan,
    changes.map(({ change }) => change.notification!),
  );
  return { outcomes, events: await logChanges(tx, changes) };
}

/**
 * Stores `content` for each of `recipients` to be sent at `sendAt`: no position, no change logged, in no view
 * (the view rule leaves out rows with send_at) and its deliveries SCHEDULED, with no job; releaseScheduled in
 * the service adds it then. Deduplicated by the idempotency key like the rest; a scheduled send does not collapse
 * onto an earlier notification (its collapse key is not kept).
 */
export async function scheduleBatch(
  tx: Tx,
  content: NotificationContent,
  recipients: readonly string[],
  { idempotencyKey, plan, sendAt }: DeliveryOptions & { sendAt: Date },
): Promise<BatchResult> {
  const ids = new Map(recipients.map((userId) => [userId, newNotificationId(sendAt)]));
  const outcomes: DeliveryOutcome[] = [];
  const fresh = await claimKeys(tx, recipients, ids, idempotencyKey, outcomes);
  if (fresh.length === 0) return { outcomes, events: [] };
  const inserted = await tx.$queryRaw<Notification[]>`
    INSERT INTO notifications AS n (id, user_id, title, message, type, metadata, related_session_id, idempotency_key,
      category, event_type, expires_at, priority, send_at, position, updated_at)
    SELECT i.id, i.user_id, ${content.title}, ${content.message}, ${content.type}::"NotificationType",
      ${JSON.stringify(content.metadata)}::jsonb, ${content.relatedSessionId}, ${idempotencyKey},
      ${content.category}, ${content.eventType}, ${content.expiresAt}::timestamptz,
      ${content.priority}::"NotificationPriority", ${sendAt}::timestamptz, 0, now()
    FROM unnest(${fresh}::varchar[], ${fresh.map((userId) => ids.get(userId)!)}::uuid[]) AS i (user_id, id)
    RETURNING ${NOTIFICATION_COLUMNS}`;
  for (const notification of inserted) outcomes.push({ userId: notification.userId, outcome: 'CREATED', notification });
  await enqueueDeliveries(tx, plan && { ...plan, scheduled: true }, inserted);
  return { outcomes, events: [] };
}

/**
 * Inserts `content` for each user at the user's next position, in one statement. Taking the position locks
 * the user's stream row until commit, which orders the user's changes.
 */
function insertNotifications(
  tx: Tx,
  content: NotificationContent,
  userIds: readonly string[],
  ids: ReadonlyMap<string, string>,
  { idempotencyKey, collapseKey }: Pick<DeliveryOptions, 'idempotencyKey' | 'collapseKey'>,
): Promise<Notification[]> {
  const sorted = [...userIds].sort();
  return tx.$queryRaw<Notification[]>`
    WITH positions AS (
      INSERT INTO notification_streams AS s (user_id, position)
      SELECT user_id, 1 FROM unnest(${sorted}::varchar[]) AS user_id
      ON CONFLICT (user_id) DO UPDATE SET position = s.position + 1
      RETURNING user_id, position
    )
    INSERT INTO notifications AS n (id, user_id, title, message, type, metadata, related_session_id, idempotency_key,
      collapse_key, category, event_type, expires_at, priority, position, updated_at)
    SELECT i.id, i.user_id, ${content.title}, ${content.message}, ${content.type}::"NotificationType",
      ${JSON.stringify(content.metadata)}::jsonb, ${content.relatedSessionId}, ${idempotencyKey}, ${collapseKey},
      ${content.category}, ${content.eventType}, ${content.expiresAt}::timestamptz,
      ${content.priority}::"NotificationPriority", p.position, now()
    FROM unnest(${sorted}::varchar[], ${sorted.map((userId) => ids.get(userId)!)}::uuid[]) AS i (user_id, id)
    JOIN positions AS p USING (user_id)
    RETURNING ${NOTIFICATION_COLUMNS}`;
}

/**
 * One notification for one recipient, without a collapse key (the common case), in one round trip: the
 * database function `notification_create` (see its migration) does what deliverBatch does, statement by
 * statement, inside the one implicit transaction of the call.
 */
export async function deliverOne(
  db: Pick<Tx, '$queryRaw'>,
  content: NotificationContent,
  userId: string,
  idempotencyKey: string | null,
  plan?: DeliveryPlan,
): Promise<BatchResult> {
  const id = newNotificationId();
  // Called on the row notification_create returns: a duplicate (no row) queues nothing.
  const enqueue = enqueueExpression(plan, [{ id, userId }]);
  // Through pg when outside a transaction (queryRows): Prisma's $queryRaw mapping cost a create as much CPU again.
  const [row] = await queryRows<{
    createdAt: Date;
    updatedAt: Date;
    /** int8: text from pg, a bigint from $queryRaw. */
    addedAt: string | bigint;
    total: number;
    unread: number;
    unseen: number;
    loggedAt: Date;
  }>(
    db,
    Prisma.sql`SELECT c.*${enqueue ? Prisma.sql`, ${enqueue} AS queued` : Prisma.empty} FROM notification_create(${id}::uuid, ${userId}, ${content.title}, ${content.message},
      ${content.type}::"NotificationType", ${JSON.stringify(content.metadata)}::jsonb, ${content.relatedSessionId},
      ${idempotencyKey}, ${content.category}, ${content.eventType}, ${content.expiresAt}::timestamptz,
      ${content.priority}::"NotificationPriority") AS c`,
  );
  if (!row) return { outcomes: await findDuplicates(db as Tx, [userId], idempotencyKey!), events: [] };
  const notification: Notification = {
    ...content,
    metadata: content.metadata as Notification['metadata'],
    id,
    userId,
    status: 'UNREAD',
    idempotencyKey,
    collapseKey: null,
    position: BigInt(row.addedAt),
    createdAt: row.createdAt,
    readAt: null,
    seenAt: null,
    archivedAt: null,
    snoozedUntil: null,
    sendAt: null,
    updatedAt: row.updatedAt,
  };
  const event: ChangeEvent = {
    position: Number(row.addedAt),
    kind: 'ADDED',
    notificationId: id,
    notificationIds: [id],
    notification,
    count: 1,
    counts: { total: row.total, unread: row.unread, unseen: row.unseen },
    createdAt: row.loggedAt,
  };
  return { outcomes: [{ userId, outcome: 'CREATED', notification }], events: [{ userId, event }] };
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

/**
 * Takes the idempotency key for each recipient who has not used it yet, and returns them; each who has is a
 * DUPLICATE of the notification it led to (pushed onto `outcomes`). Without a key, every recipient is fresh.
 */
async function claimKeys(
  tx: Tx,
  recipients: readonly string[],
  ids: ReadonlyMap<string, string>,
  idempotencyKey: string | null | undefined,
  outcomes: DeliveryOutcome[],
): Promise<string[]> {
  if (!idempotencyKey) return [...recipients];
  const claimed = await tx.$queryRaw<Array<{ user_id: string }>>`
    INSERT INTO notification_keys (user_id, key, notification_id)
    SELECT * FROM unnest(${[...recipients]}::varchar[], ${recipients.map(() => idempotencyKey)}::varchar[], ${recipients.map((userId) => ids.get(userId)!)}::uuid[])
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING user_id`;
  const claimedIds = new Set(claimed.map((row) => row.user_id));
  const duplicates = recipients.filter((userId) => !claimedIds.has(userId));
  if (duplicates.length > 0) outcomes.push(...(await findDuplicates(tx, duplicates, idempotencyKey)));
  return recipients.filter((userId) => claimedIds.has(userId));
}
