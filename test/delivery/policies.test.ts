// The policies that hold deliveries back (read-before-send delays, quiet hours, digests, scheduled sends) end to
// end: a real server with a real SMTP server and a real https push receiver, over a database of this file's own.
// Delays are seconds long and quiet hours are chosen around "now", so nothing waits for long.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import {
  CancelScheduledDocument,
  CountsDocument,
  CreateNotificationDocument,
  MarkReadDocument,
  NodeDocument,
  NotificationEventsDocument,
  NotificationsDocument,
  PublishEventDocument,
  type PublishEventInput,
  QuietHoursDocument,
  RegisterPushSubscriptionDocument,
  UpdateDeliveryPoliciesDocument,
  type UpdateNotificationPreferencesInput,
  UpdateQuietHoursDocument,
  UpsertRecipientDocument,
} from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { asService, deliveriesOf } from '../helpers/deliveries.js';
import { waitFor } from '../helpers/event-stream.js';
import { execute, expectData, expectError, type UserClient, userClient } from '../helpers/graphql.js';
import { scrape } from '../helpers/metrics.js';
import { startPushReceiver, type TestPushReceiver } from '../helpers/push-receiver.js';
import { testServerEnvironment } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { subscribe } from '../helpers/subscribe.js';
import { scaled } from '../helpers/timing.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

const vapid = webpush.generateVAPIDKeys();
let smtp: TestSmtpServer;
let receiver: TestPushReceiver;
let server: RunningServer;
let databaseUrl: string;

function environment() {
  return testServerEnvironment({
    env: {
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'Notifications <notify@example.test>',
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:ops@example.test',
      DELIVERY_RETRY_DELAYS_MS: '200,400,400,400',
      DELIVERY_POLL_INTERVAL_MS: '100',
    },
  });
}

async function start() {
  const config = loadConfig(environment());
  return startServer(config, createLogger(config.logLevel), { pushAgent: receiver.agent });
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  receiver = await startPushReceiver();
  databaseUrl = await freshDatabase();
  server = await start();
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await receiver?.close();
});

interface User {
  userId: string;
  email: string;
  endpoint: string;
  client: UserClient;
}

/** A user with an address and one device, and these preferences. */
async function newUser(
  preferences?: UpdateNotificationPreferencesInput,
  timeZone: string | null = null,
): Promise<User> {
  const userId = newUserId();
  const email = `${userId}@example.test`;
  await asService(server.url, UpsertRecipientDocument, { input: { userId, email, timeZone } });
  const client = userClient(server.url, userId, await tokenFor(userId));
  const subscription = receiver.newSubscription();
  await client.data(RegisterPushSubscriptionDocument, { input: subscription });
  if (preferences) await client.data(UpdateDeliveryPoliciesDocument, { input: preferences });
  return { userId, email, endpoint: subscription.endpoint, client };
}

async function publish(user: User, input: Omit<PublishEventInput, 'recipients'>) {
  const { publishEvent } = await asService(server.url, PublishEventDocument, {
    input: { ...input, recipients: [user.userId] },
  });
  return publishEvent.results[0]!.notification!.id;
}

const warning = (message: string) => ({ type: 'system.warning', data: { message } });

const deliveriesOfUser = (user: User, notificationId: string) => deliveriesOf(server.url, notificationId, user.userId);

async function deliveryOf(user: User, notificationId: string, channel: 'EMAIL' | 'PUSH') {
  return (await deliveriesOfUser(user, notificationId)).find((d) => d.channel === channel);
}

// Polls gently: the user's requests are rate limited like anyone's.
const pause = () => new Promise((resolve) => setTimeout(resolve, 200));

