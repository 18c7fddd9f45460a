// The queue's digest task (email, and push): one job per user, category and channel, at the end of the window its first item
// opened (delivery_jobs adds it with a job key that keeps that first run_at, so later items join the window).
// At the end: items read or archived in the app meanwhile are SKIPPED (READ); one left goes as a normal
// message (its own job, with retries); several go as one email listing them all, each item SENT with that
// email's Message-ID, or as one push saying how many there are (SENT once a device took it). Everything waits in PostgreSQL (the items HELD, the job in the queue), so a restart
// in the middle of a window loses nothing. In quiet hours the digest waits for their end, as the rest does.

import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Task } from 'graphile-worker';
import type { EmailSender } from '../channels/email/sender.js';
import type { PushMessage, PushSender } from '../channels/push/sender.js';
import type { Database } from '../db.js';
import type { Notification } from '../generated/prisma/client.js';
import type { DeliveryChannel } from '../generated/prisma/enums.js';
import type { Logger } from '../logger.js';
import { findEventType } from '../producers/event-types.js';
import type { PushSubscriptions } from '../recipients/push-subscriptions.js';
import { wantsChannel } from './channel-choice.js';
import type { DeliveryStore } from './deliveries.js';
import { describePushFailure, describeSmtpFailure } from './failures.js';
import { quietHoursEnd } from './gate.js';

export const DIGEST_TASK = 'deliver_digest';

export interface DigestTaskOptions {
  db: Database;
  store: DeliveryStore;
  /** Email digests need it; without it, email items stay held until email is configured again. */
  sender: EmailSender | undefined;
  /** Push digests need it; without it, push items stay held until push is configured again. */
  push?: { sender: PushSender; subscriptions: PushSubscriptions } | undefined;
  logger: Logger;
}

/** One push for a digest: how many, and the first titles, in the recipient's language (French or English). */
export function digestPush(
  items: readonly Notification[],
  category: string | null,
  locale: string | null,
): PushMessage {
  const french = locale?.toLowerCase().startsWith('fr');
  const titles = items.slice(0, 3).map((n) => n.title);
  const more = items.length - titles.length;
  const body = titles.join(' · ') + (more > 0 ? (french ? ` · et ${more} de plus` : ` · and ${more} more`) : '');
  return {
    payload: JSON.stringify({
      id: encodeGlobalID('Notification', items.at(-1)!.id),
      ids: items.map((n) => encodeGlobalID('Notification', n.id)),
      title: french ? `${items.length} nouvelles notifications` : `${items.length} new notifications`,
      body,
      locale: french ? 'fr' : 'en',
      category,
      tag: `digest:${category ?? ''}`,
      url: null,
      createdAt: items.at(-1)!.createdAt.toISOString(),
    }),
    ttlSeconds: 24 * 3600,
    urgency: 'normal',
  };
}

interface DigestJob {
  userId: string;
  category: string | null;
  channel: DeliveryChannel;
}

function parseJob(payload: unknown): DigestJob {
  const { userId, category, channel } = (payload ?? {}) as Record<string, unknown>;
  if (
    typeof userId !== 'string' ||
    (category !== null && typeof category !== 'string') ||
    (channel !== 'EMAIL' && channel !== 'PUSH')
  )
    throw new Error('malformed digest job');
  return { userId, category, channel };
}

export function digestTask({ db, store, sender, push, logger }: DigestTaskOptions): Task {
  return async (payload, helpers) => {
    const { userId, category, channel } = parseJob(payload);
    const [recipient, preference] = await Promise.all([
      db.recipient.findUnique({ where: { userId } }),
      db.notificationPreference.findUnique({ where: { userId } }),
    ]);
    const until = quietHoursEnd(preference, recipient?.timeZone, channel);
    if (until) {
      // The same key: an item arriving meanwhile joins this digest, sent when the quiet hours end.
      await helpers.addJob(DIGEST_TASK, payload, {
        runAt: until,
        jobKey: helpers.job.key ?? undefined,
        jobKeyMode: 'replace',
        maxAttempts: 10,
      });
      return;
    }
    const items = await db.delivery.findMany({
      where: { status: 'HELD', reason: 'DIGEST', channel, notification: { userId, category } },
      include: { notification: true },
      orderBy: { notificationId: 'asc' },
    });
    const job = (item: (typeof items)[number]) => ({ id: item.id, attempt: item.attempts });
    const unread = items.filter(({ notification: n }) => n.readAt === null && n.status !== 'ARCHIVED');
    for (const item of items) if (!unread.includes(item)) await store.skipped(job(item), 'READ');
    if (unread.length === 0) return;
    const notifications: Notification[] = unread.map((item) => item.notification);
    const first = notifications[0]!;
    const eventType = first.eventType ? findEventType(first.eventType) : undefined;
    const skipAll = async (reason: string) => {
      for (const item of unread) await store.skipped(job(item), reason);
    };
    if (channel === 'PUSH') {
      if (!wantsChannel('push', eventType, category, preference)) return skipAll('MUTED');
      if (!push) throw new Error('push is off: the digest waits until it is on');
      const devices = await push.subscriptions.list(userId);
      if (devices.length === 0) return skipAll('NO_SUBSCRIPTION');
      if (unread.length === 1) return store.release(unread[0]!.id);
      const message = digestPush(notifications, category, recipient?.locale ?? null);
      const failures = (
        await Promise.all(
          devices.map((device) =>
            push.sender.send(device, message).then(
              () => undefined,
              (error: unknown) => ({ device, failure: describePushFailure(error) }),
            ),
          ),
        )
      ).filter((result) => result !== undefined);
      await Promise.all(failures.filter((f) => f.failure.gone).map((f) => push.subscriptions.remove(f.device)));
      if (failures.length < devices.length) {
        await store.digested(
          unread.map((item) => item.id),
          null,
        );
        return;
      }
      const error = failures[0]!.failure.message;
      logger.warn({ userId, category, items: unread.length, error }, 'push digest not taken by any device');
      if (failures.some((f) => f.failure.kind === 'TEMPORARY')) throw new Error(error);
      const reason = failures.every((f) => f.failure.gone) ? 'SUBSCRIPTION_GONE' : 'REJECTED';
      for (const item of unread) await store.failed(job(item), reason, error);
      return;
    }
    if (!wantsChannel('email', eventType, category, preference)) return skipAll('MUTED');
    if (!recipient?.email) return skipAll('NO_ADDRESS');
    if (!sender) throw new Error('email is off: the digest waits until it is on');
    if (unread.length === 1) return store.release(unread[0]!.id);
    try {
      const messageId = await sender.sendDigest({
        deliveryId: unread[0]!.id,
        userId,
        category,
        recipient: { ...recipient, email: recipient.email },
        items: notifications,
      });
      await store.digested(
        unread.map((item) => item.id),
        messageId,
      );
    } catch (error) {
      const failure = describeSmtpFailure(error);
      logger.warn({ userId, category, items: unread.length, error: failure.message }, 'digest not sent');
      if (failure.kind === 'PERMANENT') {
        for (const item of unread) await store.failed(job(item), 'REJECTED', failure.message);
        return;
      }
      // A temporary failure: graphile-worker runs the job again later, and the items are still held.
      throw error;
    }
  };
}
