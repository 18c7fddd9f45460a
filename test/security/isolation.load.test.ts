import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  DeleteNotificationDocument,
  MarkAllReadDocument,
  MarkReadDocument,
  NodeDocument,
  NotificationAddedDocument,
  NotificationChangesDocument,
  NotificationEventsDocument,
  NotificationsDocument,
  UnreadCountDocument,
} from '../generated/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';

// Rate limits off: this test is one user probing thousands of times on purpose.
const server = useTestServer({
  env: { RATE_LIMIT_USER_REQUESTS: '0', RATE_LIMIT_OPERATION_REQUESTS: '0', RATE_LIMIT_USER_COST: '0' },
});

const TOTAL = 1000;
const SECRET = 'secret-of-b';

const globalId = (uuid: string) => Buffer.from(`Notification:${uuid}`).toString('base64');
const uuidOf = (id: string) => Buffer.from(id, 'base64').toString().replace('Notification:', '');
/** An id that exists nowhere, made in the same millisecond as `uuid`, so it sorts as that one does. */
const missingTwin = (uuid: string) =>
  `${uuid.slice(0, 24)}${uuid.slice(24) === 'ffffffffffff' ? '000000000000' : 'ffffffffffff'}`;

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe('isolation at scale', () => {
  it("should show A nothing of B's 1000 notifications through any entry point, answering B's ids exactly as missing ones", {
    timeout: 180_000,
  }, async () => {
    const [a, b] = [await server.newUser(), await server.newUser()];
    const own = await createNotification(server.url, { userId: a.userId, title: 'for a' });

    // Every response A gets goes through here: none may carry anything of B's.
    const bIds = new Set<string>();
    const seen: string[] = [];
    let probes = 0;
    const raw = async (
      query: string,
      variables: Record<string, unknown>,
      accept = 'application/graphql-response+json',
    ) => {
      probes++;
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${a.token}` },
        body: JSON.stringify({ query, variables }),
      });
      const text = `${response.status} ${await response.text()}`;
      seen.push(text);
      return text;
    };

    const events = subscribe(server.url, NotificationEventsDocument, {}, { token: a.token });
    const added = subscribe(server.url, NotificationAddedDocument, {}, { token: a.token, mode: 'single' });
    await Promise.all([events.ready, added.ready]);

    // 1000 notifications go to B while A keeps querying, with and without filters, and marks all read.
    let creating = true;
    const created: string[] = [];
    const querying = (async () => {
      const queries = [
        [print(NotificationsDocument), { first: 100 }],
        [print(NotificationsDocument), { first: 100, status: 'UNREAD', type: 'INFO' }],
        [print(UnreadCountDocument), {}],
        [print(NotificationChangesDocument), { after: '0' }],
        [print(MarkAllReadDocument), {}],
      ] as const;
      for (let i = 0; creating; i++) await raw(queries[i % queries.length]![0], queries[i % queries.length]![1]);
    })();
    await pool(
      Array.from({ length: TOTAL }, (_, i) => i),
      4,
      async (i) => {
        const notification = await createNotification(server.url, {
          userId: b.userId,
          title: `${SECRET} ${i}`,
          message: `${SECRET} message`,
          type: 'INFO',
        });
        created.push(notification.id);
        bIds.add(uuidOf(notification.id));
      },
    );
    creating = false;
    await querying;

    // A tries each of B's ids in every entry point, and a missing id of the same millisecond beside it.
    let identical = 0;
    let compared = 0;
    const compare = async (
      query: string,
      variables: (id: string) => Record<string, unknown>,
      id: string,
      accept?: string,
    ) => {
      const twin = globalId(missingTwin(uuidOf(id)));
      const [forB, forMissing] = await Promise.all([
        raw(query, variables(id), accept),
        raw(query, variables(twin), accept),
      ]);
      compared++;
      if (forB === forMissing) identical++;
      else seen.push(`DIFFERENT: ${forB} <> ${forMissing}`);
    };
    const node = print(NodeDocument);
    const markRead = print(MarkReadDocument);
    const remove = print(DeleteNotificationDocument);
    const list = print(NotificationsDocument);
    const changes = print(NotificationChangesDocument);
    // Every one of B's ids through node; a spread sample of them through every other entry point.
    await pool(created, 4, (id) => compare(node, (x) => ({ id: x }), id));
    const sample = created.filter((_, i) => i % 20 === 0);
    await pool(sample, 4, async (id) => {
      await compare(markRead, (x) => ({ id: x }), id);
      await compare(remove, (x) => ({ id: x }), id);
      await compare(list, (x) => ({ first: 10, after: x }), id);
      await compare(list, (x) => ({ last: 10, before: x }), id);
      await compare(changes, (x) => ({ after: x }), id);
    });
    // Streams resumed from B's cursors, in distinct-connections mode: the whole SSE answer compared.
    const stream = 'text/event-stream';
    await pool(sample.slice(0, 10), 2, async (id) => {
      await compare(print(NotificationEventsDocument), (x) => ({ after: x }), id, stream);
      await compare(print(NotificationAddedDocument), (x) => ({ after: x }), id, stream);
    });
    // Positions are per user: B's are just numbers in A's own log. Past A's own end, a stream resumed
    // from one of them is refused exactly as from a position no log reached.
    for (const position of ['1', '2', '500', '1000']) await raw(changes, { after: position });
    const aPosition = Number(JSON.parse((await raw(changes, {})).slice(4)).data.notificationChanges.position);
    const beyond = [aPosition + 1, 999, 1000].filter((position) => position > aPosition);
    const unknownPosition = await raw(print(NotificationEventsDocument), { after: '999999999' }, stream);
    for (const position of beyond) {
      compared++;
      if ((await raw(print(NotificationEventsDocument), { after: String(position) }, stream)) === unknownPosition)
        identical++;
    }

    // A's live streams saw only A's own changes (its markAllRead) while B got 1000; and they are still live.
    const mine = await createNotification(server.url, { userId: a.userId, title: 'for a, again' });
    for (const live of [events, added]) {
      let last = '';
      while (!last.includes(mine.id)) {
        last = JSON.stringify(await live.next());
        seen.push(last);
      }
    }
    await Promise.all([events.dispose(), added.dispose()]);

    // Nothing of B's reached A, and nothing A did reached B's notifications.
    const leaked = seen.filter((text) => text.includes(SECRET) || [...bIds].some((uuid) => text.includes(uuid)));
    const leakedGlobal = seen.filter((text) => created.some((id) => text.includes(id)));
    const bUnread = (await b.data(UnreadCountDocument)).unreadCount.count;
    const aTotal = (await a.data(NotificationsDocument, { first: 1 })).notifications.totalCount;
    console.log(
      `isolation: ${TOTAL} notifications to B while A subscribed and queried; ${probes} requests by A with B's ids, ` +
        `cursors and positions: ${leaked.length + leakedGlobal.length} leaked, ` +
        `${identical}/${compared} not-found answers byte-identical to missing ids; B still has ${bUnread} unread`,
    );
    expect(seen.filter((text) => text.startsWith('DIFFERENT'))).toEqual([]);
    expect(leaked).toEqual([]);
    expect(leakedGlobal).toEqual([]);
    expect(identical).toBe(compared);
    expect(bUnread).toBe(TOTAL);
    expect(aTotal).toBe(2);
    expect(own.id).not.toBe(mine.id);
  });
});
