// The deliveries table as the queue's tasks see it. Every write is conditional on the delivery still being
// QUEUED at the attempt the job was made for, so a stale job (one released after its instance died, when a
// later one was already queued) changes nothing. Every channel's task records its outcomes here, so they are
// counted here, once for all channels (the metrics, through `observe`).
import type { Database } from '../db.js';
import type { Delivery, Notification, NotificationPreference, Recipient } from '../generated/prisma/client.js';
import type { DeliveryStatus } from '../generated/prisma/enums.js';
import type { ChannelChoices } from './channel-choice.js';

/**
 * How one attempt of a delivery ended; stale: the job was no longer the delivery's current one; held: put off
 * (quiet hours); digested: sent as an item of a digest.
 */
export type DeliveryOutcome = 'sent' | 'skipped' | 'retried' | 'failed' | 'stale' | 'held' | 'digested';

/** The states in which a delivery still waits for its job: QUEUED, or HELD by a policy of the user's. */
export const WAITING: DeliveryStatus[] = ['QUEUED', 'HELD'];

/** Told each outcome with its channel; for a send, the time from the delivery's commit to its hand-off. */
export type DeliveryObserver = (channel: string, outcome: DeliveryOutcome, handoffMs?: number) => void;

export interface DeliveryJob {
  id: string;
  attempt: number;
}

/** A channel task's payload, as delivery_enqueue and retryLater add it. */
export function parseDeliveryJob(payload: unknown): DeliveryJob {
  const { id, attempt } = (payload ?? {}) as { id?: unknown; attempt?: unknown };
  if (typeof id !== 'string' || typeof attempt !== 'number') throw new Error('malformed delivery job');
  return { id, attempt };
}

export interface LoadedDelivery {
  delivery: Delivery;
  notification: Notification;
  recipient: Recipient | null;
  choices: ChannelChoices | null;
  /** The user's quiet hours and time zone, when they have a preferences row. */
  preference: QuietPreference | null;
}

export type QuietPreference = Pick<NotificationPreference, 'quietStart' | 'quietEnd' | 'quietChannels' | 'timeZone'>;

/** What load's statement returns: the delivery's columns, then its notification's (n_), recipient's (r_), choices. */
interface LoadRow {
  id: string;
  notification_id: string;
  channel: Delivery['channel'];
  status: Delivery['status'];
  reason: string | null;
  attempts: number;
  last_error: string | null;
  data: Delivery['data'];
  message_id: string | null;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
  delay_ms: number | null;
  digest_ms: number | null;
  n_user_id: string;
  n_title: string;
  n_message: string;
  n_type: Notification['type'];
  n_status: Notification['status'];
  n_metadata: Notification['metadata'];
  n_related_session_id: string | null;
  n_idempotency_key: string | null;
  n_category: string | null;
  n_event_type: string | null;
  n_collapse_key: string | null;
  n_position: bigint;
  n_created_at: Date;
  n_read_at: Date | null;
  n_seen_at: Date | null;
  n_archived_at: Date | null;
  n_snoozed_until: Date | null;
  n_expires_at: Date | null;
  n_priority: Notification['priority'];
  n_send_at: Date | null;
  n_updated_at: Date;
  has_recipient: boolean;
  r_email: string | null;
  r_locale: string | null;
  r_time_zone: string | null;
  r_updated_at: Date | null;
  has_choices: boolean;
  email_on: string[] | null;
  email_off: string[] | null;
  push_on: string[] | null;
  push_off: string[] | null;
  quiet_start: number | null;
  quiet_end: number | null;
  quiet_channels: NotificationPreference['quietChannels'] | null;
  time_zone: string | null;
}

export class DeliveryStore {
  constructor(
    private readonly db: Database,
    private readonly observe: DeliveryObserver = () => {},
  ) {}