/** Waits until the notification's delivery on `channel` has this status. */
async function settled(
  user: User,
  notificationId: string,
  channel: 'EMAIL' | 'PUSH',
  status: string,
  timeoutMs?: number,
) {
  return waitFor(
    async () => {
      await pause();
      const delivery = await deliveryOf(user, notificationId, channel);
      return delivery?.status === status ? delivery : undefined;
    },
    `${channel} of ${notificationId} ${status}`,
    timeoutMs,
  );
}

const emailsTo = (user: User) => smtp.received.filter((email) => email.recipients.includes(user.email));

describe('read-before-send', () => {
  const delayed = (seconds: number): UpdateNotificationPreferencesInput => ({
    categories: [{ category: 'system', emailPolicy: { delaySeconds: seconds } }],
  });

  it('should skip the email (READ) when the notification is read within the delay, and push at once', async () => {
    // Long enough that the read below surely comes first, however busy the machine.
    const user = await newUser(delayed(Math.max(3, Math.round(scaled(3000) / 1000))));
    const id = await publish(user, warning('read me in the app'));
    expect(await deliveryOf(user, id, 'EMAIL')).toMatchObject({ status: 'HELD', reason: 'DELAYED' });
    await user.client.data(MarkReadDocument, { id });
    await settled(user, id, 'PUSH', 'SENT');
    expect(await settled(user, id, 'EMAIL', 'SKIPPED', scaled(15_000))).toMatchObject({ reason: 'READ', attempts: 0 });
    expect(emailsTo(user)).toEqual([]);
    expect(receiver.to(user.endpoint)).toHaveLength(1);
  });

  it('should send the email after the delay when the notification is still unread', async () => {
    const user = await newUser(delayed(1));
    const published = Date.now();
    const id = await publish(user, warning('not read'));
    const email = await settled(user, id, 'EMAIL', 'SENT', scaled(15_000));
    expect(new Date(email.sentAt!).getTime() - published).toBeGreaterThanOrEqual(1000);
    expect(emailsTo(user)).toHaveLength(1);
  });

  it('should not delay an URGENT notification', async () => {
    const user = await newUser(delayed(600));
    const id = await publish(user, { ...warning('now'), priority: 'URGENT' });
    expect(await settled(user, id, 'EMAIL', 'SENT')).toMatchObject({ reason: null });
  });
});

