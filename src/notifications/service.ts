// The one owner of the notification rules: GraphQL, the event intake and the jobs all come through here.
// Every change is written with its change-log entry in one transaction and published after commit.
import type { Database } from '../db.js';
import type { DeliveryPlan } from '../delivery/planner.js';
import { badUserInput, ExpectedError, notFound } from '../errors.js';
import { type Notification, Prisma } from '../generated/prisma/client.js';
import { type ChangeEvent, type ChangeRecord, logChange, nextPosition } from './changelog.js';
import { countView, type NotificationCounts } from './counts.js';
import {
  type BatchResult,
  type DeliveryOptions,
  type DeliveryOutcome,
  deliverBatch,
  deliverOne,
  type NotificationContent,
  scheduleBatch,
} from './delivery.js';
import type { ChangePublisher } from './events.js';
import { checkFilter, filterSql, type NotificationFilter } from './filter.js';
import { parseNotificationId } from './ids.js';
import { type ListFilter, listQuery } from './list-query.js';
import type { PageRequest } from './pagination.js';
import { NOTIFICATION_COLUMNS } from './rows.js';
import { queryRows, toNotification } from './sql.js';
import { type NewNotificationInput, parseNewNotification } from './validation.js';

export interface NotificationPage {
  nodes: Notification[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Counted only when asked for. */
  totalCount: () => Promise<number>;
}

export interface UnreadCount {
  count: number;
  lastNotificationAt: Date | null;
}

export interface CreateResult {
  notification: Notification;
  /** False when the idempotency key matched an earlier notification, which is returned instead. */
  created: boolean;
}

/** What a change to one notification leaves behind. */
export interface ChangeResult {
  notification: Notification;
  counts: NotificationCounts;
}

/** What a change to many leaves behind. */
export interface BulkResult {
  count: number;
  notificationIds: string[];
  counts: NotificationCounts;
}

export interface BulkRequest {
  filter?: NotificationFilter | null;
  /** Only notifications added at or before this change-log position: what the client had seen. */
  upTo?: number | undefined;
}

const MAX_IDS = 100;
const DELIVERY_BATCH = 1000;
const MAX_SNOOZE_MS = 366 * 24 * 3600 * 1000;

type Tx = Prisma.TransactionClient;

/** Thrown inside a transaction to roll it back when the change turned out to change nothing. */
class NoChange extends Error {}

/** Told of every notification created (after its commit), for metrics. */
export type CreationObserver = (content: Pick<NotificationContent, 'type' | 'category'>, count: number) => void;

/** Told when a notification falls due for the wake-up job (a snooze ends then), on this instance. */
export type DueObserver = (at: Date) => void;

export class NotificationService {
  private readonly dueObservers = new Set<DueObserver>();

  constructor(
    private readonly db: Database,
    private readonly publisher: ChangePublisher,
    private readonly observeCreated: CreationObserver = () => {},
  ) {}

  /**
   * A page of the user's notifications, newest first. With `countNow`, the total is counted alongside the
   * page (on another connection) rather than after it, when asked for.
   */
  async list(userId: string, request: PageRequest & ListFilter & { countNow?: boolean }): Promise<NotificationPage> {
    const { page, view, rows: pageSql } = listQuery(userId, request, new Date());
    const counted = request.countNow ? countView(this.db, view).then(({ total }) => total) : undefined;
    // Awaited by totalCount; should the request end before that, its failure must not go unhandled.
    counted?.catch(() => {});
    const rows = await queryRows<Notification>(this.db, pageSql);
    // Walking backwards (`last`) reads oldest-first from the cursor, then flips the page.
    const hasMore = rows.length > page.size;
    const nodes = rows.slice(0, page.size).map(toNotification);
    if (page.backwards) nodes.reverse();
    return {
      nodes,
      hasNextPage: page.backwards ? page.before !== undefined : hasMore,
      hasPreviousPage: page.backwards ? hasMore : page.after !== undefined,
      totalCount: async () => counted ?? (await countView(this.db, view)).total,
    };
  }

  /** Total, unread and unseen for a view of the user's inbox. */
  counts(userId: string, filter?: NotificationFilter | null, field = 'filter'): Promise<NotificationCounts> {
    return countView(this.db, filterSql(userId, checkFilter(filter, field), new Date()));
  }

  async unreadCount(userId: string): Promise<UnreadCount> {
    const [row] = await this.db.$queryRaw<Array<{ count: number; last: Date | null }>>`
      SELECT count(*)::int AS count, max(created_at) AS last FROM notifications AS n
      WHERE ${filterSql(userId, {}, new Date())} AND n.read_at IS NULL`;
    return { count: row!.count, lastNotificationAt: row!.last };
  }

