// The deliveries table as the queue's tasks see it. Every write is conditional on the delivery still being
// QUEUED at the attempt the job was made for, so a stale job (one released after its instance died, when a
// later one was already queued) changes nothing.
import type { Database } from '../db.js';
import type { Delivery, Notification, Recipient } from '../generated/prisma/client.js';
import type { ChannelChoices } from './channel-choice.js';

export interface DeliveryJob {
  id: string;
  attempt: number;
}

export interface LoadedDelivery {
  delivery: Delivery;
  notification: Notification;
  recipient: Recipient | null;
  choices: ChannelChoices | null;
}

export class DeliveryStore {
  constructor(private readonly db: Database) {}

  /** The delivery the job is for, if it still waits for this attempt. */
  async load({ id, attempt }: DeliveryJob): Promise<LoadedDelivery | undefined> {
    const delivery = await this.db.delivery.findUnique({ where: { id }, include: { notification: true } });
    if (!delivery || delivery.status !== 'QUEUED' || delivery.attempts !== attempt) return undefined;
    const { notification, ...rest } = delivery;
    const [recipient, preference] = await Promise.all([
      this.db.recipient.findUnique({ where: { userId: notification.userId } }),
      this.db.notificationPreference.findUnique({ where: { userId: notification.userId } }),
    ]);
    return { delivery: rest, notification, recipient, choices: preference };
  }

  async sent(job: DeliveryJob, messageId: string | null = null): Promise<boolean> {
    return this.finish(job, { status: 'SENT', attempts: job.attempt + 1, sentAt: new Date(), messageId });
  }

  async skipped(job: DeliveryJob, reason: string): Promise<boolean> {
    return this.finish(job, { status: 'SKIPPED', reason });
  }

  async failed(job: DeliveryJob, reason: string, lastError: string): Promise<boolean> {
    return this.finish(job, { status: 'FAILED', reason, lastError, attempts: job.attempt + 1 });
  }

  /** Records a failed attempt and queues the next one after `delayMs`, in one statement. */
  async retryLater(job: DeliveryJob, task: string, lastError: string, delayMs: number): Promise<boolean> {
    const rows = await this.db.$queryRaw<Array<{ id: string }>>`
      WITH updated AS (
        UPDATE deliveries SET attempts = attempts + 1, last_error = ${lastError}, updated_at = now()
        WHERE id = ${job.id}::uuid AND status = 'QUEUED' AND attempts = ${job.attempt}
        RETURNING id, attempts
      )
      SELECT (graphile_worker.add_job(${task}, json_build_object('id', u.id, 'attempt', u.attempts),
        run_at => now() + ${delayMs} * interval '1 millisecond', max_attempts => 10)).id::text AS id
      FROM updated AS u`;
    return rows.length > 0;
  }

  private async finish(job: DeliveryJob, data: Parameters<Database['delivery']['update']>[0]['data']) {
    const { count } = await this.db.delivery.updateMany({
      where: { id: job.id, status: 'QUEUED', attempts: job.attempt },
      data,
    });
    return count > 0;
  }
}
