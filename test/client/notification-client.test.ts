// The typed client (@notification-api/client, packages/client/) against real servers: its stream resumes from the last
// position it delivered whenever the connection breaks or the server goes away, with no gap and nothing twice.
import { fileURLToPath } from 'node:url';
import {
  createNotificationClient,
  type EventStream,
  GraphQLRequestError,
  InboxArchiveDocument,
  InboxDocument,
  type InboxEvent,
  InboxMarkReadDocument,
  InboxPositionDocument,
  type StreamStatus,
} from '@notification-api/client';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/event-stream.js';
import { createMany, createNotification } from '../helpers/notifications.js';
import { startTestServer, useTestServer } from '../helpers/server.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const shared = useTestServer();
const CLIENT_MANIFEST = fileURLToPath(
  new URL('../../packages/client/src/generated/persisted-documents.json', import.meta.url),
);

/** Follows a user's events through the client, recording each event and each status. */
function follow(url: string, token: string, { after, persisted }: { after?: string; persisted?: boolean } = {}) {
  const events: InboxEvent[] = [];
  const statuses: Array<{ status: StreamStatus; code?: string }> = [];
  const stream: EventStream = createNotificationClient({ url, token, persisted }).events({
    after,
    onEvent: (event) => events.push(event),
    onStatus: (status, error) => statuses.push(error ? { status, code: error.code } : { status }),
    retryDelayMs: () => 100,
  });
  streams.push(stream);
  return { events, statuses, stream };
}

const streams: EventStream[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.stop();
});

/** The titles of the ADDED events, and a check that positions run on without a gap or a repeat. */
function titlesInOrder(events: InboxEvent[]) {
  const positions = events.map((event) => Number(event.position));
  expect(positions).toEqual(positions.map((_, i) => positions[0]! + i));
  return events.map((event) => event.notification?.title);
}

describe('request', () => {
  it('should run typed queries and mutations, and throw errors typed by their code', async () => {
    const user = await shared.newUser();
    const created = await createNotification(shared.url, { userId: user.userId, title: 'hello' });
    const client = createNotificationClient({ url: shared.url, token: user.token });

    const inbox = await client.request(InboxDocument, { first: 10 });
    expect(inbox.counts).toEqual({ total: 1, unread: 1, unseen: 1 });
    expect(inbox.notifications.edges.map((edge) => edge.node.title)).toEqual(['hello']);
    expect((await client.request(InboxMarkReadDocument, { id: created.id })).markRead.status).toBe('READ');
    expect((await client.request(InboxArchiveDocument, { id: created.id })).archive.counts.total).toBe(0);

    const missing = await client.request(InboxMarkReadDocument, { id: 'Tm90aWZpY2F0aW9uOm5vcGU=' }).catch((e) => e);
    expect(missing).toBeInstanceOf(GraphQLRequestError);
    expect(missing.code).toBe('BAD_USER_INPUT');
    const anonymous = createNotificationClient({ url: shared.url, token: 'not-a-token' });
    const refused = await anonymous.request(InboxPositionDocument).catch((e) => e);
    expect([refused.code, refused.status]).toEqual(['UNAUTHENTICATED', 401]);
  });

  it('should send hashes only with `persisted`, which a server with PERSISTED_OPERATIONS=only runs', async () => {
    const only = await startTestServer({
      env: { PERSISTED_OPERATIONS: 'only', PERSISTED_OPERATIONS_MANIFEST: CLIENT_MANIFEST },
    });
    try {
      const user = await shared.newUser();
      const client = createNotificationClient({ url: only.url, token: user.token, persisted: true });
      const { notificationChanges } = await client.request(InboxPositionDocument);
      const { events } = follow(only.url, user.token, {
        after: notificationChanges.position,
        persisted: true,
      });
      await createNotification(shared.url, { userId: user.userId, title: 'by hash' });
      await waitFor(async () => events.length === 1, 'the event');
      expect(events[0]?.notification?.title).toBe('by hash');
      expect((await client.request(InboxDocument, {})).counts.unseen).toBe(1);

      const plain = createNotificationClient({ url: only.url, token: user.token });
      expect((await plain.request(InboxDocument, {}).catch((e) => e)).code).toBe('PERSISTED_QUERY_ONLY');
    } finally {
      await only.stop();
    }
  });
});