  /** The user's notification; NOT_FOUND when it is missing or someone else's, alike. */
  async get(userId: string, id: string): Promise<Notification> {
    const notification = await this.db.notification.findFirst({
      where: { id: parseNotificationId(id), userId, sendAt: null },
    });
    if (!notification) throw notFound();
    return notification;
  }

  /** Marks one notification read; reading it again changes nothing. */
  async markRead(userId: string, id: string): Promise<Notification> {
    // It answers with the notification only: reading it again need not count anything.
    return (
      await this.applyOne(userId, id, 'READ', { readAt: null }, (n) => ({
        readAt: new Date(),
        ...(n.status === 'UNREAD' ? { status: 'READ' } : {}),
      }))
    ).notification;
  }

  /** Marks one notification unread again. */
  markUnread(userId: string, id: string): Promise<ChangeResult> {
    return this.changeOne(userId, id, 'UNREAD', { readAt: { not: null } }, (n) => ({
      readAt: null,
      ...(n.status === 'READ' ? { status: 'UNREAD' } : {}),
    }));
  }

  /** Takes a notification out of the default list and the counts; it stays reachable with the filter. */
  archive(userId: string, id: string): Promise<ChangeResult> {
    return this.changeOne(userId, id, 'ARCHIVED', { status: { not: 'ARCHIVED' } }, () => ({
      status: 'ARCHIVED',
      archivedAt: new Date(),
    }));
  }

  /** Brings an archived notification back, read or unread as it was. */
  unarchive(userId: string, id: string): Promise<ChangeResult> {
    return this.changeOne(userId, id, 'UNARCHIVED', { status: 'ARCHIVED' }, (n) => ({
      status: n.readAt ? 'READ' : 'UNREAD',
      archivedAt: null,
    }));
  }

  /** Hides a notification from lists and counts until `until`; then it resurfaces as new. */
  async snooze(userId: string, id: string, until: Date): Promise<ChangeResult> {
    const now = Date.now();
    if (!(until.getTime() > now)) throw badUserInput('until', 'must be in the future');
    if (until.getTime() - now > MAX_SNOOZE_MS) throw badUserInput('until', 'must be within a year');
    const result = await this.changeOne(userId, id, 'SNOOZED', {}, () => ({ snoozedUntil: until }));
    for (const observe of this.dueObservers) observe(until);
    return result;
  }

  /** Calls `observe` whenever a change here makes a notification fall due; returns how to stop. */
  observeDue(observe: DueObserver): () => void {
    this.dueObservers.add(observe);
    return () => this.dueObservers.delete(observe);
  }

  /** Marks these notifications seen (shown to the user); returns how many changed. */
  async markSeen(userId: string, ids: string[]): Promise<BulkResult> {
    if (ids.length === 0 || ids.length > MAX_IDS) throw badUserInput('ids', `must list 1 to ${MAX_IDS} ids`);
    const notificationIds = [...new Set(ids.map((id) => parseNotificationId(id, 'ids')))];
    const owned = await this.db.notification.count({ where: { userId, id: { in: notificationIds }, sendAt: null } });
    if (owned !== notificationIds.length) throw notFound();
    return this.changeMany(
      userId,
      'SEEN',
      Prisma.sql`n.user_id = ${userId} AND n.id = ANY(${notificationIds}::uuid[]) AND n.seen_at IS NULL`,
      Prisma.sql`seen_at = now()`,
    );
  }

  /** Marks read every unread notification in the view, added at or before `upTo`. */
  markAllRead(userId: string, request: BulkRequest = {}): Promise<BulkResult> {
    return this.changeMany(
      userId,
      'ALL_READ',
      this.bulkWhere(userId, request, Prisma.sql`n.read_at IS NULL`),
      // Archived ones stay archived; they are read all the same.
      Prisma.sql`read_at = now(), status = CASE WHEN n.status = 'UNREAD' THEN 'READ' ELSE n.status END`,
    );
  }

  /** Marks seen every unseen notification in the view, added at or before `upTo`. */
  markAllSeen(userId: string, request: BulkRequest = {}): Promise<BulkResult> {
    return this.changeMany(
      userId,
      'ALL_SEEN',
      this.bulkWhere(userId, request, Prisma.sql`n.seen_at IS NULL`),
      Prisma.sql`seen_at = now()`,
    );
  }

