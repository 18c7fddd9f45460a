// Email end to end: a real server with a real SMTP server in the test, over a database of this file's own
// (its delivery workers must not take other files' jobs).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import {
  EmailPreferencesDocument,
  UpdateEmailPreferencesDocument,
  UpsertRecipientDocument,
} from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { asService, deliveriesOf, publishEvent } from '../helpers/deliveries.js';
import { waitFor } from '../helpers/event-stream.js';
import { userClient } from '../helpers/graphql.js';
import { testServerEnvironment } from '../helpers/server.js';
import { rawHeader, startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

let smtp: TestSmtpServer;
let server: RunningServer;
let databaseUrl: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  databaseUrl = await freshDatabase();
  const config = loadConfig(
    testServerEnvironment({
      env: {
        DATABASE_URL: databaseUrl,
        SMTP_URL: smtp.url,
        EMAIL_FROM: 'Notifications <notify@example.test>',
        DELIVERY_RETRY_DELAYS_MS: '200,400,400,400',
        DELIVERY_POLL_INTERVAL_MS: '100',
      },
    }),
  );
  server = await startServer(config, createLogger(config.logLevel));
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

async function newRecipient(fields: { email?: string | null; locale?: string | null } = {}) {
  const userId = newUserId();
  const email = fields.email === undefined ? `${userId}@example.test` : fields.email;
  await asService(server.url, UpsertRecipientDocument, { input: { userId, email, locale: fields.locale ?? null } });
  return { userId, email, client: userClient(server.url, userId, await tokenFor(userId)) };
}

/** Publishes one event to one user and waits until its email delivery is no longer QUEUED. */
async function publishAndSettle(userId: string, type: string, data: unknown) {
  const [result] = await publishEvent(server.url, { type, data, recipients: [userId] });
  const id = result!.notification!.id;
  const [delivery] = await waitFor(async () => {
    const deliveries = await deliveriesOf(server.url, id, userId);
    return deliveries.length > 0 && deliveries.every((d) => d.status !== 'QUEUED') ? deliveries : undefined;
  }, `the delivery of ${id}`);
  return { id, delivery: delivery! };
}

const to = (address: string) => smtp.received.filter((email) => email.recipients.includes(address));

describe('email delivery', () => {
  it('should send the email of an event with its subject, text, escaped HTML and unsubscribe headers', async () => {
    const { userId, email } = await newRecipient();
    const { delivery } = await publishAndSettle(userId, 'system.warning', {
      title: 'Disk <b>almost</b> full',
      message: 'Clean up <script>alert("x")</script> soon',
    });
    expect(delivery).toMatchObject({ channel: 'EMAIL', status: 'SENT', attempts: 1, reason: null, lastError: null });
    expect(delivery.sentAt).toBeTruthy();
    const [received] = to(email!);
    const { parsed } = received!;
    expect(parsed.subject).toBe('Disk <b>almost</b> full');
    expect(parsed.text).toContain('Clean up <script>alert("x")</script> soon');
    expect(parsed.html).toContain('Clean up &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; soon');
    expect(parsed.html).not.toContain('<script>');
    expect(parsed.html).toContain('<h1>Disk &lt;b&gt;almost&lt;/b&gt; full</h1>');
    expect(parsed.messageId).toMatch(/^<delivery-[0-9a-f-]+@example\.test>$/);
    expect(rawHeader(received!, 'List-Unsubscribe')).toMatch(
      new RegExp(`^<${server.url}/unsubscribe\\?token=[\\w.-]+>$`),
    );
    expect(rawHeader(received!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
  });

  it("should write the email in the recipient's locale, falling back to English", async () => {
    const french = await newRecipient({ locale: 'fr-FR' });
    const german = await newRecipient({ locale: 'de' });
    for (const { client } of [french, german]) {
      await client.data(UpdateEmailPreferencesDocument, {
        input: { categories: [{ category: 'transcription', email: true }] },
      });
    }
    const data = { sessionId: 's-1', sessionTitle: 'Réunion <hebdo>', durationSeconds: 60, segmentsCount: 7 };
    await publishAndSettle(french.userId, 'transcription.completed', data);
    await publishAndSettle(german.userId, 'transcription.completed', data);
    const [inFrench] = to(french.email!);
    expect(inFrench!.parsed.subject).toBe('Votre transcription « Réunion <hebdo> » est prête');
    expect(inFrench!.parsed.html).toContain('« Réunion &lt;hebdo&gt; » est prête (7 segments)');
    expect(rawHeader(inFrench!, 'Content-Language')).toBe('fr');
    const [inEnglish] = to(german.email!);
    expect(inEnglish!.parsed.subject).toBe('Your transcription "Réunion <hebdo>" is ready');
    expect(rawHeader(inEnglish!, 'Content-Language')).toBe('en');
  });

  it('should not email an event type that is off by default, unless the user turned its category on', async () => {
    const { userId, email } = await newRecipient();
    const data = { sessionId: 's-2', sessionTitle: 'Standup', durationSeconds: 60, segmentsCount: 3 };
    const { delivery } = await publishAndSettle(userId, 'transcription.completed', data);
    expect(delivery).toMatchObject({ status: 'SKIPPED', reason: 'MUTED', attempts: 0 });
    expect(to(email!)).toEqual([]);
  });

  it('should skip a user with no email address, without an error for the producer', async () => {
    const { userId } = await newRecipient({ email: null });
    const [result] = await publishEvent(server.url, {
      type: 'system.warning',
      data: { message: 'Hello' },
      recipients: [userId],
    });
    expect(result!.outcome).toBe('CREATED');
    const deliveries = await deliveriesOf(server.url, result!.notification!.id, userId);
    expect(deliveries).toMatchObject([{ channel: 'EMAIL', status: 'SKIPPED', reason: 'NO_ADDRESS', attempts: 0 }]);
  });

  it('should mute the category for email on the one-click POST, and send none for the next event', async () => {
    const { userId, email, client } = await newRecipient();
    await publishAndSettle(userId, 'system.warning', { message: 'First' });
    const link = rawHeader(to(email!)[0]!, 'List-Unsubscribe')!.slice(1, -1);
    // A GET (a scanner following the link) changes nothing.
    expect((await fetch(link)).status).toBe(200);
    expect((await client.data(EmailPreferencesDocument)).notificationPreferences.categories).toContainEqual(
      expect.objectContaining({ category: 'system', email: null }),
    );
    const response = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    const { categories } = (await client.data(EmailPreferencesDocument)).notificationPreferences;
    expect(categories).toContainEqual(expect.objectContaining({ category: 'system', email: false, inApp: true }));
    const { delivery } = await publishAndSettle(userId, 'system.warning', { message: 'Second' });
    expect(delivery).toMatchObject({ status: 'SKIPPED', reason: 'MUTED' });
    expect(to(email!).map((e) => e.parsed.text?.split('\n')[0])).toEqual(['First']);
  });

  it('should refuse a forged or altered unsubscribe token', async () => {
    const { userId, email } = await newRecipient();
    await publishAndSettle(userId, 'system.warning', { message: 'Hi' });
    const link = rawHeader(to(email!)[0]!, 'List-Unsubscribe')!.slice(1, -1);
    const response = await fetch(`${link.slice(0, -2)}xx`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(response.status).toBe(400);
  });

  it('should fail a delivery at once, with the reason, when the SMTP server refuses it for good (550)', async () => {
    const { userId, email } = await newRecipient();
    smtp.refuseWith(550);
    try {
      const { delivery } = await publishAndSettle(userId, 'system.warning', { message: 'Refused' });
      expect(delivery).toMatchObject({ status: 'FAILED', reason: 'REJECTED', attempts: 1 });
      expect(delivery.lastError).toMatch(/^SMTP 550 /);
      expect(delivery.lastError!.length).toBeLessThanOrEqual(200);
    } finally {
      smtp.refuseWith(undefined);
    }
    expect(to(email!)).toEqual([]);
  });

  it('should send every email due while the SMTP server was down once it is back, each exactly once', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => newRecipient()));
    await smtp.pause();
    let ids: string[];
    try {
      const results = await Promise.all(
        users.map(({ userId }) =>
          publishEvent(server.url, { type: 'system.warning', data: { message: 'While down' }, recipients: [userId] }),
        ),
      );
      ids = results.map(([result]) => result!.notification!.id);
      // Every delivery has failed at least once before the server comes back.
      await waitFor(async () => {
        const all = await Promise.all(ids.map((id, i) => deliveriesOf(server.url, id, users[i]!.userId)));
        return all.every(([d]) => d!.attempts >= 1 && d!.status === 'QUEUED');
      }, 'a first failed attempt of every delivery');
    } finally {
      await smtp.resume();
    }
    const settled = await waitFor(async () => {
      const all = await Promise.all(ids.map((id, i) => deliveriesOf(server.url, id, users[i]!.userId)));
      return all.every(([d]) => d!.status === 'SENT') ? all.map(([d]) => d!) : undefined;
    }, 'every delivery sent');
    expect(settled.every((d) => d.attempts >= 2)).toBe(true);
    for (const { email } of users) expect(to(email!)).toHaveLength(1);
    const messageIds = users.map(({ email }) => to(email!)[0]!.parsed.messageId);
    expect(new Set(messageIds).size).toBe(users.length);
  });

  it('should fail a delivery after its last retry, with the last error', async () => {
    const { userId } = await newRecipient();
    smtp.refuseWith(451);
    try {
      const { delivery } = await publishAndSettle(userId, 'system.warning', { message: 'Never' });
      expect(delivery).toMatchObject({ status: 'FAILED', reason: 'RETRIES_EXHAUSTED', attempts: 5 });
      expect(delivery.lastError).toMatch(/^SMTP 451 /);
    } finally {
      smtp.refuseWith(undefined);
    }
  });
});

describe('the delivery queue', () => {
  it('should have installed its schema in our database at start', async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT to_regproc('graphile_worker.add_job') IS NOT NULL AS installed`);
      expect(rows[0].installed).toBe(true);
    } finally {
      await client.end();
    }
  });
});