  /** The delivery the job is for, if it still waits for this attempt: with its notification and its user's
   * profile and choices, in one statement (it runs for every job). */
  async load({ id, attempt }: DeliveryJob): Promise<LoadedDelivery | undefined> {
    const [row] = await this.db.$queryRaw<LoadRow[]>`
      SELECT d.id, d.notification_id, d.channel::text AS channel, d.status::text AS status, d.reason, d.attempts,
        d.last_error, d.data, d.message_id, d.sent_at, d.created_at, d.updated_at, d.delay_ms, d.digest_ms,
        n.user_id AS n_user_id, n.title AS n_title, n.message AS n_message, n.type::text AS n_type,
        n.status::text AS n_status, n.metadata AS n_metadata, n.related_session_id AS n_related_session_id,
        n.idempotency_key AS n_idempotency_key, n.category AS n_category, n.event_type AS n_event_type,
        n.collapse_key AS n_collapse_key, n.position AS n_position, n.created_at AS n_created_at,
        n.read_at AS n_read_at, n.seen_at AS n_seen_at, n.archived_at AS n_archived_at,
        n.snoozed_until AS n_snoozed_until, n.expires_at AS n_expires_at, n.priority::text AS n_priority,
        n.send_at AS n_send_at, n.updated_at AS n_updated_at,
        r.user_id IS NOT NULL AS has_recipient, r.email AS r_email, r.locale AS r_locale,
        r.time_zone AS r_time_zone, r.updated_at AS r_updated_at,
        p.user_id IS NOT NULL AS has_choices, p.email_on, p.email_off, p.push_on, p.push_off,
        p.quiet_start, p.quiet_end, p.quiet_channels::text[] AS quiet_channels, p.time_zone
      FROM deliveries AS d
      JOIN notifications AS n ON n.id = d.notification_id
      LEFT JOIN recipients AS r ON r.user_id = n.user_id
      LEFT JOIN notification_preferences AS p ON p.user_id = n.user_id
      WHERE d.id = ${id}::uuid`;
    if (!row) return undefined;
    if (!WAITING.includes(row.status) || row.attempts !== attempt) {
      this.observe(row.channel, 'stale');
      return undefined;
    }
    const delivery: Delivery = {
      id: row.id,
      notificationId: row.notification_id,
      channel: row.channel,
      status: row.status,
      reason: row.reason,
      attempts: row.attempts,
      lastError: row.last_error,
      data: row.data,
      messageId: row.message_id,
      sentAt: row.sent_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      delayMs: row.delay_ms,
      digestMs: row.digest_ms,
    };
    const notification: Notification = {
      id: row.notification_id,
      userId: row.n_user_id,
      title: row.n_title,
      message: row.n_message,
      type: row.n_type,
      status: row.n_status,
      metadata: row.n_metadata,
      relatedSessionId: row.n_related_session_id,
      idempotencyKey: row.n_idempotency_key,
      category: row.n_category,
      eventType: row.n_event_type,
      collapseKey: row.n_collapse_key,
      position: row.n_position,
      createdAt: row.n_created_at,
      readAt: row.n_read_at,
      seenAt: row.n_seen_at,
      archivedAt: row.n_archived_at,
      snoozedUntil: row.n_snoozed_until,
      expiresAt: row.n_expires_at,
      priority: row.n_priority,
      sendAt: row.n_send_at,
      updatedAt: row.n_updated_at,
    };
    const recipient: Recipient | null = row.has_recipient
      ? {
          userId: row.n_user_id,
          email: row.r_email,
          locale: row.r_locale,
          timeZone: row.r_time_zone,
          updatedAt: row.r_updated_at!,
        }
      : null;
    const choices: ChannelChoices | null = row.has_choices
      ? { emailOn: row.email_on!, emailOff: row.email_off!, pushOn: row.push_on!, pushOff: row.push_off! }
      : null;
    const preference: QuietPreference | null = row.has_choices
      ? {
          quietStart: row.quiet_start,
          quietEnd: row.quiet_end,
          quietChannels: row.quiet_channels ?? [],
          timeZone: row.time_zone,
        }
      : null;
    return { delivery, notification, recipient, choices, preference };
  }

  async sent(job: DeliveryJob, messageId: string | null = null): Promise<boolean> {
    return this.finish(job, 'sent', { status: 'SENT', attempts: job.attempt + 1, sentAt: new Date(), messageId });
  }

  async skipped(job: DeliveryJob, reason: string): Promise<boolean> {
    return this.finish(job, 'skipped', { status: 'SKIPPED', reason });
  }

  async failed(job: DeliveryJob, reason: string, lastError: string): Promise<boolean> {
    return this.finish(job, 'failed', { status: 'FAILED', reason, lastError, attempts: job.attempt + 1 });
  }