  /** Archives every notification in the view, added at or before `upTo`. */
  archiveAll(userId: string, request: BulkRequest = {}): Promise<BulkResult> {
    return this.changeMany(
      userId,
      'ALL_ARCHIVED',
      this.bulkWhere(userId, request, Prisma.sql`n.status <> 'ARCHIVED'`),
      Prisma.sql`status = 'ARCHIVED', archived_at = now()`,
    );
  }

  /** Deletes every notification in the view, added at or before `upTo`. */
  async deleteAll(userId: string, request: BulkRequest = {}): Promise<BulkResult> {
    const condition = this.bulkWhere(userId, request);
    const event = await this.changeAndRecord(userId, async (tx) => {
      const deleted = await tx.$queryRaw<
        Array<{ id: string }>
      >`DELETE FROM notifications AS n WHERE ${condition} RETURNING n.id`;
      return deleted.length > 0 ? { kind: 'ALL_DELETED', notificationIds: deleted.map(({ id }) => id) } : undefined;
    });
    return this.bulkResult(userId, event);
  }

  /** Deletes all but the user's `keep` newest notifications (archived ones included), as one change. */
  async trimTo(userId: string, keep: number): Promise<BulkResult> {
    const event = await this.changeAndRecord(userId, async (tx) => {
      const doomed = await tx.notification.findMany({
        where: { userId, sendAt: null },
        orderBy: { id: 'desc' },
        skip: keep,
        select: { id: true },
      });
      if (doomed.length === 0) return undefined;
      const notificationIds = doomed.map(({ id }) => id);
      await tx.notification.deleteMany({ where: { userId, id: { in: notificationIds } } });
      return { kind: 'ALL_DELETED', notificationIds };
    });
    return this.bulkResult(userId, event);
  }

  /** Deletes one notification; returns its id and the counts after. */
  async delete(userId: string, id: string): Promise<{ deletedId: string; counts: NotificationCounts }> {
    const notificationId = parseNotificationId(id);
    const event = await this.changeAndRecord(userId, async (tx) => {
      const { count } = await tx.notification.deleteMany({ where: { id: notificationId, userId, sendAt: null } });
      return count > 0 ? { kind: 'DELETED', notificationId } : undefined;
    });
    if (!event) throw notFound();
    return { deletedId: notificationId, counts: event.counts };
  }

  /**
   * Creates a notification and pushes it live after commit. With an idempotency key already used for
   * this user, creates nothing and returns the first notification made with it, however late the retry.
   */
  async create(input: NewNotificationInput, plan?: DeliveryPlan): Promise<CreateResult> {
    const { userId, idempotencyKey, sendAt, ...fields } = parseNewNotification(input);
    const [result] = await this.deliver({ ...fields, eventType: null }, [userId], {
      idempotencyKey,
      collapseKey: null,
      supersedes: [],
      plan,
      sendAt,
    });
    if (!result?.notification) throw notFound();
    return { notification: result.notification, created: result.outcome === 'CREATED' };
  }

  /** Which of these users already had a notification made with this idempotency key. */
  async keyHolders(userIds: readonly string[], idempotencyKey: string): Promise<Set<string>> {
    const rows = await this.db.$queryRaw<Array<{ user_id: string }>>`
      SELECT user_id FROM notification_keys WHERE key = ${idempotencyKey} AND user_id = ANY(${[...userIds]}::varchar[])`;
    return new Set(rows.map((row) => row.user_id));
  }

  /**
   * Delivers one content to many recipients (distinct user ids), in batches of a thousand, each batch one
   * transaction of a few statements; publishes each recipient's change after its batch commits. One
   * recipient without a collapse key (most deliveries) takes a single round trip.
   */
  async deliver(
    content: NotificationContent,
    recipients: readonly string[],
    options: DeliveryOptions,
  ): Promise<DeliveryOutcome[]> {
    const { sendAt } = options;
    if (sendAt) {
      const outcomes: DeliveryOutcome[] = [];
      for (let start = 0; start < recipients.length; start += DELIVERY_BATCH) {
        const batch = recipients.slice(start, start + DELIVERY_BATCH);
        const result = await this.transaction((tx) => scheduleBatch(tx, content, batch, { ...options, sendAt }));
        outcomes.push(...result.outcomes);
      }
      if (outcomes.some(({ outcome }) => outcome === 'CREATED'))
        for (const observe of this.dueObservers) observe(sendAt);
      return outcomes;
    }
    if (recipients.length === 1 && !options.collapseKey) {
      const result = await deliverOne(this.db, content, recipients[0]!, options.idempotencyKey, options.plan);
      this.committed(content, result);
      return result.outcomes;
    }
    const outcomes: DeliveryOutcome[] = [];
    for (let start = 0; start < recipients.length; start += DELIVERY_BATCH) {
      const batch = recipients.slice(start, start + DELIVERY_BATCH);
      const result = await this.transaction((tx) => deliverBatch(tx, content, batch, options));
      this.committed(content, result);
      outcomes.push(...result.outcomes);
    }
    return outcomes;
  }

