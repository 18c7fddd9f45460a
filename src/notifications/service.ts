// The one owner of the notification rules: GraphQL, the event intake and the jobs all come through here.
import type { Database } from '../db.js';
import { notFound } from '../errors.js';
import type { Notification, Prisma } from '../generated/prisma/client.js';
import type { NotificationStatus, NotificationType } from '../generated/prisma/enums.js';
import { type ChangeEvent, type ChangeRecord, recordChange } from './changelog.js';
import type { ChangePublisher } from './events.js';
import { newNotificationId, parseNotificationId } from './ids.js';
import { type PageRequest, parsePageRequest } from './pagination.js';
import { type NewNotificationInput, parseNewNotification } from './validation.js';

export interface ListFilter {
  status?: NotificationStatus | null;
  type?: NotificationType | null;
}

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

// Archived notifications leave the default list; they stay reachable with an explicit status.
const LISTED_BY_DEFAULT: NotificationStatus[] = ['UNREAD', 'READ'];

export class NotificationService {
  constructor(
    private readonly db: Database,
    private readonly publisher: ChangePublisher,
  ) {}

  /** A page of the user's notifications, newest first. */
  async list(userId: string, request: PageRequest & ListFilter): Promise<NotificationPage> {
    const page = parsePageRequest(request);
    const where: Prisma.NotificationWhereInput = {
      userId,
      status: request.status ?? { in: LISTED_BY_DEFAULT },
      ...(request.type ? { type: request.type } : {}),
    };
    const rows = await this.db.notification.findMany({
      where: { ...where, id: { lt: page.after, gt: page.before } },
      // Walking backwards (`last`) reads oldest-first from the cursor, then flips the page.
      orderBy: { id: page.backwards ? 'asc' : 'desc' },
      take: page.size + 1,
    });
    const hasMore = rows.length > page.size;
    const nodes = rows.slice(0, page.size);
    if (page.backwards) nodes.reverse();
    return {
      nodes,
      hasNextPage: page.backwards ? page.before !== undefined : hasMore,
      hasPreviousPage: page.backwards ? hasMore : page.after !== undefined,
      totalCount: () => this.db.notification.count({ where }),
    };
  }

  async unreadCount(userId: string): Promise<UnreadCount> {
    const { _count, _max } = await this.db.notification.aggregate({
      where: { userId, status: 'UNREAD' },
      _count: { _all: true },
      _max: { createdAt: true },
    });
    return { count: _count._all, lastNotificationAt: _max.createdAt };
  }

  /** The user's notification; NOT_FOUND when it is missing or someone else's, alike. */
  async get(userId: string, id: string): Promise<Notification> {
    const notification = await this.db.notification.findFirst({ where: { id: parseNotificationId(id), userId } });
    if (!notification) throw notFound();
    return notification;
  }

  /** Marks one notification read; reading it again changes nothing. */
  async markRead(userId: string, id: string): Promise<Notification> {
    const notificationId = parseNotificationId(id);
    const change = await this.changeAndRecord(userId, async (tx) => {
      const [updated] = await tx.notification.updateManyAndReturn({
        where: { id: notificationId, userId, status: 'UNREAD' },
        data: { status: 'READ', readAt: new Date() },
      });
      return updated && { kind: 'READ', notification: updated };
    });
    return change?.notification ?? this.get(userId, notificationId);
  }

  /** Marks every unread notification of the user read; returns how many changed. */
  async markAllRead(userId: string): Promise<number> {
    const change = await this.changeAndRecord(userId, async (tx) => {
      const { count } = await tx.notification.updateMany({
        where: { userId, status: 'UNREAD' },
        data: { status: 'READ', readAt: new Date() },
      });
      return count > 0 ? { kind: 'ALL_READ', count } : undefined;
    });
    return change?.count ?? 0;
  }

  /** Deletes one notification; returns its id. */
  async delete(userId: string, id: string): Promise<string> {
    const notificationId = parseNotificationId(id);
    const change = await this.changeAndRecord(userId, async (tx) => {
      const { count } = await tx.notification.deleteMany({ where: { id: notificationId, userId } });
      return count > 0 ? { kind: 'DELETED', notificationId } : undefined;
    });
    if (!change) throw notFound();
    return notificationId;
  }

  /**
   * Creates a notification and pushes it live after commit. With an idempotency key already used for
   * this user, creates nothing and returns the first notification made with it, however late the retry.
   */
  async create(input: NewNotificationInput): Promise<CreateResult> {
    const fields = parseNewNotification(input);
    const change = await this.changeAndRecord(fields.userId, async (tx) => {
      const [inserted] = await tx.notification.createManyAndReturn({
        data: [{ ...fields, id: newNotificationId() }],
        skipDuplicates: true,
      });
      return inserted && { kind: 'ADDED', notification: inserted };
    });
    if (change?.notification) return { notification: change.notification, created: true };
    const existing = await this.db.notification.findFirstOrThrow({
      where: { userId: fields.userId, idempotencyKey: fields.idempotencyKey },
    });
    return { notification: existing, created: false };
  }

  /**
   * Runs `change` and records what it did in the change log, in one transaction; publishes the event
   * after commit. A change that did nothing (undefined) leaves no trace in the log.
   */
  private async changeAndRecord(
    userId: string,
    change: (tx: Prisma.TransactionClient) => Promise<ChangeRecord | undefined | null>,
  ): Promise<ChangeEvent | undefined> {
    const event = await this.db.$transaction(async (tx) => {
      const record = await change(tx);
      return record ? recordChange(tx, userId, record) : undefined;
    });
    if (event) this.publisher.publish(userId, event);
    return event;
  }
}
