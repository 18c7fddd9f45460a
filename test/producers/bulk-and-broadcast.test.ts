// On a database of its own: a broadcast reaches every user there, which must not be the other tests' users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import {
  BroadcastDocument,
  CountsDocument,
  NotificationAddedDocument,
  PublishEventDocument,
} from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { execute, expectData, userClient } from '../helpers/graphql.js';
import { startTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { serviceToken, tokenFor } from '../helpers/tokens.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ env: { DATABASE_URL: await freshDatabase() } });
});
afterAll(() => server?.stop());

const maintenanceBroadcast = async () =>
  expectData(
    await execute(
      server.url,
      BroadcastDocument,
      {
        input: {
          type: 'system.maintenance',
          data: { startsAt: '2026-12-01T02:00:00Z' },
          idempotencyKey: 'maintenance-dec-1',
        },
      },
      { token: await serviceToken() },
    ),
  ).broadcast;

describe('bulk publishing', () => {
  it('should create one notification for each of 10,000 recipients in one call, in batches', async () => {
    const recipients = Array.from({ length: 10_000 }, (_, i) => `bulk-${String(i).padStart(5, '0')}`);
    const watcher = subscribe(server.url, NotificationAddedDocument, {}, { token: await tokenFor(recipients[9_999]!) });
    await watcher.ready;
    const started = performance.now();
    const report = expectData(
      await execute(
        server.url,
        PublishEventDocument,
        { input: { type: 'system.update', data: { version: '3.0', summary: 'Faster uploads.' }, recipients } },
        { token: await serviceToken() },
      ),
    ).publishEvent;
    const seconds = (performance.now() - started) / 1000;
    const stored = await server.app.services.db.notification.count({ where: { userId: { startsWith: 'bulk-' } } });
    const changes = await server.app.services.db.notificationChange.count({
      where: { userId: { startsWith: 'bulk-' } },
    });
    console.log(
      `bulk: 10,000 recipients in ${seconds.toFixed(2)} s (${Math.round(10_000 / seconds)}/s); ${report.tally.created} created, ${stored} stored, ${changes} changes logged`,
    );
    expect(report.tally.created).toBe(10_000);
    expect(report.results).toHaveLength(10_000);
    expect(stored).toBe(10_000);
    expect(changes).toBe(10_000);
    expect((await watcher.take(1))[0]!.data!.notificationAdded.title).toBe("What's new in 3.0");
  });

  it('should broadcast to every known user, muted ones skipped', async () => {
    const muter = userClient(server.url, 'bulk-00000', await tokenFor('bulk-00000'));
    await muter.data((await import('../generated/graphql.js')).UpdateNotificationPreferencesDocument, {
      input: { categories: [{ category: 'system', inApp: false }] },
    });
    const known = await server.app.services.db.notificationStream.count();
    const started = performance.now();
    const broadcast = await maintenanceBroadcast();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `broadcast: ${broadcast.recipients} known users in ${seconds.toFixed(2)} s; ${broadcast.tally.created} created, ${broadcast.tally.muted} muted`,
    );
    expect(broadcast.recipients).toBe(known);
    expect(broadcast.tally).toMatchObject({ created: known - 1, muted: 1 });
    expect((await muter.data(CountsDocument, {})).counts.total).toBe(1);

    // The same broadcast again (a retry) creates nothing.
    const again = await maintenanceBroadcast();
    expect(again.tally).toMatchObject({ created: 0, duplicate: known - 1, muted: 1 });
  });
});
