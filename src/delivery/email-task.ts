// The queue's email task: one job per delivery attempt. It checks again what may have changed since the
// notification was stored (the user muted email for the category, or has no address now), sends, and
// records the outcome; a temporary failure queues the next attempt on our own schedule (not
// graphile-worker's backoff), a permanent one or the last attempt's fails the delivery with the reason.
import type { Task } from 'graphile-worker';
import type { EmailSender } from '../channels/email/sender.js';
import type { Logger } from '../logger.js';
import { findEventType } from '../producers/event-types.js';
import { wantsChannel } from './channel-choice.js';
import { type DeliveryJob, type DeliveryOutcome, type DeliveryStore, parseDeliveryJob } from './deliveries.js';
import { describeSmtpFailure } from './failures.js';
import { gate } from './gate.js';

export const EMAIL_TASK = 'deliver_email';

export interface EmailTaskOptions {
  store: DeliveryStore;
  sender: EmailSender;
  retryDelaysMs: readonly number[];
  logger: Logger;
}

export function emailTask({ store, sender, retryDelaysMs, logger }: EmailTaskOptions): Task {
  const run = async (job: DeliveryJob): Promise<DeliveryOutcome> => {
    const loaded = await store.load(job);
    if (!loaded) return 'stale';
    const { delivery, notification, recipient, choices } = loaded;
    const eventType = notification.eventType ? findEventType(notification.eventType) : undefined;
    if (!wantsChannel('email', eventType, notification.category, choices))
      return (await store.skipped(job, 'MUTED')) ? 'skipped' : 'stale';
    if (!recipient?.email) return (await store.skipped(job, 'NO_ADDRESS')) ? 'skipped' : 'stale';
    const decision = gate(loaded);
    if (decision.action === 'skip') return (await store.skipped(job, decision.reason)) ? 'skipped' : 'stale';
    if (decision.action === 'hold')
      return (await store.hold(job, EMAIL_TASK, decision.reason, decision.until)) ? 'held' : 'stale';
    let messageId: string;
    try {
      messageId = await sender.send({
        deliveryId: delivery.id,
        notification,
        recipient: { ...recipient, email: recipient.email },
        data: delivery.data,
      });
    } catch (error) {
      const failure = describeSmtpFailure(error);
      const delay = retryDelaysMs[job.attempt];
      logger.warn({ deliveryId: delivery.id, attempt: job.attempt + 1, error: failure.message }, 'email not sent');
      if (failure.kind === 'TEMPORARY' && delay !== undefined) {
        return (await store.retryLater(job, EMAIL_TASK, failure.message, delay)) ? 'retried' : 'stale';
      }
      const reason = failure.kind === 'PERMANENT' ? 'REJECTED' : 'RETRIES_EXHAUSTED';
      return (await store.failed(job, reason, failure.message)) ? 'failed' : 'stale';
    }
    return (await store.sent(job, messageId)) ? 'sent' : 'stale';
  };
  return async (payload) => {
    await run(parseDeliveryJob(payload));
  };
}
