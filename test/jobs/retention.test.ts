// On a database of its own: retention looks at every user's notifications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../src/jobs/retention.js';
import type { RunningServer } from '../../src/server.js';
import { CountsDocument, NotificationChangesDocument } from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { userClient } from '../helpers/graphql.js';
import { createMany } from '../helpers/notifications.js';
import { startTestServer } from '../helpers/server.js';
import { tokenFor } from '../helpers/tokens.js';

const DAY_MS = 24 * 3600 * 1000;
let first: RunningServer;
let second: RunningServer;
beforeAll(async () => {
  const env = { DATABASE_URL: await freshDatabase(), RETENTION_MAX_PER_USER: '20', RETENTION_ARCHIVE_AFTER_DAYS: '30' };
  [first, second] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

describe('retention', () => {
  it('should archive what is older than 30 days, keep at most N per user, delete the expired; once with two instances', async () => {
    const db = first.app.services.db;
    const old = userClient(first.url, 'retention-old', await tokenFor('retention-old'));
    const crowded = userClient(first.url, 'retention-crowded', await tokenFor('retention-crowded'));
    await createMany(first.url, old.userId, 3, 'old');
    await createMany(first.url, old.userId, 2, 'recent');
    await db.notification.updateMany({
      where: { userId: old.userId, title: { startsWith: 'old' } },
      data: { createdAt: new Date(Date.now() - 40 * DAY_MS) },
    });
    await createMany(first.url, crowded.userId, 25, 'n');
    await db.notification.updateMany({
      where: { userId: crowded.userId, title: 'n 24' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });

    const policy = { archiveAfterDays: 30, maxPerUser: 20 };
    const runs = await Promise.all([
      applyRetention(db, first.app.services.notifications, policy),
      applyRetention(second.app.services.db, second.app.services.notifications, policy),
    ]);
    const ran = runs.filter((work) => work !== undefined);
    console.log(`retention with two instances: ${ran.length} ran, work ${JSON.stringify(ran[0])}`);
    expect(ran).toHaveLength(1);
    // The expired one goes first, here or through the every-second expiry job, whichever comes first: it does
    // not take one of the user's 20 places, so 4 of the 24 left go.
    expect(ran[0]).toMatchObject({ archived: 3, deleted: 4 });
    expect(ran[0]!.expired).toBeLessThanOrEqual(1);

    expect((await old.data(CountsDocument, {})).counts.total).toBe(2);
    expect((await old.data(CountsDocument, { filter: { archived: true } })).counts.total).toBe(3);
    expect(await db.notification.count({ where: { userId: crowded.userId } })).toBe(20);
    const log = (await crowded.data(NotificationChangesDocument, { after: '25' })).notificationChanges.events;
    expect(log.map((event) => [event.kind, event.count])).toEqual([
      ['EXPIRED', 1],
      ['ALL_DELETED', 4],
    ]);

    const again = await applyRetention(db, first.app.services.notifications, policy);
    expect(again).toEqual({ archived: 0, deleted: 0, expired: 0 });
  });

  it('should count its work in the metrics', async () => {
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    expect(metrics).toMatch(/notifications_published_total\{outcome="CREATED"\} \d+/);
    expect(metrics).toContain('notifications_open_streams');
    expect(metrics).toContain('notifications_retention_total');
  });
});