describe('events', () => {
  it('should resume after a network drop with what was missed, no gap and nothing twice', async () => {
    const user = await shared.newUser();
    const proxy = await startTcpProxy('127.0.0.1', shared.server.port);
    try {
      const { events, statuses } = follow(`http://127.0.0.1:${proxy.port}`, user.token);
      await waitFor(async () => statuses.some(({ status }) => status === 'live'), 'the stream');
      await createMany(shared.url, user.userId, 2, 'before');
      await waitFor(async () => events.length === 2, '2 events');

      await proxy.cut();
      await createMany(shared.url, user.userId, 3, 'missed');
      await proxy.restore();
      await waitFor(async () => events.length === 5, 'the missed events');
      await createMany(shared.url, user.userId, 2, 'live');
      await waitFor(async () => events.length === 7, '7 events');
      // One more, in order after them all: anything delivered twice would have come before it.
      await createMany(shared.url, user.userId, 1, 'end');
      await waitFor(async () => events.some((event) => event.notification?.title === 'end 0'), 'the last event');

      expect(titlesInOrder(events)).toEqual([
        'before 0',
        'before 1',
        'missed 0',
        'missed 1',
        'missed 2',
        'live 0',
        'live 1',
        'end 0',
      ]);
      expect(statuses.map(({ status }) => status)).toContain('reconnecting');
      console.log(`network drop: ${events.length} events, statuses ${statuses.map((s) => s.status).join(' → ')}`);
    } finally {
      await proxy.close();
    }
  });

  it('should resume on another server after SHUTTING_DOWN, from the last position, none twice', async () => {
    const first = await startTestServer();
    const proxy = await startTcpProxy('127.0.0.1', first.port);
    let second: Awaited<ReturnType<typeof startTestServer>> | undefined;
    try {
      const user = await shared.newUser();
      const { events, statuses } = follow(`http://127.0.0.1:${proxy.port}`, user.token);
      await waitFor(async () => statuses.some(({ status }) => status === 'live'), 'the stream');
      await createMany(first.url, user.userId, 2, 'first');
      await waitFor(async () => events.length === 2, '2 events');

      await first.stop();
      await waitFor(async () => statuses.some(({ code }) => code === 'SHUTTING_DOWN'), 'SHUTTING_DOWN');
      second = await startTestServer();
      await createMany(second.url, user.userId, 3, 'meanwhile');
      proxy.retarget(second.port);
      await waitFor(async () => events.length === 5, 'the missed events');
      await createMany(second.url, user.userId, 1, 'second');
      await waitFor(async () => events.length === 6, '6 events');
      // One more, in order after them all: anything delivered twice would have come before it.
      await createMany(second.url, user.userId, 1, 'end');
      await waitFor(async () => events.some((event) => event.notification?.title === 'end 0'), 'the last event');

      expect(titlesInOrder(events)).toEqual([
        'first 0',
        'first 1',
        'meanwhile 0',
        'meanwhile 1',
        'meanwhile 2',
        'second 0',
        'end 0',
      ]);
      console.log(`shutdown: ${events.length} events, statuses ${statuses.map((s) => s.code ?? s.status).join(' → ')}`);
    } finally {
      await proxy.close();
      await second?.stop();
      await first.stop();
    }
  });

  it('should stop for good on an error that retrying cannot fix', async () => {
    const user = await shared.newUser();
    const { statuses, stream } = follow(shared.url, user.token, { after: 'not-a-position' });
    await waitFor(async () => statuses.some(({ status }) => status === 'stopped'), 'the stream to stop');
    expect(statuses.at(-1)).toEqual({ status: 'stopped', code: 'BAD_USER_INPUT' });
    expect(stream.position).toBe('not-a-position');
  });
});
