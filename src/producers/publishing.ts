// Domain events become notifications: the one path for publishEvent, broadcast, the stream intake and
// the CLI. The template is rendered once per event, however many recipients; muted categories and the
// per-recipient rate limit are applied to all of them in one round trip to each store (muted categories and
// earlier uses of the idempotency key read at once, then the limit). A retry costs no budget.
import { z } from 'zod';
import type { Database } from '../db.js';
import { type DeliveryPlan, type DeliveryPlanner, skippedAtOnce } from '../delivery/planner.js';
import { badUserInput, ExpectedError } from '../errors.js';
import type { Notification, Prisma } from '../generated/prisma/client.js';
import type { NotificationPriority } from '../generated/prisma/enums.js';
import { type DeferredRequestBudget, RequestBudgetRefused } from '../limits/deferred-budget.js';
import type { RecipientRateLimiter } from '../limits/recipient-rate-limit.js';
import type { NotificationContent } from '../notifications/delivery.js';
import type { CreateResult, NotificationService } from '../notifications/service.js';
import { checkSendAt, type NewNotificationInput, parseNewNotification } from '../notifications/validation.js';
import { defaultPriority, type EventType, findEventType } from './event-types.js';
import type { Preferences } from './preferences.js';

export const MAX_RECIPIENTS = 10_000;

export interface PublishInput {
  type: string;
  data?: unknown;
  recipients: readonly string[];
  idempotencyKey?: string | null;
  collapseKey?: string | null;
  expiresAt?: Date | null;
  /** The event type's priority otherwise (URGENT for critical types, NORMAL for the rest). */
  priority?: NotificationPriority | null;
  /** A scheduled send: within a year (see NotificationService.releaseScheduled). */
  sendAt?: Date | null;
}

export const PUBLISH_OUTCOMES = ['CREATED', 'UPDATED', 'DUPLICATE', 'STALE', 'MUTED', 'RATE_LIMITED'] as const;
export type PublishOutcome = (typeof PUBLISH_OUTCOMES)[number];

export interface RecipientResult {
  userId: string;
  outcome: PublishOutcome;
  /** What the event created, updated or found; null when muted, refused, or deleted since. */
  notification: Notification | null;
  /** Why the recipient got nothing (RATE_LIMITED): plain data, one per refused recipient. */
  error: RecipientError | null;
}

export interface RecipientError {
  code: 'RATE_LIMITED';
  message: string;
  /** Seconds until the recipient can be notified again. */
  retryAfter: number;
}

export interface PublishReport {
  results: RecipientResult[];
  /** How many recipients had each outcome. */
  tally: Record<PublishOutcome, number>;
}

const key = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters');

const userId = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

const checkedKey = (value: string | null | undefined, field: string) => {
  if (value == null) return null;
  const result = key.safeParse(value);
  if (!result.success) throw badUserInput(field, result.error.issues[0]!.message);
  return value;
};

function checkRecipients(recipients: readonly string[]): string[] {
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS) {
    throw badUserInput('recipients', `must list 1 to ${MAX_RECIPIENTS} users`);
  }
  for (const [i, recipient] of recipients.entries()) {
    const result = userId.safeParse(recipient);
    if (!result.success) throw badUserInput(`recipients.${i}`, result.error.issues[0]!.message);
  }
  return [...new Set(recipients.map((recipient) => recipient.trim()))];
}

function checkEvent(type: string, data: unknown): { eventType: EventType; data: unknown } {
  const eventType = findEventType(type);
  if (!eventType) throw badUserInput('type', `is not a known event type: ${type}`);
  const parsed = eventType.data.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badUserInput(['data', ...issue.path.map(String)].join('.'), issue.message);
  }
  return { eventType, data: parsed.data };
}

export interface PublishingObserver {
  published?(tally: PublishReport['tally']): void;
  skipped?(channel: string): void;
}

export class EventPublishing {
  constructor(
    private readonly db: Database,
    private readonly notifications: NotificationService,
    private readonly preferences: Preferences,
    private readonly rateLimiter: RecipientRateLimiter,
    /** Told, for metrics, the outcomes of every publish and each delivery recorded SKIPPED as it was stored. */
    private readonly observer: PublishingObserver = {},
    /** Plans deliveries outside the app (email, push), queued with the notifications; none without it. */
    private readonly planner?: DeliveryPlanner,
  ) {}

  private observe(tally: PublishReport['tally']): void {
    this.observer.published?.(tally);
  }

  /** The deliveries of the recipients who got a notification that the plan skipped at once (no address, muted…). */
  private observeSkipped(plan: DeliveryPlan | undefined, userIds: readonly string[]): void {
    for (const channel of skippedAtOnce(plan, userIds)) this.observer.skipped?.(channel);
  }

