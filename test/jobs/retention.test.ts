// On a database of its own: retention looks at every user's notifications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUSEKEEPING_TASKS, requestRun } from '../../src/jobs/housekeeping.js';
import { applyRetention } from '../../src/jobs/retention.js';
import type { RunningServer } from '../../src/server.js';
import { CountsDocument, NotificationChangesDocument } from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/event-stream.js';
import { userClient } from '../helpers/graphql.js';
import { createMany } from '../helpers/notifications.js';
import { startTestServer } from '../helpers/server.js';
import { tokenFor } from '../helpers/tokens.js';

const DAY_MS = 24 * 3600 * 1000;

/** The sum over both instances of a counter's series whose labels include `labels`. */
async function counted(name: string, labels: string): Promise<number> {
  let sum = 0;
  for (const server of [first, second]) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(' ').at(-1));
    }
  }
  return sum;
}
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
  it('should archive what is older than 30 days, keep at most N per user, delete the expired; once with two instances, as a job of the queue', async () => {
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

    // Both instances ask for a run at once, as their crontabs would at the same minute: it is done once.
    await Promise.all([
      requestRun(first.app.services.db, HOUSEKEEPING_TASKS.retention),
      requestRun(second.app.services.db, HOUSEKEEPING_TASKS.retention),
    ]);
    await waitFor(
      async () => (await counted('notifications_retention_total', 'action="deleted"')) >= 4,
      'a retention run',
    );
    await waitFor(
      async () =>
        (
          await db.$queryRaw<Array<{ n: number }>>`
          SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'retention'`
        )[0]!.n === 0,
      'no retention run waiting or running',
    );
    const work = {
      archived: await counted('notifications_retention_total', 'action="archived"'),
      deleted: await counted('notifications_retention_total', 'action="deleted"'),
    };
    const runs = await counted('notifications_job_runs_total', 'job="retention",result="ran"');
    console.log(`retention with two instances: ${runs} run(s), work ${JSON.stringify(work)}`);
    // The expired one goes first, here or through the every-minute sweep, whichever comes first: it does not take
    // one of the user's 20 places, so 4 of the 24 left go.
    expect(work).toEqual({ archived: 3, deleted: 4 });

    expect((await old.data(CountsDocument, {})).counts.total).toBe(2);
    expect((await old.data(CountsDocument, { filter: { archived: true } })).counts.total).toBe(3);
    expect(await db.notification.count({ where: { userId: crowded.userId } })).toBe(20);
    const log = (await crowded.data(NotificationChangesDocument, { after: '25' })).notificationChanges.events;
    expect(log.map((event) => [event.kind, event.count])).toEqual([
      ['EXPIRED', 1],
      ['ALL_DELETED', 4],
    ]);

    const again = await applyRetention(db, first.app.services.notifications, { archiveAfterDays: 30, maxPerUser: 20 });
    expect(again).toEqual({ archived: 0, deleted: 0, expired: 0 });
  });

  it('should count its work in the metrics', async () => {
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    expect(metrics).toMatch(/notifications_published_total\{outcome="CREATED"\} \d+/);
    expect(metrics).toContain('notifications_open_streams');
    expect(metrics).toContain('notifications_retention_total');
  });
});
