// Starts the delivery queue's workers on this instance, with a task for each configured channel.
import { EmailSender } from '../channels/email/sender.js';
import type { Config } from '../config.js';
import type { Database } from '../db.js';
import type { Logger } from '../logger.js';
import { type DeliveryOutcome, EMAIL_TASK, emailTask } from './email-task.js';
import { type JobQueue, startJobQueue } from './queue.js';
import type { DeliveryParts } from './setup.js';

export interface StartDeliveryOptions {
  config: Config;
  databaseUrl: string;
  db: Database;
  parts: DeliveryParts;
  /** The server's own URL, once it listens (unsubscribe links point there without PUBLIC_URL). */
  serverUrl: () => string;
  logger: Logger;
  observe?: (channel: string, outcome: DeliveryOutcome) => void;
}

/** Undefined when no channel is configured: nothing runs. */
export async function startDelivery({
  config,
  databaseUrl,
  db,
  parts,
  serverUrl,
  logger,
  observe = () => {},
}: StartDeliveryOptions): Promise<JobQueue | undefined> {
  const email = config.delivery.email;
  if (!email || !parts.tokens) return undefined;
  const sender = new EmailSender({
    smtpUrl: email.smtpUrl,
    from: email.from,
    publicUrl: () => email.publicUrl ?? serverUrl(),
    tokens: parts.tokens,
  });
  const queue = await startJobQueue({
    databaseUrl,
    db,
    concurrency: config.delivery.concurrency,
    pollIntervalMs: config.delivery.pollIntervalMs,
    heartbeat: { intervalMs: config.delivery.heartbeatMs, deadAfterMs: config.delivery.deadAfterMs },
    cronItems: [],
    logger,
    tasks: {
      [EMAIL_TASK]: emailTask({
        store: parts.store,
        sender,
        retryDelaysMs: config.delivery.retryDelaysMs,
        logger: logger.child({ component: 'email' }),
        observe: (outcome) => observe('EMAIL', outcome),
      }),
    },
  });
  logger.info({ poolId: queue.poolId }, 'job queue started');
  return {
    poolId: queue.poolId,
    stop: async () => {
      await queue.stop();
      sender.close();
    },
  };
}
