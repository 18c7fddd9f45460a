import { describe, expect, it } from 'vitest';
import { pruneChangeLog } from '../../src/jobs/prune-change-log.js';
import { NotificationChangesDocument } from '../generated/graphql.js';
import { createTestApp, useTestApp } from '../helpers/app.js';
import { expectError } from '../helpers/graphql.js';
import { createMany } from '../helpers/notifications.js';

const shared = useTestApp();
const DAY_MS = 24 * 3600 * 1000;

describe('pruning the change log', () => {
  it('should delete only changes older than the retention, each once even with two instances at it, leaving older positions to RESYNC_REQUIRED', async () => {
    const user = await shared.newUser();
    await createMany(shared, user.userId, 4);
    const db = shared.app.services.db;
    // The first three changes are 31 days old.
    await db.notificationChange.updateMany({
      where: { userId: user.userId, position: { lte: 3 } },
      data: { createdAt: new Date(Date.now() - 31 * DAY_MS) },
    });

    const other = await createTestApp();
    try {
      const results = await Promise.all([pruneChangeLog(db, 30), pruneChangeLog(other.app.services.db, 30)]);
      console.log(`prune with two instances: results ${JSON.stringify(results)}`);
      expect(results.reduce((sum, deleted) => sum + deleted, 0)).toBeGreaterThanOrEqual(3);
    } finally {
      await other.close();
    }
    const left = await db.notificationChange.findMany({ where: { userId: user.userId }, select: { position: true } });
    expect(left.map((row) => Number(row.position))).toEqual([4]);

    expectError(await user.execute(NotificationChangesDocument, { after: '1' }), 'RESYNC_REQUIRED');
    const fromThree = (await user.data(NotificationChangesDocument, { after: '3' })).notificationChanges;
    expect(fromThree.events.map((event) => event.position)).toEqual(['4']);
  });
});
