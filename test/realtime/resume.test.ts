import { describe, expect, it } from 'vitest';
import {
  DeleteNotificationDocument,
  MarkAllReadDocument,
  MarkReadDocument,
  NotificationAddedDocument,
  NotificationChangesDocument,
  NotificationEventsDocument,
  NotificationsDocument,
} from '../generated/graphql.js';
import { expectError } from '../helpers/graphql.js';
import { createMany, createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { tokenFor } from '../helpers/tokens.js';

const shared = useTestServer();

const titlesOf = (results: Array<{ data?: { notificationAdded: { title: string } } | null }>) =>
  results.map((result) => result.data?.notificationAdded.title);

describe('notificationAdded(after)', () => {
  it('should replay what was created after a connection cursor, then go live, with nothing twice at the seam', async () => {
    const user = await shared.newUser();
    await createMany(shared.url, user.userId, 3, 'before');
    const page = await user.data(NotificationsDocument, { first: 1 });
    const cursor = page.notifications.pageInfo.endCursor!;
    await createMany(shared.url, user.userId, 4, 'missed');

    const stream = subscribe(shared.url, NotificationAddedDocument, { after: cursor }, { token: user.token });
    await stream.ready;
    await createMany(shared.url, user.userId, 2, 'live');
    const received = await stream.take(6);
    expect(titlesOf(received)).toEqual(['missed 0', 'missed 1', 'missed 2', 'missed 3', 'live 0', 'live 1']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.pending).toBe(0);
    await stream.dispose();
  });

  it('should take a change-log position as well, and skip notifications deleted since', async () => {
    const user = await shared.newUser();
    const { notificationChanges } = await user.data(NotificationChangesDocument, {});
    const [gone] = await createMany(shared.url, user.userId, 3, 'after');
    await user.data(DeleteNotificationDocument, { id: gone!.id });

    const stream = subscribe(
      shared.url,
      NotificationAddedDocument,
      { after: notificationChanges.position },
      { token: user.token },
    );
    expect(titlesOf(await stream.take(2))).toEqual(['after 1', 'after 2']);
    await stream.dispose();
  });

  it('should deliver all 200 created while the client was away for 5 s, in order, none twice', async () => {
    const user = await shared.newUser();
    const first = subscribe(shared.url, NotificationAddedDocument, {}, { token: user.token });
    await first.ready;
    await createMany(shared.url, user.userId, 5, 'seen');
    const seen = await first.take(5);
    const lastSeen = seen.at(-1)!.data!.notificationAdded.id;
    await first.dispose();

    const away = Date.now();
    const creating = createMany(shared.url, user.userId, 200, 'away');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await creating;
    const awayMs = Date.now() - away;

    const resumed = subscribe(shared.url, NotificationAddedDocument, { after: lastSeen }, { token: user.token });
    const received = titlesOf(await resumed.take(200, 20_000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const extra = resumed.pending;
    await resumed.dispose();

    const expected = Array.from({ length: 200 }, (_, i) => `away ${i}`);
    const duplicates = received.length - new Set(received).size;
    console.log(
      `resume after ${awayMs} ms away: ${received.length}/200 delivered, ${duplicates} duplicates, ${extra} extra, in order: ${JSON.stringify(received) === JSON.stringify(expected)}`,
    );
    expect(received).toEqual(expected);
    expect(extra).toBe(0);
  });
});

describe('notificationEvents', () => {
  it('should report every change with its position and the unread count after it', async () => {
    const user = await shared.newUser();
    const stream = subscribe(shared.url, NotificationEventsDocument, {}, { token: user.token });
    await stream.ready;
    const [a, b, c] = await createMany(shared.url, user.userId, 3);
    await user.data(MarkReadDocument, { id: a!.id });
    await user.data(MarkReadDocument, { id: a!.id });
    await user.data(DeleteNotificationDocument, { id: b!.id });
    await user.data(MarkAllReadDocument);
    await user.data(MarkAllReadDocument);

    const events = (await stream.take(6)).map((result) => result.data!.notificationEvents);
    expect(events.map((event) => [event.kind, event.unreadCount, event.count, event.notificationId])).toEqual([
      ['ADDED', 1, 1, a!.id],
      ['ADDED', 2, 1, b!.id],
      ['ADDED', 3, 1, c!.id],
      ['READ', 2, 1, a!.id],
      ['DELETED', 1, 1, b!.id],
      ['ALL_READ', 0, 1, null],
    ]);
    const positions = events.map((event) => Number(event.position));
    expect(positions).toEqual([
      positions[0],
      positions[0]! + 1,
      positions[0]! + 2,
      positions[0]! + 3,
      positions[0]! + 4,
      positions[0]! + 5,
    ]);
    expect(events[3]!.notification).toMatchObject({ id: a!.id, status: 'READ' });
    expect(events[4]!.notification).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.pending).toBe(0);
    await stream.dispose();
  });

  it("should move a second tab's unread count within a second when the first tab marks one read", async () => {
    const user = await shared.newUser();
    const [one] = await createMany(shared.url, user.userId, 2);
    const secondTab = subscribe(shared.url, NotificationEventsDocument, {}, { token: user.token, mode: 'single' });
    await secondTab.ready;
    const clicked = Date.now();
    await user.data(MarkReadDocument, { id: one!.id });
    const [event] = await secondTab.take(1, 1000);
    const elapsed = Date.now() - clicked;
    console.log(`two tabs: the second tab's badge moved ${elapsed} ms after the first tab marked read`);
    expect(event!.data!.notificationEvents).toMatchObject({ kind: 'READ', unreadCount: 1 });
    expect(elapsed).toBeLessThan(1000);
    await secondTab.dispose();
  });

  it('should say RESYNC_REQUIRED for a position older than the log keeps, or one it never reached', async () => {
    const user = await shared.newUser();
    await createMany(shared.url, user.userId, 3);
    const { notificationChanges } = await user.data(NotificationChangesDocument, {});
    expect(notificationChanges.position).toBe('3');

    const ahead = subscribe(shared.url, NotificationEventsDocument, { after: '99' }, { token: user.token });
    const [result] = await ahead.take(1);
    expect(result!.errors?.map((error) => error.extensions?.code)).toEqual(['RESYNC_REQUIRED']);
    await ahead.dispose();

    // As if the retention job had pruned this user's changes so far.
    await shared.server.app.services.db.notificationChange.deleteMany({ where: { userId: user.userId } });
    const pruned = subscribe(shared.url, NotificationEventsDocument, { after: '1' }, { token: user.token });
    expect((await pruned.take(1))[0]!.errors?.map((error) => error.extensions?.code)).toEqual(['RESYNC_REQUIRED']);
    await pruned.dispose();
    expectError(await user.execute(NotificationChangesDocument, { after: '0' }), 'RESYNC_REQUIRED');

    // From the current position nothing is missing, so following from there still works.
    const current = subscribe(shared.url, NotificationEventsDocument, { after: '3' }, { token: user.token });
    await current.ready;
    await createNotification(shared.url, { userId: user.userId, title: 'fresh' });
    expect((await current.take(1))[0]!.data!.notificationEvents).toMatchObject({ position: '4', kind: 'ADDED' });
    await current.dispose();
  });

  it("should refuse an `after` that is neither a position nor the caller's cursor, the same for foreign and missing", async () => {
    const [alice, bob] = [await shared.newUser(), await shared.newUser()];
    const [bobs] = await createMany(shared.url, bob.userId, 1);
    const missing = Buffer.from('Notification:01900000-0000-7000-8000-000000000000').toString('base64');
    const foreign = await alice.execute(NotificationChangesDocument, { after: bobs!.id });
    const absent = await alice.execute(NotificationChangesDocument, { after: missing });
    expect(foreign.body).toEqual(absent.body);
    expect(expectError(foreign, 'BAD_USER_INPUT').extensions?.field).toBe('after');
    expectError(await alice.execute(NotificationChangesDocument, { after: 'garbage' }), 'BAD_USER_INPUT');
    expectError(await alice.execute(NotificationChangesDocument, { first: 0 }), 'BAD_USER_INPUT');
  });
});

describe('notificationChanges', () => {
  it('should page through the same events a stream sends, and say where to ask next', async () => {
    const user = await shared.newUser();
    const start = (await user.data(NotificationChangesDocument, {})).notificationChanges;
    expect(start).toEqual({ position: '0', hasMore: false, events: [] });
    const [a] = await createMany(shared.url, user.userId, 3);
    await user.data(MarkReadDocument, { id: a!.id });

    const page1 = (await user.data(NotificationChangesDocument, { after: start.position, first: 3 }))
      .notificationChanges;
    expect(page1.events.map((event) => event.kind)).toEqual(['ADDED', 'ADDED', 'ADDED']);
    expect(page1).toMatchObject({ position: '3', hasMore: true });
    const page2 = (await user.data(NotificationChangesDocument, { after: page1.position, first: 3 }))
      .notificationChanges;
    expect(page2.events.map((event) => [event.kind, event.unreadCount])).toEqual([['READ', 2]]);
    expect(page2).toMatchObject({ position: '4', hasMore: false });
    const page3 = (await user.data(NotificationChangesDocument, { after: page2.position })).notificationChanges;
    expect(page3).toEqual({ position: '4', hasMore: false, events: [] });
  });

  it('should accept a connection cursor as the starting point', async () => {
    const user = await shared.newUser();
    await createMany(shared.url, user.userId, 2);
    const top = (await user.data(NotificationsDocument, { first: 1 })).notifications.edges[0]!.cursor;
    await createMany(shared.url, user.userId, 1, 'later');
    const changes = (await user.data(NotificationChangesDocument, { after: top })).notificationChanges;
    expect(changes.events.map((event) => event.notification?.title)).toEqual(['later 0']);
  });
});

describe('SSE keep-alive', () => {
  const server = useTestServer({ env: { SSE_HEARTBEAT_MS: '100' } });

  /** How many pings an idle stream sends in 650 ms; its response must also ask proxies not to buffer. */
  async function pingsIn650Ms(response: Response): Promise<number> {
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = response.body!.getReader();
    let text = '';
    const until = Date.now() + 650;
    while (Date.now() < until) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    return text.split(':\n\n').length - 1;
  }

  it('should ping idle streams at the configured interval and ask proxies not to buffer', async () => {
    const token = await tokenFor('heartbeat-user');
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'subscription { notificationEvents { position } }' }),
    });
    const pings = await pingsIn650Ms(response);
    console.log(`keep-alive: ${pings} pings in 650 ms at a 100 ms interval`);
    expect(pings).toBeGreaterThanOrEqual(4);
  });

  it("should ping single-connection mode's stream too", async () => {
    const authorization = `Bearer ${await tokenFor('heartbeat-user')}`;
    const reservation = await fetch(`${server.url}/graphql/stream`, { method: 'PUT', headers: { authorization } });
    const response = await fetch(`${server.url}/graphql/stream`, {
      headers: {
        accept: 'text/event-stream',
        authorization,
        'x-graphql-event-stream-token': await reservation.text(),
      },
    });
    const pings = await pingsIn650Ms(response);
    console.log(`keep-alive, single connection: ${pings} pings in 650 ms at a 100 ms interval`);
    expect(pings).toBeGreaterThanOrEqual(4);
  });
});
