// The deliveries' metrics as /metrics shows them: outcomes per channel, the time from a notification's
// commit to its hand-off, and the queue's depth and oldest waiting job. Over a database of this file's own.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { CreateNotificationDocument, PublishEventDocument } from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/event-stream.js';
import { execute, expectData } from '../helpers/graphql.js';
import { startTestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { serviceToken } from '../helpers/tokens.js';

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
      DELIVERY_RETRY_DELAYS_MS: '100',
      DELIVERY_POLL_INTERVAL_MS: '100',
    },
  });
});
afterAll(async () => {
  await server?.stop();
  await db?.end();
  await smtp?.close();
});

const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
/** The value of the series `name{labels}` (labels exactly as printed), or undefined. */
const series = (text: string, name: string, labels: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

async function emailTo(userId: string) {
  await db.query(`INSERT INTO recipients (user_id, email, updated_at) VALUES ($1, $2, now())`, [
    userId,
    `${userId}@example.test`,
  ]);
  expectData(
    await execute(
      server.url,
      PublishEventDocument,
      { input: { type: 'system.warning', data: { message: 'Hello' }, recipients: [userId] } },
      { token: await serviceToken() },
    ),
  );
  await waitFor(async () => {
    const { rows } = await db.query(
      `SELECT 1 FROM deliveries d JOIN notifications n ON n.id = d.notification_id
       WHERE n.user_id = $1 AND d.status <> 'QUEUED'`,
      [userId],
    );
    return rows.length > 0;
  }, `the delivery to ${userId}`);
}

describe('delivery metrics', () => {
  it('should count each outcome by channel, and time the hand-off from the commit', async () => {
    await emailTo('metrics-sent');
    smtp.refuseWith(451);
    try {
      await emailTo('metrics-retried-then-failed');
    } finally {
      smtp.refuseWith(undefined);
    }
    const text = await metrics();
    expect(series(text, 'notifications_deliveries_total', 'channel="EMAIL",outcome="sent"')).toBe(1);
    expect(series(text, 'notifications_deliveries_total', 'channel="EMAIL",outcome="retried"')).toBe(1);
    expect(series(text, 'notifications_deliveries_total', 'channel="EMAIL",outcome="failed"')).toBe(1);
    expect(series(text, 'notifications_delivery_handoff_seconds_count', 'channel="EMAIL"')).toBe(1);
    const sum = series(text, 'notifications_delivery_handoff_seconds_sum', 'channel="EMAIL"')!;
    console.log(`delivery metrics: one email handed to SMTP ${Math.round(sum * 1000)} ms after its commit`);
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(10);
  });

  it('should count a delivery skipped when its notification is stored (no address) as skipped, for events and createNotification alike', async () => {
    const before = series(await metrics(), 'notifications_deliveries_total', 'channel="EMAIL",outcome="skipped"') ?? 0;
    const token = await serviceToken();
    expectData(
      await execute(
        server.url,
        PublishEventDocument,
        {
          input: {
            type: 'system.warning',
            data: { message: 'Hello' },
            recipients: ['metrics-nobody-1', 'metrics-nobody-2'],
          },
        },
        { token },
      ),
    );
    expectData(
      await execute(
        server.url,
        CreateNotificationDocument,
        { input: { userId: 'metrics-nobody-3', title: 'Hi', message: 'Hello', type: 'INFO' } },
        { token },
      ),
    );
    const after = series(await metrics(), 'notifications_deliveries_total', 'channel="EMAIL",outcome="skipped"');
    expect(after).toBe(before + 3);
  });

  it("should show the queue's depth and the age of its oldest waiting job at each scrape", async () => {
    // A job no instance has a task for waits for ever: it is what these gauges exist to show.
    await db.query(
      `SELECT graphile_worker.add_job('nobody_runs_this', '{}'::json, run_at => now() - interval '90 seconds',
        job_key => 'delivery-metrics-test')`,
    );
    const text = await metrics();
    expect(series(text, 'notifications_queue_waiting_jobs', 'task="nobody_runs_this"')).toBe(1);
    const age = series(text, 'notifications_queue_oldest_waiting_seconds', 'task="nobody_runs_this"')!;
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(150);
    await db.query(`SELECT graphile_worker.remove_job('delivery-metrics-test')`);
    const after = await metrics();
    expect(series(after, 'notifications_queue_waiting_jobs', 'task="nobody_runs_this"')).toBeUndefined();
  });
});