  /** After a delivery commits: its changes go live, and what it created is counted. */
  private committed(content: NotificationContent, { events, outcomes }: BatchResult): void {
    for (const { userId, event } of events) this.publisher.publish(userId, event);
    if (content.expiresAt && events.length > 0) for (const observe of this.dueObservers) observe(content.expiresAt);
    const created = outcomes.filter(({ outcome }) => outcome === 'CREATED').length;
    if (created > 0) this.observeCreated(content, created);
  }

  /**
   * Sends the scheduled notifications whose time has come, each exactly once however many instances try: it
   * enters the views at the user's next position (an ADDED change, published after commit) and its deliveries
   * start (SCHEDULED ones become QUEUED or HELD, per the policies planned with them). Returns how many.
   */
  async releaseScheduled(now = new Date(), limit = 500): Promise<number> {
    const due = await this.db.notification.findMany({
      where: { sendAt: { lte: now } },
      select: { id: true, userId: true },
      orderBy: { sendAt: 'asc' },
      take: limit,
    });
    let released = 0;
    for (const { id, userId } of due) {
      let event: ChangeEvent;
      try {
        event = await this.transaction(async (tx) => {
          const position = await nextPosition(tx, userId);
          // Checked again under the user's lock: another instance may have been first.
          const [notification] = await tx.$queryRaw<Notification[]>`
            UPDATE notifications AS n SET send_at = NULL, position = ${position}, created_at = now(), updated_at = now()
            WHERE n.id = ${id}::uuid AND n.send_at <= ${now}::timestamptz
            RETURNING ${NOTIFICATION_COLUMNS}`;
          if (!notification) throw new NoChange();
          await tx.$queryRaw`
            WITH released AS (
              UPDATE deliveries SET updated_at = now(),
                status = (CASE WHEN digest_ms > 0 OR delay_ms > 0 THEN 'HELD' ELSE 'QUEUED' END)::"DeliveryStatus",
                reason = CASE WHEN digest_ms > 0 THEN 'DIGEST' WHEN delay_ms > 0 THEN 'DELAYED' END
              WHERE notification_id = ${id}::uuid AND status = 'SCHEDULED'
              RETURNING id
            )
            SELECT delivery_jobs(ARRAY(SELECT id FROM released)) AS queued`;
          return logChange(tx, userId, position, { kind: 'ADDED', notification });
        });
      } catch (error) {
        if (error instanceof NoChange) continue;
        throw error;
      }
      this.publisher.publish(userId, event);
      released++;
    }
    return released;
  }

  /**
   * Cancels a scheduled notification before it is sent: it is deleted with its deliveries, leaving no trace
   * (the user never saw it). NOT_FOUND for an unknown id, ALREADY_SENT once it was sent.
   */
  async cancelScheduled(id: string): Promise<string> {
    const notificationId = parseNotificationId(id);
    const { count } = await this.db.notification.deleteMany({ where: { id: notificationId, sendAt: { not: null } } });
    if (count > 0) return notificationId;
    const sent = await this.db.notification.findUnique({ where: { id: notificationId }, select: { createdAt: true } });
    if (!sent) throw notFound();
    throw new ExpectedError(
      'ALREADY_SENT',
      `This notification was sent at ${sent.createdAt.toISOString()}: it can no longer be cancelled (the user may delete it).`,
    );
  }

  /** Resurfaces snoozed notifications whose time has come, each exactly once; returns how many. */
  async resurfaceDue(now = new Date(), limit = 500): Promise<number> {
    const due = await this.db.notification.findMany({
      where: { snoozedUntil: { lte: now } },
      select: { id: true, userId: true },
      orderBy: { snoozedUntil: 'asc' },
      take: limit,
    });
    let resurfaced = 0;
    for (const { id, userId } of due) {
      const event = await this.changeAndRecord(userId, async (tx) => {
        // The condition is checked again under the row lock: another instance may have been first.
        const [updated] = await tx.notification.updateManyAndReturn({
          where: { id, snoozedUntil: { lte: now } },
          data: { snoozedUntil: null, seenAt: null },
        });
        if (!updated) return undefined;
        // Back as new: unseen, and unread unless it was archived meanwhile.
        const notification =
          updated.status === 'ARCHIVED'
            ? updated
            : await tx.notification.update({ where: { id }, data: { status: 'UNREAD', readAt: null } });
        return { kind: 'RESURFACED', notification };
      });
      if (event) resurfaced++;
    }
    return resurfaced;
  }

