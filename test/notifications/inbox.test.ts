import { describe, expect, it } from 'vitest';
import {
  ArchiveDocument,
  CountsDocument,
  MarkAllReadDocument,
  MarkReadDocument,
  MarkSeenDocument,
  MarkUnreadDocument,
  NodeDocument,
  NotificationEventsDocument,
  NotificationsDocument,
  SnoozeDocument,
  UnarchiveDocument,
} from '../generated/graphql.js';
import { expectError } from '../helpers/graphql.js';
import { createMany, createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { scaled } from '../helpers/timing.js';

const shared = useTestServer();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

describe('seen, read, archive and snooze, one at a time', () => {
  it('should move each state, report each change as an event with the counts after it, and return those counts', async () => {
    const user = await shared.newUser();
    const events = subscribe(shared.url, NotificationEventsDocument, {}, { token: user.token });
    await events.ready;
    const [a, b] = await createMany(shared.url, user.userId, 2);
    expect((await user.data(CountsDocument, {})).counts).toEqual({ total: 2, unread: 2, unseen: 2 });

    const seen = (await user.data(MarkSeenDocument, { ids: [a!.id, b!.id] })).markSeen;
    expect(seen).toMatchObject({
      count: 2,
      notificationIds: [a!.id, b!.id],
      counts: { total: 2, unread: 2, unseen: 0 },
    });
    expect((await user.data(MarkSeenDocument, { ids: [a!.id] })).markSeen.count).toBe(0);

    await user.data(MarkReadDocument, { id: a!.id });
    const unread = (await user.data(MarkUnreadDocument, { id: a!.id })).markUnread;
    expect(unread.notification).toMatchObject({ status: 'UNREAD', readAt: null });
    expect(unread.counts).toEqual({ total: 2, unread: 2, unseen: 0 });

    const archived = (await user.data(ArchiveDocument, { id: a!.id })).archive;
    expect(archived.notification).toMatchObject({ status: 'ARCHIVED' });
    expect(archived.notification.archivedAt).not.toBeNull();
    expect(archived.counts).toEqual({ total: 1, unread: 1, unseen: 0 });
    const list = await user.data(NotificationsDocument, {});
    expect(list.notifications.edges.map((edge) => edge.node.id)).toEqual([b!.id]);
    const archivedList = await user.data(NotificationsDocument, { filter: { archived: true } });
    expect(archivedList.notifications.edges.map((edge) => edge.node.id)).toEqual([a!.id]);

    const back = (await user.data(UnarchiveDocument, { id: a!.id })).unarchive;
    expect(back.notification).toMatchObject({ status: 'UNREAD', archivedAt: null });
    expect(back.counts).toEqual({ total: 2, unread: 2, unseen: 0 });

    const snoozed = (await user.data(SnoozeDocument, { id: b!.id, until: inSeconds(3600) })).snooze;
    expect(snoozed.counts).toEqual({ total: 1, unread: 1, unseen: 0 });
    expect((await user.data(NotificationsDocument, {})).notifications.edges.map((edge) => edge.node.id)).toEqual([
      a!.id,
    ]);
    expect((await user.data(NotificationsDocument, { filter: { snoozed: true } })).notifications.totalCount).toBe(1);

    // The second markSeen changed nothing, so it left no event.
    const received = (await events.take(8)).map((result) => result.data!.notificationEvents);
    expect(received.map((event) => [event.kind, event.counts])).toEqual([
      ['ADDED', { total: 1, unread: 1, unseen: 1 }],
      ['ADDED', { total: 2, unread: 2, unseen: 2 }],
      ['SEEN', { total: 2, unread: 2, unseen: 0 }],
      ['READ', { total: 2, unread: 1, unseen: 0 }],
      ['UNREAD', { total: 2, unread: 2, unseen: 0 }],
      ['ARCHIVED', { total: 1, unread: 1, unseen: 0 }],
      ['UNARCHIVED', { total: 2, unread: 2, unseen: 0 }],
      ['SNOOZED', { total: 1, unread: 1, unseen: 0 }],
    ]);
    expect(received[2]!.notificationIds).toEqual([a!.id, b!.id]);
    await events.dispose();
  });

  it('should drop an expired notification from lists, counts and node at its time, then delete it with an EXPIRED event at its wake-up', async () => {
    const user = await shared.newUser();
    const lasting = await createNotification(shared.url, { userId: user.userId, title: 'lasting' });
    const fleeting = await createNotification(shared.url, {
      userId: user.userId,
      title: 'fleeting',
      expiresAt: inSeconds(1),
    });
    expect(fleeting.expiresAt).not.toBeNull();
    expect((await user.data(CountsDocument, {})).counts.total).toBe(2);
    const events = subscribe(shared.url, NotificationEventsDocument, {}, { token: user.token });
    await events.ready;
    await sleep(Date.parse(fleeting.expiresAt!) - Date.now() + 50);
    // Gone at once, whether or not the job has run yet.
    expect((await user.data(NotificationsDocument, {})).notifications.edges.map((edge) => edge.node.id)).toEqual([
      lasting.id,
    ]);
    expect((await user.data(CountsDocument, {})).counts).toEqual({ total: 1, unread: 1, unseen: 1 });
    expectError(await user.execute(NodeDocument, { id: fleeting.id }), 'NOT_FOUND');
    // Deleted by the wake-up job queued for its expiry when it was created.
    const [event] = await events.take(1, scaled(10_000));
    expect(event!.data!.notificationEvents).toMatchObject({
      kind: 'EXPIRED',
      notificationId: fleeting.id,
      notification: null,
    });
    await events.dispose();
  });
});

describe('one filter everywhere', () => {
  it('should filter both streams', async () => {
    const user = await shared.newUser();
    const errors = subscribe(
      shared.url,
      NotificationEventsDocument,
      { filter: { types: ['ERROR'] } },
      { token: user.token },
    );
    await errors.ready;
    await createNotification(shared.url, { userId: user.userId, title: 'fine', type: 'INFO' });
    const bad = await createNotification(shared.url, { userId: user.userId, title: 'bad', type: 'ERROR' });
    await user.data(MarkAllReadDocument, {});
    const [first, second] = await errors.take(2);
    expect(first!.data!.notificationEvents).toMatchObject({ kind: 'ADDED', notificationId: bad.id });
    expect(second!.data!.notificationEvents).toMatchObject({ kind: 'ALL_READ', count: 2 });
    await sleep(200);
    expect(errors.pending).toBe(0);
    await errors.dispose();
  });
});
