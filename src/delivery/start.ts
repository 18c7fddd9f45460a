// Starts the delivery queue's workers on this instance, with a task for each configured channel.
import type { Agent } from 'node:https';
import type { TaskList } from 'graphile-worker';
import { EmailSender } from '../channels/email/sender.js';
import { PushSender } from '../channels/push/sender.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { type DeliveryOutcome, EMAIL_TASK, emailTask } from './email-task.js';
import { PUSH_TASK, pushTask } from './push-task.js';
import { type DeliveryQueue, startDeliveryQueue } from './queue.js';
import type { DeliveryParts } from './setup.js';

export interface StartDeliveryOptions {
  config: Config;
  databaseUrl: string;
  parts: DeliveryParts;
  /** The server's own URL, once it listens (unsubscribe links point there without PUBLIC_URL). */
  serverUrl: () => string;
  logger: Logger;
  observe?: (channel: string, outcome: DeliveryOutcome) => void;
  /** Trusted for push services' certificates (a test's receiver); the system's CAs otherwise. */
  pushAgent?: Agent | undefined;
}

/** Each channel, and whether it is on (or what it lacks). */
export function channelStates(config: Config): Record<string, string> {
  return {
    EMAIL: config.delivery.email ? 'on' : 'off (SMTP_URL not set)',
    PUSH: config.delivery.push ? 'on' : 'off (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT not set)',
  };
}

/** Undefined when no channel is configured: nothing runs. */
export async function startDelivery({
  config,
  databaseUrl,
  parts,
  serverUrl,
  logger,
  observe = () => {},
  pushAgent,
}: StartDeliveryOptions): Promise<DeliveryQueue | undefined> {
  const { email, push } = config.delivery;
  const tasks: TaskList = {};
  let sender: EmailSender | undefined;
  if (email && parts.tokens) {
    sender = new EmailSender({
      smtpUrl: email.smtpUrl,
      from: email.from,
      publicUrl: () => email.publicUrl ?? serverUrl(),
      tokens: parts.tokens,
    });
    tasks[EMAIL_TASK] = emailTask({
      store: parts.store,
      sender,
      retryDelaysMs: config.delivery.retryDelaysMs,
      logger: logger.child({ component: 'email' }),
      observe: (outcome) => observe('EMAIL', outcome),
    });
  }
  if (push) {
    tasks[PUSH_TASK] = pushTask({
      store: parts.store,
      subscriptions: parts.pushSubscriptions,
      sender: new PushSender(push, pushAgent),
      retryDelaysMs: config.delivery.retryDelaysMs,
      logger: logger.child({ component: 'push' }),
    });
  }
  if (Object.keys(tasks).length === 0) {
    logger.info({ channels: channelStates(config) }, 'no delivery channel is on');
    return undefined;
  }
  const queue = await startDeliveryQueue({
    databaseUrl,
    concurrency: config.delivery.concurrency,
    pollIntervalMs: config.delivery.pollIntervalMs,
    logger,
    tasks,
  });
  logger.info({ channels: channelStates(config), tasks: Object.keys(tasks) }, 'delivery queue started');
  return {
    stop: async () => {
      await queue.stop();
      sender?.close();
    },
  };
}
