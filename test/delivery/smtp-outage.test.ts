// The SMTP server away for 10 s while 100 emails fall due: each is retried on its schedule and sent
// exactly once when the server is back. Over a database of this file's own (its workers must not take other
// files' jobs).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { PublishEventDocument } from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/event-stream.js';
import { execute, expectData } from '../helpers/graphql.js';
import { startTestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { scaled } from '../helpers/timing.js';
import { serviceToken } from '../helpers/tokens.js';

const EMAILS = 100;
const DOWN_MS = 10_000;

let smtp: TestSmtpServer;
let server: RunningServer;
let db: pg.Client;

beforeAll(async () => {
  smtp = await startSmtpServer();
  const databaseUrl = await freshDatabase();
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  server = await startTestServer({
    redis: false,
    env: {
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtp.url,
      // A retry every second for 20 s: longer than the outage.
      DELIVERY_RETRY_DELAYS_MS: Array(20).fill(1000).join(','),
      DELIVERY_POLL_INTERVAL_MS: '100',
    },
  });
});
afterAll(async () => {
  await server?.stop();
  await db?.end();
  await smtp?.close();
});

const deliveries = async () =>
  (
    await db.query<{ status: string; attempts: number; reason: string | null }>(
      'SELECT status, attempts, reason FROM deliveries',
    )
  ).rows;

describe('an SMTP outage', () => {
  it('should send every one of 100 emails due during a 10 s outage exactly once when the server is back', {
    timeout: DOWN_MS + scaled(60_000),
  }, async () => {
    await db.query(
      `INSERT INTO recipients (user_id, email, updated_at)
       SELECT 'outage-' || i, 'outage-' || i || '@example.test', now() FROM generate_series(1, $1::int) AS i`,
      [EMAILS],
    );
    await smtp.pause();
    const downAt = Date.now();
    try {
      const recipients = Array.from({ length: EMAILS }, (_, i) => `outage-${i + 1}`);
      const { publishEvent } = expectData(
        await execute(
          server.url,
          PublishEventDocument,
          { input: { type: 'system.warning', data: { message: 'While down' }, recipients } },
          { token: await serviceToken() },
        ),
      );
      expect(publishEvent.results.filter((result) => result.outcome === 'CREATED')).toHaveLength(EMAILS);
      // Down for 10 s, and at least until every email has failed once.
      await waitFor(
        async () =>
          Date.now() - downAt >= DOWN_MS && (await deliveries()).every((d) => d.status === 'QUEUED' && d.attempts >= 1),
        'ten seconds of outage, with a failed attempt of every email',
        DOWN_MS + scaled(30_000),
      );
    } finally {
      await smtp.resume();
    }
    const upAt = Date.now();
    const settled = await waitFor(
      async () => {
        const all = await deliveries();
        return all.length === EMAILS && all.every((d) => d.status === 'SENT') ? all : undefined;
      },
      'every email sent',
      scaled(30_000),
    );
    const attempts = settled.map((d) => d.attempts);
    console.log(
      `SMTP outage: ${EMAILS} emails, down ${upAt - downAt} ms, all sent ${Date.now() - upAt} ms after it was back; ` +
        `attempts per email ${Math.min(...attempts)}–${Math.max(...attempts)}`,
    );
    expect(Math.min(...attempts)).toBeGreaterThanOrEqual(2);
    expect(smtp.received).toHaveLength(EMAILS);
    expect(new Set(smtp.received.map((email) => email.parsed.messageId)).size).toBe(EMAILS);
    expect(new Set(smtp.received.flatMap((email) => email.recipients)).size).toBe(EMAILS);
  });
});