  /** Turns one event into a notification for each recipient; everything is checked before anything is written. */
  async publish(input: PublishInput): Promise<PublishReport> {
    const { eventType, data } = checkEvent(input.type, input.data);
    const recipients = checkRecipients(input.recipients);
    const idempotencyKey =
      checkedKey(input.idempotencyKey, 'idempotencyKey') ?? eventType.defaultIdempotencyKey?.(data) ?? null;
    const collapseKey = checkedKey(input.collapseKey, 'collapseKey') ?? eventType.defaultCollapseKey?.(data) ?? null;
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
      throw badUserInput('expiresAt', 'must be in the future');
    const sendAt = checkSendAt(input.sendAt, input.expiresAt);
    const content = this.render(eventType, data, input.expiresAt ?? null, input.priority ?? defaultPriority(eventType));
    // Read alongside the checks below; the plan for a recipient who ends up with nothing is simply unused.
    const planning = this.planner?.plan(recipients, eventType, eventType.category, data, content.priority);
    planning?.catch(() => {});

    const results = new Map<string, RecipientResult>();
    let deliverable = recipients;
    if (!eventType.critical) {
      const [muted, retried] = await Promise.all([
        this.preferences.mutedAmong(deliverable, eventType.category),
        this.retriedAmong(deliverable, idempotencyKey),
      ]);
      for (const userId of muted) results.set(userId, { userId, outcome: 'MUTED', notification: null, error: null });
      deliverable = deliverable.filter((userId) => !muted.has(userId));
      const { refused, retryAfterSeconds } = await this.rateLimiter.take(
        deliverable.filter((userId) => !retried.has(userId)),
        idempotencyKey,
      );
      for (const userId of refused) {
        const error: RecipientError = {
          code: 'RATE_LIMITED',
          message: `${userId} has had too many notifications this hour.`,
          retryAfter: retryAfterSeconds,
        };
        results.set(userId, { userId, outcome: 'RATE_LIMITED', notification: null, error });
      }
      deliverable = deliverable.filter((userId) => !refused.has(userId));
    }
    const plan = await planning;
    const outcomes = await this.notifications.deliver(content, deliverable, {
      idempotencyKey,
      collapseKey,
      supersedes: eventType.supersedes ?? [],
      plan,
      sendAt,
    });
    for (const outcome of outcomes) results.set(outcome.userId, { ...outcome, error: null });
    this.observeSkipped(
      plan,
      outcomes.filter((o) => o.outcome === 'CREATED' || o.outcome === 'UPDATED').map((o) => o.userId),
    );

    const ordered = recipients.map((userId) => results.get(userId)!);
    const tally = tallyOf(ordered);
    this.observe(tally);
    return { results: ordered, tally };
  }

  /**
   * A notification written by the producer itself (createNotification): no template, no preferences,
   * but the same per-recipient rate limit; RATE_LIMITED when the recipient is at it. With the request's budget
   * still to count (compiled creates), counted with the recipient's, in its round trip.
   */
  async create(input: NewNotificationInput, requestBudget?: DeferredRequestBudget): Promise<CreateResult> {
    // Checked before anything is counted: bad input costs nothing.
    const { userId, idempotencyKey, category, priority } = parseNewNotification(input);
    const planning = this.planner?.plan([userId], undefined, category ?? null, {}, priority);
    planning?.catch(() => {});
    const retried = await this.retriedAmong([userId], idempotencyKey);
    // Before anything is written (see src/limits/deferred-budget.ts): the request's budget, then the recipient's.
    const { refused, retryAfterSeconds } = await this.rateLimiter.take(
      retried.size ? [] : [userId],
      idempotencyKey,
      requestBudget,
    );
    if (requestBudget?.refused) throw new RequestBudgetRefused();
    if (refused.size > 0) {
      throw new ExpectedError('RATE_LIMITED', `${input.userId} has had too many notifications this hour.`, {
        userId: input.userId,
        retryAfter: retryAfterSeconds,
      });
    }
    const plan = await planning;
    const result = await this.notifications.create(input, plan);
    this.observe({ ...tallyOf([]), [result.created ? 'CREATED' : 'DUPLICATE']: 1 });
    if (result.created) this.observeSkipped(plan, [userId]);
    return result;
  }

  /** Publishes to every known user (anyone the service ever notified or who set preferences), in pages. */
  async broadcast(input: Omit<PublishInput, 'recipients'>): Promise<PublishReport['tally'] & { recipients: number }> {
    checkEvent(input.type, input.data);
    const tally = tallyOf([]);
    let recipients = 0;
    let after = '';
    for (;;) {
      const page = await this.db.$queryRaw<Array<{ user_id: string }>>`
        SELECT user_id FROM notification_streams WHERE user_id > ${after}
        UNION SELECT user_id FROM notification_preferences WHERE user_id > ${after}
        ORDER BY user_id LIMIT ${MAX_RECIPIENTS}`;
      if (page.length === 0) break;
      const report = await this.publish({ ...input, recipients: page.map((row) => row.user_id) });
      for (const [outcome, count] of Object.entries(report.tally)) tally[outcome as PublishOutcome] += count;
      recipients += page.length;
      after = page.at(-1)!.user_id;
    }
    return { ...tally, recipients };
  }

  /**
   * The recipients for whom a notification was already made with this key: a retry of it is DUPLICATE
   * and costs none of their budget. (Retries racing the first delivery are told apart by the limiter.)
   */
  private async retriedAmong(userIds: readonly string[], idempotencyKey: string | null): Promise<Set<string>> {
    if (!idempotencyKey || userIds.length === 0) return new Set();
    return this.notifications.keyHolders(userIds, idempotencyKey);
  }

  private render(
    eventType: EventType,
    data: unknown,
    expiresAt: Date | null,
    priority: NotificationPriority,
  ): NotificationContent {
    const rendered = eventType.render(data);
    return {
      title: rendered.title,
      message: rendered.message,
      type: eventType.type,
      metadata: rendered.metadata as Prisma.InputJsonObject,
      relatedSessionId: rendered.relatedSessionId ?? null,
      category: eventType.category,
      eventType: eventType.name,
      expiresAt,
      priority,
    };
  }
}

function tallyOf(results: readonly RecipientResult[]): Record<PublishOutcome, number> {
  const tally = Object.fromEntries(PUBLISH_OUTCOMES.map((outcome) => [outcome, 0])) as Record<PublishOutcome, number>;
  for (const result of results) tally[result.outcome] += 1;
  return tally;
}
