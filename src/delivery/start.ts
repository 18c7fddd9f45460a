// Starts the job queue's workers on this instance: always, for the housekeeping tasks (src/jobs/), and with a
// task for each configured channel. The start line says which channels are on, and why the others are off.
import type { Agent } from 'node:https';
import type { ParsedCronItem, TaskList } from 'graphile-worker';
import { EmailSender } from '../channels/email/sender.js';
import { PushSender } from '../channels/push/sender.js';
import type { Config } from '../config.js';
import type { Database } from '../db.js';
import type { Logger } from '../logger.js';
import { DIGEST_TASK, digestTask } from './digest-task.js';
import { EMAIL_TASK, emailTask } from './email-task.js';
import { PUSH_TASK, pushTask } from './push-task.js';
import { type JobQueue, startJobQueue } from './queue.js';
import type { DeliveryParts } from './setup.js';

/** Workers when only the housekeeping runs: a wake-up need not wait for a long retention run. */
const HOUSEKEEPING_CONCURRENCY = 2;

export interface StartDeliveryOptions {
  config: Config;
  databaseUrl: string;
  db: Database;
  parts: DeliveryParts;
  /** The tasks that are not a channel's, with their recurring jobs. */
  housekeeping: { tasks: TaskList; cronItems: ParsedCronItem[] };
  /** The server's own URL, once it listens (unsubscribe links point there without PUBLIC_URL). */
  serverUrl: () => string;
  logger: Logger;
  /** Trusted for push services' certificates (a test's receiver); the system's CAs otherwise. */
  pushAgent?: Agent | undefined;
  /** Told every push a push service took (the development outbox). */
  onPushSent?: ((endpoint: string, payload: string) => void) | undefined;
}

/** Each channel, and whether it is on (or what it lacks). */
export function channelStates(config: Config): Record<string, string> {
  return {
    EMAIL: config.delivery.email ? 'on' : 'off (SMTP_URL not set)',
    PUSH: config.delivery.push ? 'on' : 'off (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT not set)',
  };
}

export async function startDelivery({
  config,
  databaseUrl,
  db,
  parts,
  housekeeping,
  serverUrl,
  logger,
  pushAgent,
  onPushSent,
}: StartDeliveryOptions): Promise<JobQueue> {
  const email = config.delivery.email;
  const sender =
    email && parts.tokens
      ? new EmailSender({
          smtpUrl: email.smtpUrl,
          from: email.from,
          publicUrl: () => email.publicUrl ?? serverUrl(),
          tokens: parts.tokens,
        })
      : undefined;
  const channelTasks: TaskList = sender
    ? {
        [EMAIL_TASK]: emailTask({
          store: parts.store,
          sender,
          retryDelaysMs: config.delivery.retryDelaysMs,
          logger: logger.child({ component: 'email' }),
        }),
      }
    : {};
  const push = config.delivery.push;
  const pushSender = push
    ? new PushSender(push, { agent: pushAgent, privateEndpoints: config.delivery.pushPrivateEndpoints }, onPushSent)
    : undefined;
  if (pushSender) {
    channelTasks[PUSH_TASK] = pushTask({
      store: parts.store,
      subscriptions: parts.pushSubscriptions,
      sender: pushSender,
      retryDelaysMs: config.delivery.retryDelaysMs,
      logger: logger.child({ component: 'push' }),
    });
  }
  const anyChannel = Object.keys(channelTasks).length > 0;
  if (anyChannel) {
    channelTasks[DIGEST_TASK] = digestTask({
      db,
      store: parts.store,
      sender,
      push: pushSender && { sender: pushSender, subscriptions: parts.pushSubscriptions },
      logger: logger.child({ component: 'digest' }),
    });
  }
  const tasks = { ...housekeeping.tasks, ...channelTasks };
  const queue = await startJobQueue({
    databaseUrl,
    db,
    concurrency: anyChannel ? config.delivery.concurrency : HOUSEKEEPING_CONCURRENCY,
    pollIntervalMs: config.delivery.pollIntervalMs,
    heartbeat: { intervalMs: config.delivery.heartbeatMs, deadAfterMs: config.delivery.deadAfterMs },
    tasks,
    cronItems: housekeeping.cronItems,
    logger,
  });
  logger.info(
    { poolId: queue.poolId, channels: channelStates(config), tasks: Object.keys(tasks) },
    'job queue started',
  );
  return {
    ...queue,
    stop: async () => {
      await queue.stop();
      sender?.close();
    },
  };
}