  /** Records a failed attempt and queues the next one after `delayMs`, in one statement. */
  async retryLater(job: DeliveryJob, task: string, lastError: string, delayMs: number): Promise<boolean> {
    const rows = await this.db.$queryRaw<Array<{ channel: string }>>`
      WITH updated AS (
        UPDATE deliveries SET attempts = attempts + 1, last_error = ${lastError}, updated_at = now()
        WHERE id = ${job.id}::uuid AND status IN ('QUEUED', 'HELD') AND attempts = ${job.attempt}
        RETURNING id, attempts, channel
      )
      SELECT u.channel::text AS channel, graphile_worker.add_job(${task},
        json_build_object('id', u.id, 'attempt', u.attempts),
        run_at => now() + ${delayMs} * interval '1 millisecond', max_attempts => 10) IS NOT NULL AS queued
      FROM updated AS u`;
    const [row] = rows;
    if (row) this.observe(row.channel, 'retried');
    else await this.stale(job);
    return row !== undefined;
  }

  /** Puts the delivery off until `until` (quiet hours): HELD with `reason`, its job queued again for then. */
  async hold(job: DeliveryJob, task: string, reason: string, until: Date): Promise<boolean> {
    const rows = await this.db.$queryRaw<Array<{ channel: string }>>`
      WITH updated AS (
        UPDATE deliveries SET status = 'HELD', reason = ${reason}, updated_at = now()
        WHERE id = ${job.id}::uuid AND status IN ('QUEUED', 'HELD') AND attempts = ${job.attempt}
        RETURNING id, attempts, channel
      )
      SELECT u.channel::text AS channel, graphile_worker.add_job(${task},
        json_build_object('id', u.id, 'attempt', u.attempts), run_at => ${until}::timestamptz, max_attempts => 10) IS NOT NULL AS queued
      FROM updated AS u`;
    const [row] = rows;
    if (row) this.observe(row.channel, 'held');
    else await this.stale(job);
    return row !== undefined;
  }

  /** Records the items of a digest SENT in one message (`messageId`), those still held; returns how many. */
  async digested(ids: readonly string[], messageId: string | null): Promise<number> {
    const rows = await this.db.delivery.updateManyAndReturn({
      where: { id: { in: [...ids] }, status: 'HELD', reason: 'DIGEST' },
      data: { status: 'SENT', attempts: { increment: 1 }, sentAt: new Date(), messageId },
      select: { channel: true },
    });
    for (const row of rows) this.observe(row.channel, 'digested');
    return rows.length;
  }

  /** A digest of one: its item goes as a normal message, through its channel's own job (now). */
  async release(id: string): Promise<void> {
    await this.db.$queryRaw`
      WITH released AS (
        UPDATE deliveries SET status = 'QUEUED', updated_at = now()
        WHERE id = ${id}::uuid AND status = 'HELD' AND reason = 'DIGEST'
        RETURNING id
      )
      SELECT delivery_jobs(ARRAY(SELECT id FROM released)) AS queued`;
  }

  private async finish(
    job: DeliveryJob,
    outcome: Exclude<DeliveryOutcome, 'retried' | 'stale' | 'held' | 'digested'>,
    data: Parameters<Database['delivery']['update']>[0]['data'],
  ) {
    const [row] = await this.db.delivery.updateManyAndReturn({
      where: { id: job.id, status: { in: WAITING }, attempts: job.attempt },
      data,
      select: { channel: true, createdAt: true, sentAt: true, reason: true },
    });
    if (!row) {
      await this.stale(job);
      return false;
    }
    // A delivery a policy held (reason DELAYED, QUIET_HOURS…) waited on purpose: not a hand-off latency.
    const handoffMs = row.sentAt && !row.reason ? row.sentAt.getTime() - row.createdAt.getTime() : undefined;
    this.observe(row.channel, outcome, handoffMs);
    return true;
  }

  /** Counts a write that found the delivery moved on (another attempt, or a job run twice). */
  private async stale(job: DeliveryJob) {
    const delivery = await this.db.delivery.findUnique({ where: { id: job.id }, select: { channel: true } });
    if (delivery) this.observe(delivery.channel, 'stale');
  }
}