describe('scheduled sends', () => {
  const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

  it('should appear exactly once at its time with two instances running, and not before (list, counts, node, stream)', async () => {
    const other = await start();
    try {
      const user = await newUser();
      const token = await tokenFor(user.userId);
      const events = subscribe(server.url, NotificationEventsDocument, {}, { token });
      await events.ready;
      const sendAt = inSeconds(2);
      const { publishEvent } = await asService(server.url, PublishEventDocument, {
        input: { ...warning('later'), recipients: [user.userId], sendAt: sendAt.toISOString() },
      });
      const scheduled = publishEvent.results[0]!.notification!;
      expect(scheduled.sendAt).toBe(sendAt.toISOString());

      // Before its time: nothing, anywhere.
      expect((await user.client.data(NotificationsDocument, {})).notifications.totalCount).toBe(0);
      expect((await user.client.data(CountsDocument, {})).counts).toMatchObject({ total: 0, unread: 0 });
      expectError(await user.client.execute(NodeDocument, { id: scheduled.id }), 'NOT_FOUND');
      expect(events.pending).toBe(0);

      const [added] = await events.take(1, scaled(15_000));
      const event = added!.data!.notificationEvents;
      expect(Date.now()).toBeGreaterThanOrEqual(sendAt.getTime());
      expect(event).toMatchObject({ kind: 'ADDED', notificationId: scheduled.id, counts: { total: 1, unread: 1 } });
      const { notifications } = await user.client.data(NotificationsDocument, {});
      expect(notifications.edges.map((e) => e.node.id)).toEqual([scheduled.id]);
      expect(notifications.edges[0]!.node.sendAt).toBeNull();
      expect((await user.client.data(CountsDocument, {})).counts).toMatchObject({ total: 1, unread: 1 });

      // Its deliveries start then, once.
      await settled(user, scheduled.id, 'EMAIL', 'SENT');
      await settled(user, scheduled.id, 'PUSH', 'SENT');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(events.pending).toBe(0);
      expect(emailsTo(user)).toHaveLength(1);
      expect(receiver.to(user.endpoint)).toHaveLength(1);
      await events.dispose();
    } finally {
      await other.stop();
    }
  });

  it('should let the service cancel it before it is sent, and say ALREADY_SENT after', async () => {
    const user = await newUser();
    const token = await serviceToken();
    const create = async (sendAt: Date) =>
      expectData(
        await execute(
          server.url,
          CreateNotificationDocument,
          {
            input: {
              userId: user.userId,
              title: 'Later',
              message: 'Maybe',
              type: 'INFO',
              sendAt: sendAt.toISOString(),
            },
          },
          { token },
        ),
      ).createNotification;
    const early = await create(inSeconds(1));
    const cancelled = await create(inSeconds(2));
    // Due with the cancelled one: once this one is out, the cancelled one would have been too.
    const sentinel = await create(inSeconds(2));
    const { cancelScheduled } = expectData(
      await execute(server.url, CancelScheduledDocument, { id: cancelled.id }, { token }),
    );
    expect(cancelScheduled.cancelledId).toBe(cancelled.id);
    expectError(await execute(server.url, CancelScheduledDocument, { id: cancelled.id }, { token }), 'NOT_FOUND');

    const shown = async () =>
      (await user.client.data(NotificationsDocument, {})).notifications.edges.map((e) => e.node.id);
    await waitFor(async () => (await shown()).includes(early.id), 'the scheduled notification', scaled(15_000));
    const error = expectError(
      await execute(server.url, CancelScheduledDocument, { id: early.id }, { token }),
      'ALREADY_SENT',
    );
    expect(error.message).toMatch(/was sent at/);
    // The cancelled one never shows, even after its time (when the one due with it is out and emailed).
    await waitFor(
      async () => (await shown()).includes(sentinel.id) && emailsTo(user).length >= 2,
      'the notification due with the cancelled one',
      scaled(15_000),
    );
    expect(await shown()).toEqual([sentinel.id, early.id]);
    expect(emailsTo(user)).toHaveLength(2);
    // Users cannot cancel.
    expectError(await user.client.execute(CancelScheduledDocument, { id: early.id }), 'FORBIDDEN');
  });

  it.each([
    ['in the past', -60, 'must be in the future'],
    ['more than a year ahead', 366 * 86_400, 'must be within a year'],
  ])('should refuse a sendAt %s', async (_, seconds, message) => {
    const user = await newUser();
    const response = await execute(
      server.url,
      PublishEventDocument,
      { input: { ...warning('x'), recipients: [user.userId], sendAt: inSeconds(seconds).toISOString() } },
      { token: await serviceToken() },
    );
    const error = expectError(response, 'BAD_USER_INPUT');
    expect(error.message).toContain(message);
    expect(error.extensions?.field).toBe('sendAt');
  });
});

