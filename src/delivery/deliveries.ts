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

export interface LoadedDelivery {
  delivery: Delivery;
  notification: Notification;
  recipient: Recipient | null;
  choices: ChannelChoices | null;
  /** The user's preferences row (quiet hours, time zone), when they have one. */
  preference: NotificationPreference | null;
}

export class DeliveryStore {
  constructor(
    private readonly db: Database,
    private readonly observe: DeliveryObserver = () => {},
  ) {}

  /** The delivery the job is for, if it still waits for this attempt. */
  async load({ id, attempt }: DeliveryJob): Promise<LoadedDelivery | undefined> {
    const delivery = await this.db.delivery.findUnique({ where: { id }, include: { notification: true } });
    if (!delivery) return undefined;
    if (!WAITING.includes(delivery.status) || delivery.attempts !== attempt) {
      this.observe(delivery.channel, 'stale');
      return undefined;
    }
    const { notification, ...rest } = delivery;
    const [recipient, preference] = await Promise.all([
      this.db.recipient.findUnique({ where: { userId: notification.userId } }),
      this.db.notificationPreference.findUnique({ where: { userId: notification.userId } }),
    ]);
    return { delivery: rest, notification, recipient, choices: preference, preference };
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
