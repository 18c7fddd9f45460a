// The preferences matrix end to end: every category × channel (in the app, email, push) turned on and off,
// each event type's defaults, and critical events that no choice can stop, as the user sees them: a
// notification or none, an email in a real SMTP server or none, a push decrypted by a real push service or none.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import {
  NotificationDeliveriesDocument,
  PublishEventDocument,
  RegisterPushSubscriptionDocument,
  UpdatePreferenceMatrixDocument,
  UpsertRecipientDocument,
} from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/event-stream.js';
import { execute, expectData, userClient } from '../helpers/graphql.js';
import { startPushReceiver, type TestPushReceiver } from '../helpers/push-receiver.js';
import { testServerEnvironment } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

const vapid = webpush.generateVAPIDKeys();
let receiver: TestPushReceiver;
let smtp: TestSmtpServer;
let server: RunningServer;
let databaseUrl: string;

beforeAll(async () => {
  [receiver, smtp, databaseUrl] = await Promise.all([startPushReceiver(), startSmtpServer(), freshDatabase()]);
  const config = loadConfig(
    testServerEnvironment({
      env: {
        DATABASE_URL: databaseUrl,
        SMTP_URL: smtp.url,
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: 'https://example.test/contact',
        DELIVERY_POLL_INTERVAL_MS: '100',
      },
    }),
  );
  server = await startServer(config, createLogger(config.logLevel), { pushAgent: receiver.agent });
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([receiver?.close(), smtp?.close()]);
});

const later = new Date(Date.now() + 86_400_000).toISOString();
/** Valid data for every event type. */
const DATA: Record<string, unknown> = {
  'transcription.started': { sessionId: 's1', sessionTitle: 'Sync' },
  'transcription.completed': { sessionId: 's1', sessionTitle: 'Sync', durationSeconds: 60, segmentsCount: 3 },
  'transcription.failed': { sessionId: 's1', sessionTitle: 'Sync', error: 'Bad audio' },
  'system.maintenance': { startsAt: later },
  'system.update': { version: '2.0', summary: 'New things' },
  'system.warning': { message: 'Careful' },
  'user.quota_warning': { usedPercent: 90 },
  'user.session_expiry': { expiresAt: later },
  'user.security_alert': { event: 'New sign-in' },
};

/** A user with an email address and one subscribed browser, with these preference changes made. */
async function newUser(changes: Array<{ category: string; inApp?: boolean; email?: boolean; push?: boolean }> = []) {
  const userId = newUserId();
  const email = `${userId}@example.test`;
  const client = userClient(server.url, userId, await tokenFor(userId));
  const token = await serviceToken();
  expectData(await execute(server.url, UpsertRecipientDocument, { input: { userId, email } }, { token }));
  const subscription = receiver.newSubscription();
  await client.data(RegisterPushSubscriptionDocument, { input: subscription });
  if (changes.length > 0) await client.data(UpdatePreferenceMatrixDocument, { input: { categories: changes } });
  return { userId, email, endpoint: subscription.endpoint };
}

type User = Awaited<ReturnType<typeof newUser>>;

interface Reached {
  inApp: boolean;
  email: boolean;
  push: boolean;
}

/** Publishes `type` to the user and waits for every delivery to settle: where it reached them. */
async function reached(user: User, type: string): Promise<Reached> {
  const token = await serviceToken();
  const input = { type, data: DATA[type], recipients: [user.userId] };
  const [result] = expectData(await execute(server.url, PublishEventDocument, { input }, { token })).publishEvent
    .results;
  if (result!.outcome === 'MUTED') return { inApp: false, email: false, push: false };
  const id = result!.notification!.id;
  const deliveries = await waitFor(async () => {
    const response = await execute(
      server.url,
      NotificationDeliveriesDocument,
      { id },
      {
        token: await tokenFor(user.userId),
      },
    );
    const node = expectData(response).node;
    const all = node && 'deliveries' in node ? node.deliveries : [];
    return all.length === 2 && all.every((d) => d.status !== 'QUEUED') ? all : undefined;
  }, `the deliveries of ${type}`);
  const status = (channel: string) => deliveries.find((d) => d.channel === channel)!;
  for (const delivery of deliveries) expect(['SENT', 'SKIPPED']).toContain(delivery.status);
  for (const delivery of deliveries.filter((d) => d.status === 'SKIPPED')) expect(delivery.reason).toBe('MUTED');
  const email = status('EMAIL').status === 'SENT';
  const push = status('PUSH').status === 'SENT';
  // What the user sees agrees with what was recorded.
  expect(smtp.received.filter((e) => e.recipients.includes(user.email)).length > 0).toBe(email);
  expect(receiver.to(user.endpoint).length > 0).toBe(push);
  return { inApp: true, email, push };
}

/** One event type of each category whose defaults differ, so that turning a channel on or off changes something. */
const BY_CATEGORY = {
  transcription: 'transcription.completed', // in the app and pushed, not emailed
  system: 'system.update', // in the app and emailed, not pushed
  account: 'user.quota_warning', // everywhere
} as const;

const DEFAULTS: Record<string, Reached> = {
  'transcription.started': { inApp: true, email: true, push: false },
  'transcription.completed': { inApp: true, email: false, push: true },
  'transcription.failed': { inApp: true, email: true, push: true },
  'system.maintenance': { inApp: true, email: true, push: true },
  'system.update': { inApp: true, email: true, push: false },
  'system.warning': { inApp: true, email: true, push: true },
  'user.quota_warning': { inApp: true, email: true, push: true },
  'user.session_expiry': { inApp: true, email: true, push: true },
  'user.security_alert': { inApp: true, email: true, push: true },
};

describe('the preferences matrix', () => {
  it('should reach a user who chose nothing as each event type has it by default', async () => {
    const outcomes = await Promise.all(
      Object.keys(DEFAULTS).map(async (type) => [type, await reached(await newUser(), type)] as const),
    );
    expect(Object.fromEntries(outcomes)).toEqual(DEFAULTS);
  });

  const cells = Object.entries(BY_CATEGORY).flatMap(([category, type]) =>
    (['inApp', 'email', 'push'] as const).flatMap((channel) =>
      [true, false].map((on) => ({ category, type, channel, on })),
    ),
  );

  it(`should honour every cell of category × channel turned on and off (${cells.length} cells)`, async () => {
    const outcomes = await Promise.all(
      cells.map(async ({ category, type, channel, on }) => {
        const user = await newUser([{ category, [channel]: on }]);
        return { category, channel, on, reached: await reached(user, type) };
      }),
    );
    for (const { category, channel, on, reached } of outcomes) {
      const type = BY_CATEGORY[category as keyof typeof BY_CATEGORY];
      // A category off in the app makes no notification, so it reaches no other channel either.
      const expected =
        channel === 'inApp' && !on
          ? { inApp: false, email: false, push: false }
          : {
              ...DEFAULTS[type],
              [channel]: on,
            };
      expect({ category, channel, on, reached }).toEqual({ category, channel, on, reached: expected });
    }
  });

  it('should deliver a critical event on every channel, whatever the stored choices say', async () => {
    // The API refuses to turn security off; a choice stored before it became critical must not count either.
    const user = await newUser();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO notification_preferences (user_id, muted_categories, email_off, push_off, updated_at)
         VALUES ($1, '{security}', '{security}', '{security}', now())`,
        [user.userId],
      );
    } finally {
      await client.end();
    }
    expect(await reached(user, 'user.security_alert')).toEqual({ inApp: true, email: true, push: true });
  });
});