  /** Deletes notifications whose expiry has passed, each with an EXPIRED change; returns how many. */
  async expireDue(now = new Date(), limit = 500): Promise<number> {
    const due = await this.db.notification.findMany({
      where: { expiresAt: { lte: now }, sendAt: null },
      select: { id: true, userId: true },
      take: limit,
    });
    let expired = 0;
    for (const { id, userId } of due) {
      const event = await this.changeAndRecord(userId, async (tx) => {
        const { count } = await tx.notification.deleteMany({ where: { id, expiresAt: { lte: now } } });
        return count > 0 ? { kind: 'EXPIRED', notificationId: id } : undefined;
      });
      if (event) expired++;
    }
    return expired;
  }

  private bulkWhere(userId: string, { filter, upTo }: BulkRequest, extra?: Prisma.Sql): Prisma.Sql {
    return Prisma.join(
      [
        filterSql(userId, checkFilter(filter), new Date()),
        ...(extra ? [extra] : []),
        ...(upTo !== undefined ? [Prisma.sql`n.position <= ${upTo}`] : []),
      ],
      ' AND ',
    );
  }

  /**
   * Changes one of the user's notifications if it is in the state `from` describes; NOT_FOUND when it is
   * missing or someone else's. A notification already in the target state is returned unchanged.
   */
  private async changeOne(
    userId: string,
    id: string,
    kind: ChangeRecord['kind'],
    from: Prisma.NotificationWhereInput,
    to: (current: Notification) => Prisma.NotificationUpdateManyMutationInput,
  ): Promise<ChangeResult> {
    const { notification, counts } = await this.applyOne(userId, id, kind, from, to);
    return { notification, counts: counts ?? (await this.counts(userId)) };
  }

  /** changeOne without counting when nothing changed: the counts come only with the logged change. */
  private async applyOne(
    userId: string,
    id: string,
    kind: ChangeRecord['kind'],
    from: Prisma.NotificationWhereInput,
    to: (current: Notification) => Prisma.NotificationUpdateManyMutationInput,
  ): Promise<{ notification: Notification; counts?: NotificationCounts }> {
    const notificationId = parseNotificationId(id);
    const event = await this.changeAndRecord(userId, async (tx) => {
      const current = await tx.notification.findFirst({ where: { id: notificationId, userId, sendAt: null, ...from } });
      if (!current) return undefined;
      const notification = await tx.notification.update({ where: { id: notificationId }, data: to(current) });
      return { kind, notification };
    });
    if (event) return { notification: event.notification!, counts: event.counts };
    return { notification: await this.get(userId, notificationId) };
  }

  /** Changes every notification `condition` selects (checked again row by row under lock) as one logged change. */
  private async changeMany(
    userId: string,
    kind: ChangeRecord['kind'],
    condition: Prisma.Sql,
    set: Prisma.Sql,
  ): Promise<BulkResult> {
    const event = await this.changeAndRecord(userId, async (tx) => {
      const changed = await tx.$queryRaw<Array<{ id: string }>>`
        UPDATE notifications AS n SET ${set}, updated_at = now() WHERE ${condition} RETURNING n.id`;
      return changed.length > 0 ? { kind, notificationIds: changed.map(({ id }) => id) } : undefined;
    });
    return this.bulkResult(userId, event);
  }

  private async bulkResult(userId: string, event: ChangeEvent | undefined): Promise<BulkResult> {
    if (!event) return { count: 0, notificationIds: [], counts: await this.counts(userId) };
    return { count: event.count, notificationIds: event.notificationIds, counts: event.counts };
  }

  /**
   * Runs `change` and records what it did in the change log, in one transaction, then publishes the event
   * after commit. The user's stream row is locked first, so each user's changes run one at a time, see
   * each other's results, and get positions in commit order. A change that did nothing is rolled back,
   * its position with it: it leaves no trace.
   */
  private async changeAndRecord(
    userId: string,
    change: (tx: Tx) => Promise<ChangeRecord | undefined>,
  ): Promise<ChangeEvent | undefined> {
    let event: ChangeEvent;
    try {
      event = await this.transaction(async (tx) => {
        const position = await nextPosition(tx, userId);
        const record = await change(tx);
        if (!record) throw new NoChange();
        return logChange(tx, userId, position, record);
      });
    } catch (error) {
      if (error instanceof NoChange) return undefined;
      throw error;
    }
    this.publisher.publish(userId, event);
    return event;
  }

  private transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(work);
  }
}
