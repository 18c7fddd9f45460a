// Web Push end to end: a real server pushing to a real https push service in the test (its VAPID JWT
// checked, its payload decrypted with each device's private key), over a database of this file's own (its
// delivery workers must not take other files' jobs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import {
  MyPushSubscriptionsDocument,
  RegisterPushSubscriptionDocument,
  UpsertRecipientDocument,
} from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { asService, deliveriesOf, publishEvent } from '../helpers/deliveries.js';
import { waitFor } from '../helpers/event-stream.js';
import { userClient } from '../helpers/graphql.js';
import { scrape } from '../helpers/metrics.js';
import { startPushReceiver, type TestPushReceiver } from '../helpers/push-receiver.js';
import { testServerEnvironment } from '../helpers/server.js';
import { scaled } from '../helpers/timing.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const vapid = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:ops@example.test';
// Short, for the test of a push service that never answers; long enough that a busy machine's pushes make it.
let PUSH_TIMEOUT_MS: number;
let receiver: TestPushReceiver;
let server: RunningServer;

beforeAll(async () => {
  PUSH_TIMEOUT_MS = scaled(1500);
  receiver = await startPushReceiver();
  const config = loadConfig(
    testServerEnvironment({
      env: {
        DATABASE_URL: await freshDatabase(),
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: SUBJECT,
        PUSH_TIMEOUT_MS: String(PUSH_TIMEOUT_MS),
        DELIVERY_RETRY_DELAYS_MS: '200,200,200,200',
        DELIVERY_POLL_INTERVAL_MS: '100',
      },
    }),
  );
  server = await startServer(config, createLogger(config.logLevel), { pushAgent: receiver.agent });
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

/** A user with `devices` browsers subscribed, and a profile with this locale. */
async function newUser({ devices = 1, locale = null as string | null } = {}) {
  const userId = newUserId();
  const client = userClient(server.url, userId, await tokenFor(userId));
  if (locale) await asService(server.url, UpsertRecipientDocument, { input: { userId, locale } });
  const subscriptions = [];
  for (let i = 0; i < devices; i++) {
    const subscription = receiver.newSubscription();
    await client.data(RegisterPushSubscriptionDocument, { input: subscription });
    subscriptions.push(subscription);
  }
  return { userId, client, subscriptions, endpoints: subscriptions.map((s) => s.endpoint) };
}

/** Publishes one event to one user and waits until its push delivery is no longer QUEUED. */
async function publishAndSettle(userId: string, type: string, data: unknown, timeoutMs?: number) {
  const [result] = await publishEvent(server.url, { type, data, recipients: [userId] });
  const id = result!.notification!.id;
  const delivery = await waitFor(
    async () => {
      const push = (await deliveriesOf(server.url, id, userId)).find((d) => d.channel === 'PUSH');
      return push && push.status !== 'QUEUED' ? push : undefined;
    },
    `the push delivery of ${id}`,
    timeoutMs,
  );
  return { id, delivery };
}

const completed = (title: string) => ({
  sessionId: `s-${title}`,
  sessionTitle: title,
  durationSeconds: 90,
  segmentsCount: 12,
});

describe('push delivery', () => {
  it("should push to every device of the user, encrypted for each, signed with VAPID, in the user's locale", async () => {
    const user = await newUser({ devices: 2, locale: 'fr-FR' });
    const { id, delivery } = await publishAndSettle(user.userId, 'transcription.completed', completed('Réunion'));
    expect(delivery).toMatchObject({ channel: 'PUSH', status: 'SENT', attempts: 1, reason: null, lastError: null });
    expect(delivery.sentAt).toBeTruthy();
    for (const endpoint of user.endpoints) {
      const [push] = receiver.to(endpoint);
      expect(push?.payload).toMatchObject({
        id,
        title: 'Transcription prête',
        body: '« Réunion » est prête (12 segments).',
        locale: 'fr',
        type: 'SUCCESS',
        eventType: 'transcription.completed',
        url: '/sessions/s-R%C3%A9union',
      });
      expect(push?.vapid).toMatchObject({ aud: receiver.origin, sub: SUBJECT, publicKey: vapid.publicKey });
      expect(push?.urgency).toBe('normal');
      expect(push?.ttl).toBeGreaterThan(0);
      // The collapse key names the topic, so that a newer push of the same session replaces a waiting one.
      expect(push?.topic).toMatch(/^[\w-]{32}$/);
    }
    expect(receiver.problems).toEqual([]);
  });

  it('should fall back to English for a locale without templates, and to English for a user without a profile', async () => {
    const german = await newUser({ locale: 'de' });
    const nobody = await newUser();
    await publishAndSettle(german.userId, 'transcription.completed', completed('Standup'));
    await publishAndSettle(nobody.userId, 'system.warning', { message: 'Disk <almost> full' });
    expect(receiver.to(german.endpoints[0]!)[0]?.payload).toMatchObject({
      title: 'Transcription ready',
      body: '"Standup" is ready to view (12 segments).',
      locale: 'en',
    });
    // Plain text: nothing is escaped, the device shows it as text.
    expect(receiver.to(nobody.endpoints[0]!)[0]?.payload).toMatchObject({
      title: 'System warning',
      body: 'Disk <almost> full',
      locale: 'en',
    });
  });

  it('should push a critical event with high urgency', async () => {
    const user = await newUser();
    await publishAndSettle(user.userId, 'user.security_alert', { event: 'New sign-in' });
    const [push] = receiver.to(user.endpoints[0]!);
    expect(push?.payload).toMatchObject({ title: 'Security alert' });
    expect(push?.urgency).toBe('high');
  });

  it('should skip a user with no device, without an error for the producer', async () => {
    const user = await newUser({ devices: 0 });
    const [result] = await publishEvent(server.url, {
      type: 'system.warning',
      data: { message: 'Hello' },
      recipients: [user.userId],
    });
    expect(result!.outcome).toBe('CREATED');
    const deliveries = await deliveriesOf(server.url, result!.notification!.id, user.userId);
    expect(deliveries).toMatchObject([{ channel: 'PUSH', status: 'SKIPPED', reason: 'NO_SUBSCRIPTION', attempts: 0 }]);
  });

  it('should retry after a 429 no sooner than its Retry-After, then record SENT', async () => {
    const user = await newUser();
    const [endpoint] = user.endpoints as [string];
    receiver.answer(endpoint, { status: 429, retryAfter: 2 });
    const { delivery } = await publishAndSettle(user.userId, 'system.warning', { message: 'Slow down' });
    expect(delivery).toMatchObject({ status: 'SENT', attempts: 2, lastError: expect.stringMatching(/^push 429 /) });
    const [refused, taken] = receiver.attempts.filter((a) => a.endpoint === endpoint);
    expect([refused?.status, taken?.status]).toEqual([429, 201]);
    // The configured retry delay is 200 ms; the push service asked for 2 s.
    expect(taken!.at - refused!.at).toBeGreaterThanOrEqual(2000);
    expect(receiver.to(endpoint)).toHaveLength(1);
  });

  it('should retry a push service that does not answer in time, and one that answers 503', async () => {
    const user = await newUser();
    const [endpoint] = user.endpoints as [string];
    receiver.answer(endpoint, { status: 201, delayMs: PUSH_TIMEOUT_MS * 2 }, { status: 503 });
    const { delivery } = await publishAndSettle(user.userId, 'system.warning', { message: 'Eventually' });
    expect(delivery).toMatchObject({ status: 'SENT', attempts: 3, lastError: expect.stringMatching(/^push 503 /) });
  });

  it('should fail after the last retry with the last error', async () => {
    const user = await newUser();
    const [endpoint] = user.endpoints as [string];
    receiver.answer(endpoint, ...Array.from({ length: 5 }, () => ({ status: 500 })));
    const { delivery } = await publishAndSettle(user.userId, 'system.warning', { message: 'Never' });
    expect(delivery).toMatchObject({ status: 'FAILED', reason: 'RETRIES_EXHAUSTED', attempts: 5 });
    expect(delivery.lastError).toMatch(/^push 500 from 127\.0\.0\.1:\d+$/);
  });

  it('should forget a device whose push service answers 410, and fail the delivery when no device is left', async () => {
    const user = await newUser();
    const [endpoint] = user.endpoints as [string];
    receiver.answer(endpoint, { status: 410 });
    const { delivery } = await publishAndSettle(user.userId, 'system.warning', { message: 'Gone' });
    expect(delivery).toMatchObject({ status: 'FAILED', reason: 'SUBSCRIPTION_GONE', attempts: 1 });
    expect(delivery.lastError).toMatch(/^push 410 /);
    expect((await user.client.data(MyPushSubscriptionsDocument)).myPushSubscriptions).toEqual([]);
    // The next event finds no device at all.
    const [next] = await publishEvent(server.url, {
      type: 'system.warning',
      data: { message: 'Again' },
      recipients: [user.userId],
    });
    expect(await deliveriesOf(server.url, next!.notification!.id, user.userId)).toMatchObject([
      { channel: 'PUSH', status: 'SKIPPED', reason: 'NO_SUBSCRIPTION' },
    ]);
  });

  it('should record SENT when one device took the push, and forget the one that is gone (404)', async () => {
    const user = await newUser({ devices: 2 });
    const [gone, kept] = user.endpoints as [string, string];
    receiver.answer(gone, { status: 404 });
    const { delivery } = await publishAndSettle(user.userId, 'system.warning', { message: 'One of two' });
    expect(delivery).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(receiver.to(kept)).toHaveLength(1);
    const left = (await user.client.data(MyPushSubscriptionsDocument)).myPushSubscriptions.map((s) => s.endpoint);
    expect(left).toEqual([kept]);
  });

  it('should fail at once, keeping the device, when the push service refuses the push for good (400)', async () => {
    const user = await newUser();
    receiver.answer(user.endpoints[0]!, { status: 400 });
    const { delivery } = await publishAndSettle(user.userId, 'system.warning', { message: 'Bad' }, scaled(15_000));
    expect(delivery).toMatchObject({ status: 'FAILED', reason: 'REJECTED', attempts: 1 });
    expect((await user.client.data(MyPushSubscriptionsDocument)).myPushSubscriptions).toHaveLength(1);
  });

  // Last: every outcome above was counted, as email's are, under channel="PUSH".
  it('should count each push outcome in the deliveries metrics, with the hand-off latency', async () => {
    const metrics = await scrape(server.url);
    // (A delivery SKIPPED when planned, as NO_SUBSCRIPTION is, never reaches the queue, for email as for push.)
    for (const outcome of ['sent', 'retried', 'failed']) {
      expect(metrics.value('notifications_deliveries_total', { channel: 'PUSH', outcome }), outcome).toBeGreaterThan(0);
    }
    expect(metrics.value('notifications_delivery_handoff_seconds_count', { channel: 'PUSH' })).toBeGreaterThan(0);
  });
});