describe('quiet hours', () => {
  // Tokyo is UTC+9 all year: its wall clock, to the second, a few seconds from now.
  const tokyoClock = (fromNowMs: number) =>
    new Date(Date.now() + fromNowMs + 9 * 3_600_000).toISOString().slice(11, 19);

  it('should hold a push until they end while the email goes, and push an URGENT one at once', async () => {
    const user = await newUser();
    const quietMs = scaled(3000);
    const endsAt = Date.now() + quietMs;
    const { updateNotificationPreferences } = await user.client.data(UpdateQuietHoursDocument, {
      input: {
        categories: [],
        timeZone: 'Asia/Tokyo',
        quietHours: { start: tokyoClock(-60_000), end: tokyoClock(quietMs), channels: ['PUSH'] },
      },
    });
    expect(updateNotificationPreferences).toMatchObject({ timeZone: 'Asia/Tokyo', quietHours: { channels: ['PUSH'] } });

    const held = await publish(user, warning('at night'));
    const urgent = await publish(user, { ...warning('wake up'), priority: 'URGENT' });
    expect(await settled(user, held, 'PUSH', 'HELD')).toMatchObject({ reason: 'QUIET_HOURS', attempts: 0 });
    await settled(user, held, 'EMAIL', 'SENT');
    expect(await settled(user, urgent, 'PUSH', 'SENT')).toMatchObject({ reason: null });
    expect(receiver.to(user.endpoint).map((push) => push.payload.body)).toEqual(['wake up']);

    const released = await settled(user, held, 'PUSH', 'SENT', scaled(15_000));
    expect(new Date(released.sentAt!).getTime()).toBeGreaterThanOrEqual(endsAt - 1000);
    expect(receiver.to(user.endpoint).map((push) => push.payload.body)).toEqual(['wake up', 'at night']);
  });

  it('should keep quiet hours and the time zone in the preferences, and refuse bad ones', async () => {
    const user = await newUser();
    await user.client.data(UpdateQuietHoursDocument, {
      input: { categories: [], quietHours: { start: '22:00', end: '07:00', channels: ['EMAIL', 'PUSH'] } },
    });
    expect((await user.client.data(QuietHoursDocument)).notificationPreferences).toEqual({
      quietHours: { start: '22:00', end: '07:00', channels: ['EMAIL', 'PUSH'] },
      timeZone: null,
    });
    const badClock = await user.client.execute(UpdateQuietHoursDocument, {
      input: { categories: [], quietHours: { start: '25:00', end: '07:00', channels: ['PUSH'] } },
    });
    expect(expectError(badClock, 'BAD_USER_INPUT').extensions?.field).toBe('quietHours.start');
    const badZone = await user.client.execute(UpdateQuietHoursDocument, {
      input: { categories: [], timeZone: 'Mars/Olympus' },
    });
    expect(expectError(badZone, 'BAD_USER_INPUT').extensions?.field).toBe('timeZone');
    await user.client.data(UpdateQuietHoursDocument, { input: { categories: [], quietHours: null } });
    expect((await user.client.data(QuietHoursDocument)).notificationPreferences.quietHours).toBeNull();
  });
});

