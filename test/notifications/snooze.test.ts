import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import {
  CountsDocument,
  MarkReadDocument,
  MarkSeenDocument,
  NodeDocument,
  NotificationChangesDocument,
  NotificationEventsDocument,
  NotificationsDocument,
  SnoozeDocument,
} from '../generated/graphql.js';
import { createMany } from '../helpers/notifications.js';
import { startTestServer, useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';

const shared = useTestServer();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('snooze', () => {
  it('should keep a snoozed notification hidden past its time for as long as the wake-up job cannot run', async () => {
    // The notification's row, locked here, keeps every instance's wake-up job from resurfacing it.
    const holder = new pg.Client({ connectionString: inject('databaseUrl') });
    await holder.connect();
    try {
      const user = await shared.newUser();
      const [n] = await createMany(shared.url, user.userId, 1);
      await user.data(MarkSeenDocument, { ids: [n!.id] });
      await user.data(MarkReadDocument, { id: n!.id });
      const until = new Date(Date.now() + 1000);
      await user.data(SnoozeDocument, { id: n!.id, until: until.toISOString() });
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM notifications WHERE user_id = $1 FOR UPDATE', [user.userId]);
      // Three full polls that started after its time.
      for (let polls = 0; polls < 3; ) {
        const started = Date.now();
        const [list, counts] = await Promise.all([user.data(NotificationsDocument, {}), user.data(CountsDocument, {})]);
        expect(list.notifications.edges).toEqual([]);
        expect(counts.counts).toEqual({ total: 0, unread: 0, unseen: 0 });
        if (started > until.getTime()) polls++;
        else await sleep(20);
      }
      expect((await user.data(NotificationsDocument, { filter: { snoozed: true } })).notifications.totalCount).toBe(1);
      await holder.query('COMMIT');
      const deadline = Date.now() + 15_000;
      while ((await user.data(CountsDocument, {})).counts.total === 0 && Date.now() < deadline) await sleep(20);
      expect((await user.data(CountsDocument, {})).counts).toEqual({ total: 1, unread: 1, unseen: 1 });
    } finally {
      await holder.end();
    }
  });

  it('should keep a snoozed notification hidden until it resurfaces unread, unseen and announced in one step, once across two instances', async () => {
    const other = await startTestServer();
    try {
      const user = await shared.newUser();
      const [n] = await createMany(shared.url, user.userId, 1);
      await user.data(MarkSeenDocument, { ids: [n!.id] });
      await user.data(MarkReadDocument, { id: n!.id });
      const until = new Date(Date.now() + 1000);
      const snoozed = (await user.data(SnoozeDocument, { id: n!.id, until: until.toISOString() })).snooze;
      expect(snoozed.counts).toEqual({ total: 0, unread: 0, unseen: 0 });
      const { position, events: changes } = (await user.data(NotificationChangesDocument, { after: '0' }))
        .notificationChanges;
      // On a busy machine the snooze may commit after its own time: it is due from then.
      const due = Math.max(until.getTime(), new Date(changes.at(-1)!.createdAt as string).getTime());
      // From the SNOOZED change on, so that the stream cannot start after the change it must show.
      const events = subscribe(shared.url, NotificationEventsDocument, { after: position }, { token: user.token });
      await events.ready;

      // Poll as a client would, from before its time until it is back: it is either hidden, or back as new
      // with its RESURFACED change already committed; never in between.
      let back: number | undefined;
      let oldStates = 0;
      const deadline = Date.now() + 15_000;
      while (back === undefined && Date.now() < deadline) {
        const [list, counts] = await Promise.all([user.data(NotificationsDocument, {}), user.data(CountsDocument, {})]);
        const listed = list.notifications.edges.map((edge) => edge.node);
        if (listed.length > 0 || counts.counts.total > 0) {
          const seenAt = Date.now();
          const log = (await user.data(NotificationChangesDocument, { after: position })).notificationChanges.events;
          const fresh = listed.every((node) => node.status === 'UNREAD' && node.seenAt === null);
          if (fresh && log.some((change) => change.kind === 'RESURFACED')) back = seenAt;
          else oldStates++;
        }
        if (back === undefined) await sleep(20);
      }
      expect(back).toBeDefined();
      console.log(
        `snooze: polls showing it before it resurfaced: ${oldStates}; seen back ${back! - due} ms after it was due`,
      );
      expect(oldStates).toBe(0);

      const [event] = await events.take(1);
      const resurfacedAt = new Date(event!.data!.notificationEvents.createdAt as string).getTime();
      console.log(`snooze: RESURFACED logged ${resurfacedAt - due} ms after it was due`);
      expect(event!.data!.notificationEvents).toMatchObject({
        kind: 'RESURFACED',
        counts: { total: 1, unread: 1, unseen: 1 },
        notification: { id: n!.id, status: 'UNREAD' },
      });
      const node = (await user.data(NodeDocument, { id: n!.id })).node;
      expect(node).toMatchObject({ status: 'UNREAD', seenAt: null, readAt: null, snoozedUntil: null });
      // Both instances woke for it; either one may resurface it, only one does.
      await Promise.all([
        shared.server.app.services.notifications.resurfaceDue(),
        other.app.services.notifications.resurfaceDue(),
      ]);
      const log = (await user.data(NotificationChangesDocument, { after: position })).notificationChanges.events;
      expect(log.filter((change) => change.kind === 'RESURFACED')).toHaveLength(1);
      expect(events.pending).toBe(0);
      await events.dispose();
    } finally {
      await other.stop();
    }
  });
});
