// The queue's push task: one job per delivery attempt, one delivery per notification however many devices the
// user has. It checks again what may have changed since the notification was stored (push muted for the
// category, no device left), pushes to every device at once, and records the outcome: SENT when at least one
// push service took it; a device whose push service says it is gone (404/410) is forgotten; when none took
// it, a temporary failure (429, 5xx, no answer) queues the next attempt after the configured delay or the
// push service's Retry-After, whichever is longer, and anything else fails the delivery with the reason.

import { createHash } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Task } from 'graphile-worker';
import type { Device, PushMessage, PushSender } from '../channels/push/sender.js';
import { renderPush } from '../channels/push/templates.js';
import type { Notification, PushSubscription } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import { findEventType } from '../producers/event-types.js';
import type { PushSubscriptions } from '../recipients/push-subscriptions.js';
import { wantsChannel } from './channel-choice.js';
import { type DeliveryJob, type DeliveryStore, parseDeliveryJob } from './deliveries.js';
import { describePushFailure, type PushFailure } from './failures.js';
import { gate } from './gate.js';

export const PUSH_TASK = 'deliver_push';

/** How long a push service keeps a push for an offline device, at most (a notification's expiry shortens it). */
const TTL_SECONDS = 24 * 3600;
/** The longest Retry-After honoured; a push service asking for more is tried again after this. */
const MAX_RETRY_AFTER_MS = 3600_000;

export interface PushTaskOptions {
  store: DeliveryStore;
  subscriptions: PushSubscriptions;
  sender: PushSender;
  retryDelaysMs: readonly number[];
  logger: Logger;
}

/** What the device's service worker gets: what to show, and what to open. */
export function pushMessage(notification: Notification, locale: string | null, data: unknown): PushMessage {
  const rendered = renderPush(notification.eventType, locale, {
    title: notification.title,
    message: notification.message,
    data: (data ?? {}) as Record<string, unknown>,
  });
  const eventType = notification.eventType ? findEventType(notification.eventType) : undefined;
  const actionUrl = (notification.metadata as { actionUrl?: unknown } | null)?.actionUrl;
  const expiresIn = notification.expiresAt ? (notification.expiresAt.getTime() - Date.now()) / 1000 : TTL_SECONDS;
  return {
    payload: JSON.stringify({
      id: encodeGlobalID('Notification', notification.id),
      title: rendered.title,
      body: rendered.body,
      locale: rendered.locale,
      type: notification.type,
      eventType: notification.eventType,
      category: notification.category,
      // A later push of the same subject replaces the earlier one on the device.
      tag: notification.collapseKey ?? notification.id,
      url: typeof actionUrl === 'string' ? actionUrl : null,
      createdAt: notification.createdAt.toISOString(),
    }),
    ttlSeconds: Math.max(0, Math.min(TTL_SECONDS, Math.floor(expiresIn))),
    urgency: eventType?.critical ? 'high' : 'normal',
    topic: notification.collapseKey
      ? createHash('sha256').update(notification.collapseKey).digest('base64url').slice(0, 32)
      : undefined,
  };
}

type DeviceResult = { subscription: PushSubscription; failure: PushFailure | undefined };

export function pushTask({ store, subscriptions, sender, retryDelaysMs, logger }: PushTaskOptions): Task {
  const pushTo = async (subscription: PushSubscription, message: PushMessage): Promise<DeviceResult> => {
    try {
      await sender.send(subscription satisfies Device, message);
      return { subscription, failure: undefined };
    } catch (error) {
      return { subscription, failure: describePushFailure(error) };
    }
  };

  // Every outcome is recorded (and counted, for metrics) by the store; a write that finds the delivery moved on
  // (a stale job) changes nothing.
  const run = async (job: DeliveryJob): Promise<unknown> => {
    const loaded = await store.load(job);
    if (!loaded) return;
    const { delivery, notification, recipient, choices } = loaded;
    const eventType = notification.eventType ? findEventType(notification.eventType) : undefined;
    if (!wantsChannel('push', eventType, notification.category, choices)) return store.skipped(job, 'MUTED');
    const devices = await subscriptions.list(notification.userId);
    if (devices.length === 0) return store.skipped(job, 'NO_SUBSCRIPTION');
    const decision = gate(loaded);
    if (decision.action === 'skip') return store.skipped(job, decision.reason);
    if (decision.action === 'hold') return store.hold(job, PUSH_TASK, decision.reason, decision.until);

    const message = pushMessage(notification, recipient?.locale ?? null, delivery.data);
    const results = await Promise.all(devices.map((device) => pushTo(device, message)));
    const failures = results.flatMap(({ subscription, failure }) => (failure ? [{ subscription, failure }] : []));
    await Promise.all(failures.filter((f) => f.failure.gone).map((f) => subscriptions.remove(f.subscription)));
    if (failures.length > 0) {
      logger.warn(
        {
          deliveryId: delivery.id,
          attempt: job.attempt + 1,
          devices: devices.length,
          failed: failures.length,
          error: failures[0]!.failure.message,
        },
        'push not taken by every device',
      );
    }
    if (failures.length < devices.length) return store.sent(job);

    const more = failures.length > 1 ? ` (and ${failures.length - 1} more device(s))` : '';
    const temporary = failures.filter((f) => f.failure.kind === 'TEMPORARY');
    const lastError = `${(temporary[0] ?? failures[0]!).failure.message}${more}`;
    const delay = retryDelaysMs[job.attempt];
    if (temporary.length > 0 && delay !== undefined) {
      const asked = Math.max(0, ...temporary.map((f) => Math.min(f.failure.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
      return store.retryLater(job, PUSH_TASK, lastError, Math.max(delay, asked));
    }
    const reason =
      temporary.length > 0
        ? 'RETRIES_EXHAUSTED'
        : failures.every((f) => f.failure.gone)
          ? 'SUBSCRIPTION_GONE'
          : 'REJECTED';
    return store.failed(job, reason, lastError);
  };
  return async (payload) => {
    await run(parseDeliveryJob(payload));
  };
}