describe('digests', () => {
  const WINDOW_SECONDS = Math.max(3, Math.round(scaled(3000) / 1000));
  const digested: UpdateNotificationPreferencesInput = {
    categories: [{ category: 'system', emailPolicy: { digestSeconds: WINDOW_SECONDS } }],
  };

  /** Publishes one warning per message, at once, and returns their ids in order. */
  const publishAll = async (user: User, messages: string[]) => {
    const ids: string[] = [];
    for (const message of messages) ids.push(await publish(user, warning(message)));
    return ids;
  };
  const emailsSettled = (user: User, ids: string[]) =>
    waitFor(
      async () => {
        await pause();
        const deliveries = await Promise.all(ids.map((id) => deliveryOf(user, id, 'EMAIL')));
        return deliveries.every((d) => d && d.status !== 'HELD' && d.status !== 'QUEUED') ? deliveries : undefined;
      },
      'the digest',
      scaled(20_000) + WINDOW_SECONDS * 1000,
    );

  it('should send 5 events of a window as one email listing all 5, and push each at once', async () => {
    const user = await newUser(digested);
    const messages = ['one', 'two', 'three', 'four', 'five'];
    const ids = await publishAll(user, messages);
    expect(await deliveryOf(user, ids[0]!, 'EMAIL')).toMatchObject({ status: 'HELD', reason: 'DIGEST' });
    const deliveries = await emailsSettled(user, ids);
    expect(deliveries.map((d) => [d!.status, d!.reason])).toEqual(ids.map(() => ['SENT', 'DIGEST']));
    const [email, ...others] = emailsTo(user);
    expect(others).toEqual([]);
    expect(email!.parsed.subject).toBe('5 new notifications: system');
    for (const message of messages) expect(email!.parsed.text).toContain(`System warning: ${message}`);
    expect(receiver.to(user.endpoint)).toHaveLength(5);
  });

  it('should leave out what was read or archived before the window closed', async () => {
    const user = await newUser(digested);
    const ids = await publishAll(user, ['a', 'b', 'c', 'd', 'e']);
    await user.client.data(MarkReadDocument, { id: ids[1]! });
    await user.client.data(MarkReadDocument, { id: ids[3]! });
    const deliveries = await emailsSettled(user, ids);
    expect(deliveries.map((d) => d!.reason)).toEqual(['DIGEST', 'READ', 'DIGEST', 'READ', 'DIGEST']);
    const [email, ...others] = emailsTo(user);
    expect(others).toEqual([]);
    expect(email!.parsed.subject).toBe('3 new notifications: system');
    expect(email!.parsed.text).not.toContain('System warning: b');
  });

  it('should send nothing when all were read, and a normal email for a digest of one', async () => {
    const reader = await newUser(digested);
    const ids = await publishAll(reader, ['x', 'y']);
    for (const id of ids) await reader.client.data(MarkReadDocument, { id });
    const deliveries = await emailsSettled(reader, ids);
    expect(deliveries.map((d) => [d!.status, d!.reason])).toEqual([
      ['SKIPPED', 'READ'],
      ['SKIPPED', 'READ'],
    ]);
    expect(emailsTo(reader)).toEqual([]);

    const single = await newUser(digested);
    const [id] = await publishAll(single, ['alone']);
    const [delivery] = await emailsSettled(single, [id!]);
    expect(delivery).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(emailsTo(single).map((email) => email.parsed.subject)).toEqual(['System warning']);
  });

  it('should push a digest as one push saying how many, when the user chose it for push', async () => {
    const user = await newUser({ categories: [{ category: 'system', pushPolicy: { digestSeconds: WINDOW_SECONDS } }] });
    const ids = await publishAll(user, ['p1', 'p2', 'p3']);
    await waitFor(
      async () => {
        await pause();
        const pushes = await Promise.all(ids.map((id) => deliveryOf(user, id, 'PUSH')));
        return pushes.every((d) => d?.status === 'SENT' && d.reason === 'DIGEST');
      },
      'the push digest',
      scaled(20_000) + WINDOW_SECONDS * 1000,
    );
    const pushes = receiver.to(user.endpoint);
    expect(pushes.map((push) => [push.payload.title, push.payload.body])).toEqual([
      ['3 new notifications', 'System warning · System warning · System warning'],
    ]);
    expect(emailsTo(user)).toHaveLength(3);
  });

  // After the tests above (quiet hours, read-before-send, digests), before the restart resets the counters.
  it('should count held, digested and skipped deliveries in the metrics by outcome', async () => {
    const metrics = await scrape(server.url);
    const count = (channel: string, outcome: string) =>
      metrics.value('notifications_deliveries_total', { channel, outcome });
    expect(count('PUSH', 'held')).toBeGreaterThanOrEqual(1);
    expect(count('EMAIL', 'digested')).toBeGreaterThanOrEqual(8);
    expect(count('EMAIL', 'skipped')).toBeGreaterThanOrEqual(5);
  });

  it('should lose nothing when the server restarts in the middle of a window', async () => {
    const user = await newUser(digested);
    const before = await publishAll(user, ['before 1', 'before 2']);
    await server.stop();
    server = await start();
    const after = await publishAll(user, ['after']);
    await emailsSettled(user, [...before, ...after]);
    const [email, ...others] = emailsTo(user);
    expect(others).toEqual([]);
    expect(email!.parsed.subject).toBe('3 new notifications: system');
  });
});
