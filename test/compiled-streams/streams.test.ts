// Compiled streams serve a subscription exactly as Yoga does. Two servers over the same database and Redis:
// one with compiled streams, one without (COMPILED_STREAMS=false). Each document is first run once on the
// first (which teaches it the document); then the same user opens the same subscription on both at once,
// and both see the same changes (every instance hears every user's channel): the bytes of the two streams,
// the pings of the heartbeat aside, must be the same, from the first ping through replay, live events and
// the end, and the access log shows which path served them.
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RunningServer } from '../../src/server.js';
import { waitFor } from '../helpers/event-stream.js';
import { execute, expectData } from '../helpers/graphql.js';
import { captureLog } from '../helpers/log-capture.js';
import { createNotification, RICH_CONTENT } from '../helpers/notifications.js';
import { openAndStall, sseSubscription } from '../helpers/raw-stream.js';
import { redisClient } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import { canOpenCap, holdingsOf, holdsNothing } from '../helpers/stream-holdings.js';
import { subscribe } from '../helpers/subscribe.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const CSRF = { 'x-graphql-yoga-csrf': '1' };
const EVERY_FIELD =
  'id title message type status priority category metadata relatedSessionId createdAt readAt seenAt archivedAt snoozedUntil expiresAt sendAt updatedAt __typename';

interface Opened {
  status: number;
  headers: Record<string, string | null>;
  /** Everything received so far. */
  text(): string;
  /** The events received so far, pings left out (their timing is the heartbeat's). */
  events(): string[];
  /** Resolves once the stream has ended (the server closed it). */
  ended: Promise<void>;
  close(): void;
}

const SHOWN_HEADERS = [
  'content-type',
  'cache-control',
  'connection',
  'content-encoding',
  'x-accel-buffering',
  'access-control-allow-origin',
  'vary',
];

interface OpenOptions {
  method?: 'GET' | 'POST';
  origin?: string;
  path?: '/graphql' | '/graphql/stream';
}

/** Opens a stream as a raw client does: GraphQL over SSE, distinct connections, on /graphql. */
async function open(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
  { method = 'POST', origin, path = '/graphql' }: OpenOptions = {},
): Promise<Opened> {
  const abort = new AbortController();
  const headers = {
    accept: 'text/event-stream',
    authorization: `Bearer ${token}`,
    ...(origin ? { origin } : {}),
  };
  const response =
    method === 'GET'
      ? await fetch(`${url}${path}?${new URLSearchParams({ query, variables: JSON.stringify(variables) })}`, {
          headers: { ...headers, ...CSRF },
          signal: abort.signal,
        })
      : await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables }),
          signal: abort.signal,
        });
  let text = '';
  const ended = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += value;
      }
    } catch {
      // Closed by the test.
    }
  })();
  const shown = Object.fromEntries(SHOWN_HEADERS.map((name) => [name, response.headers.get(name)]));
  return {
    status: response.status,
    headers: { ...shown, 'x-request-id': response.headers.has('x-request-id') ? 'present' : null },
    text: () => text,
    events: () =>
      text
        .split('\n\n')
        .filter((block) => block !== '' && block !== ':')
        .map((block) => `${block}\n\n`),
    ended,
    close: () => abort.abort(),
  };
}

describe('compiled streams', () => {
  const log = captureLog('info');
  let compiled: RunningServer;
  let yoga: RunningServer;
  const env = { STREAMS_PER_USER: '3' };

  beforeAll(async () => {
    [compiled, yoga] = await Promise.all([
      startTestServer({ logger: log.logger, env }),
      startTestServer({ env: { ...env, COMPILED_STREAMS: 'false' } }),
    ]);
  });
  afterAll(() => Promise.all([compiled?.stop(), yoga?.stop()]));

  const served = () => log.entries.filter((entry) => entry.component === 'compiled-streams' && entry.msg === 'request');

  /** Runs the document once on the compiled server, through Yoga, which teaches it the document. */
  async function learn(query: string, variables: Record<string, unknown> = {}, options: OpenOptions = {}) {
    const token = await tokenFor(newUserId());
    const before = served().length;
    const first = await open(compiled.url, token, query, variables, options);
    await waitFor(async () => first.text().length > 0, 'the first stream to start');
    first.close();
    expect(served().length).toBe(before);
  }

  /** The same subscription of the same user, on both servers; `served` says whether compiled streams served it. */
  async function both(
    token: string,
    query: string,
    variables: Record<string, unknown> = {},
    options: OpenOptions = {},
  ) {
    const before = served().length;
    const [a, b] = await Promise.all([
      open(compiled.url, token, query, variables, options),
      open(yoga.url, token, query, variables, options),
    ]);
    return { compiled: a, yoga: b, served: served().length - before };
  }

  const sameEvents = async (a: Opened, b: Opened, count: number) => {
    await waitFor(async () => a.events().length >= count && b.events().length >= count, `${count} events on both`);
    expect(a.events()).toEqual(b.events());
    expect(a.text().startsWith(':\n\n')).toBe(true);
    expect(b.text().startsWith(':\n\n')).toBe(true);
  };

  const create = (userId: string, input: Record<string, unknown> = {}) =>
    createNotification(yoga.url, { userId, ...input });

  it('should replay then go live with every field of notificationEvents, as Yoga does', async () => {
    const query = `subscription Events($after: String) { notificationEvents(after: $after) {
      position kind notificationId notificationIds count unreadCount createdAt __typename
      counts { total unread unseen __typename } notification { ${EVERY_FIELD} } } }`;
    await learn(query);
    const userId = newUserId();
    const token = await tokenFor(userId);
    const first = await create(userId, { title: 'First' });
    const rich = await create(userId, {
      ...RICH_CONTENT,
    });
    await execute(yoga.url, 'mutation($id: ID!) { markRead(id: $id) { id } }', { id: rich.id }, { token });

    const streams = await both(token, query, { after: first.id });
    expect(streams.served).toBe(1);
    expect(streams.compiled.status).toBe(streams.yoga.status);
    expect(streams.compiled.headers).toEqual(streams.yoga.headers);
    await sameEvents(streams.compiled, streams.yoga, 2);

    const live = await create(userId, { title: 'Live', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await execute(
      yoga.url,
      'mutation($id: ID!) { archive(id: $id) { notification { id } } }',
      { id: live.id },
      { token },
    );
    expectData(await execute(yoga.url, 'mutation { markAllRead { count } }', {}, { token }));
    await execute(
      yoga.url,
      'mutation($id: ID!) { deleteNotification(id: $id) { __typename } }',
      { id: first.id },
      { token },
    );
    await sameEvents(streams.compiled, streams.yoga, 6);
    streams.compiled.close();
    streams.yoga.close();
  });

  it('should filter notificationAdded, through aliases, fragments and GET, as Yoga does', async () => {
    const query = `fragment Item on Notification { ${EVERY_FIELD} }
      subscription Added($filter: NotificationFilter) { added: notificationAdded(filter: $filter) {
        ...Item ... on Node { id } again: title __typename } }`;
    const variables = { filter: { types: ['ERROR', 'WARNING'], metadata: [{ key: 'tag', value: 'x' }] } };
    await learn(query, variables, { method: 'GET' });
    const userId = newUserId();
    const token = await tokenFor(userId);
    const streams = await both(token, query, variables, { method: 'GET', origin: 'http://localhost:5173' });
    expect(streams.served).toBe(1);
    expect(streams.compiled.headers).toEqual(streams.yoga.headers);
    await create(userId, { title: 'Info', type: 'INFO', metadata: { tag: 'x' } });
    await create(userId, { title: 'Error, untagged', type: 'ERROR' });
    await create(userId, { title: 'Error', type: 'ERROR', metadata: { tag: 'x' } });
    await create(userId, { title: 'Warning', type: 'WARNING', metadata: { tag: 'x', more: [1] } });
    await sameEvents(streams.compiled, streams.yoga, 2);
    expect(streams.compiled.events().join('')).toContain('"again":"Warning"');
    streams.compiled.close();
    streams.yoga.close();
  });

  it.each([
    ['POST', '/graphql/stream'],
    ['GET', '/graphql/stream'],
  ] as const)(
    'should serve a %s of %s in distinct-connections mode as graphql-sse does through Yoga',
    async (method, path) => {
      const query = `subscription OnStream${method}($after: String) { notificationEvents(after: $after) {
      position kind notificationIds counts { unseen } notification { ${EVERY_FIELD} } } }`;
      // Learnt on /graphql: a document is learnt once, whichever way it came in.
      await learn(query);
      const userId = newUserId();
      const token = await tokenFor(userId);
      const first = await create(userId, { title: 'First' });
      await create(userId, { title: 'Second', metadata: { a: [1, { b: null }] } });
      const streams = await both(token, query, { after: first.id }, { method, path, origin: 'http://localhost:5173' });
      expect(streams.served).toBe(1);
      expect(streams.compiled.status).toBe(200);
      expect(streams.compiled.headers).toEqual(streams.yoga.headers);
      await sameEvents(streams.compiled, streams.yoga, 1);
      await create(userId, { title: 'Live' });
      await sameEvents(streams.compiled, streams.yoga, 2);
      streams.compiled.close();
      streams.yoga.close();
    },
  );

  it('should send a stream without an Origin no CORS headers, after one with an Origin, as Yoga does', async () => {
    const query = 'subscription Plain { notificationAdded { id } }';
    await learn(query);
    const browser = await both(await tokenFor(newUserId()), query, {}, { origin: 'http://localhost:5173' });
    // Another user: the first holds two of their three streams already.
    const plain = await both(await tokenFor(newUserId()), query);
    expect(plain.served).toBe(1);
    expect(plain.compiled.headers).toEqual(plain.yoga.headers);
    expect(plain.yoga.headers['access-control-allow-origin']).toBeNull();
    for (const stream of [browser.compiled, browser.yoga, plain.compiled, plain.yoga]) stream.close();
  });

  it("should deliver to graphql-sse's own client what Yoga delivers", async () => {
    // As the client sends it: printed.
    const query = print(parse('subscription { notificationAdded { id title type createdAt metadata } }'));
    await learn(query);
    const userId = newUserId();
    const token = await tokenFor(userId);
    const before = served().length;
    const a = subscribe(compiled.url, parse(query), {}, { token });
    const b = subscribe(yoga.url, parse(query), {}, { token });
    await Promise.all([a.ready, b.ready]);
    expect(served().length - before).toBe(1);
    await create(userId, { title: 'One' });
    await create(userId, { title: 'Two', metadata: { deep: { er: ['x'] } } });
    const [fromCompiled, fromYoga] = await Promise.all([a.take(2), b.take(2)]);
    expect(fromCompiled).toEqual(fromYoga);
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it('should end a stream at its token expiry with AUTH_EXPIRED, as Yoga does', async () => {
    const query = 'subscription Expiring { notificationEvents { position kind } }';
    await learn(query);
    const userId = newUserId();
    const token = await tokenFor(userId, { ttl: 2 });
    const streams = await both(token, query);
    expect(streams.served).toBe(1);
    await Promise.all([streams.compiled.ended, streams.yoga.ended]);
    expect(streams.compiled.events()).toEqual(streams.yoga.events());
    expect(streams.compiled.events().at(-2)).toContain('"AUTH_EXPIRED"');
    expect(streams.compiled.events().at(-1)).toBe('event: complete\ndata:\n\n');
  });

  it('should resume with `after` as Yoga does, and refuse an `after` that is no position as Yoga does', async () => {
    const query = 'subscription Resume($after: String) { notificationAdded(after: $after) { id title } }';
    await learn(query);
    const userId = newUserId();
    const token = await tokenFor(userId);
    await create(userId, { title: 'Before' });
    const events = await execute<{ notificationChanges: { position: string } }, Record<string, unknown>>(
      yoga.url,
      '{ notificationChanges { position } }',
      {},
      { token },
    );
    const position = expectData(events).notificationChanges.position;
    await create(userId, { title: 'Missed' });
    const resumed = await both(token, query, { after: position });
    expect(resumed.served).toBe(1);
    await sameEvents(resumed.compiled, resumed.yoga, 1);
    expect(resumed.compiled.events()[0]).toContain('"Missed"');
    resumed.compiled.close();
    resumed.yoga.close();

    for (const after of ['not-a-cursor', '999999999']) {
      const refused = await both(token, query, { after });
      expect(refused.served).toBe(0);
      await Promise.all([refused.compiled.ended, refused.yoga.ended]);
      expect([refused.compiled.status, refused.compiled.headers['content-type'], refused.compiled.text()]).toEqual([
        refused.yoga.status,
        refused.yoga.headers['content-type'],
        refused.yoga.text(),
      ]);
      expect(refused.compiled.text()).toMatch(/BAD_USER_INPUT|RESYNC_REQUIRED/);
    }
  });

  it('should refuse a stream past the cap, an argument PostgreSQL cannot store and a bad filter, as Yoga does', async () => {
    const query = 'subscription Capped($filter: NotificationFilter) { notificationAdded(filter: $filter) { id } }';
    await learn(query);
    const userId = newUserId();
    const token = await tokenFor(userId);
    const refusedAs = async (variables: Record<string, unknown>, code: string) => {
      const refused = await both(token, query, variables);
      expect(refused.served).toBe(0);
      await Promise.all([refused.compiled.ended, refused.yoga.ended]);
      expect([refused.compiled.status, refused.compiled.text()]).toEqual([refused.yoga.status, refused.yoga.text()]);
      expect(refused.compiled.text()).toContain(code);
    };
    await refusedAs({ filter: { createdAfter: '0000-06-01T00:00:00.000Z' } }, 'BAD_USER_INPUT');
    await refusedAs({ filter: { status: 'READ', statuses: ['UNREAD'] } }, 'BAD_USER_INPUT');

    const held: Opened[] = [];
    for (let i = 0; i < 3; i++) held.push(await open(compiled.url, token, query));
    await waitFor(async () => held.every((stream) => stream.text().length > 0), 'the streams to open');
    await refusedAs({}, 'RATE_LIMITED');
    for (const stream of held) stream.close();
  });
});

describe('compiled streams, as the server stops', () => {
  it('should end every stream with SHUTTING_DOWN, as Yoga does', async () => {
    const log = captureLog('info');
    const [compiled, yoga] = await Promise.all([
      startTestServer({ logger: log.logger }),
      startTestServer({ env: { COMPILED_STREAMS: 'false' } }),
    ]);
    try {
      const query = 'subscription Stopping { notificationEvents { position kind } }';
      const userId = newUserId();
      const token = await tokenFor(userId);
      const first = await open(compiled.url, await tokenFor(newUserId()), query);
      await waitFor(async () => first.text().length > 0, 'the first stream to start');
      first.close();
      const [a, b] = await Promise.all([open(compiled.url, token, query), open(yoga.url, token, query)]);
      await waitFor(async () => a.text().length > 0 && b.text().length > 0, 'both streams to start');
      expect(log.entries.filter((entry) => entry.component === 'compiled-streams').length).toBe(1);
      await Promise.all([compiled.stop(), yoga.stop()]);
      await Promise.all([a.ended, b.ended]);
      expect(a.events()).toEqual(b.events());
      expect(a.events()).toEqual([expect.stringContaining('"SHUTTING_DOWN"'), 'event: complete\ndata:\n\n']);
    } finally {
      await Promise.all([compiled.stop(), yoga.stop()]);
    }
  });
});

describe('compiled streams, for a client that never reads', () => {
  it('should end its stream and free its lease within a bounded number of events, as Yoga does', async () => {
    const log = captureLog('info');
    const cap = 2;
    // A stream counts as stalled after two heartbeat intervals without its socket draining.
    const server = await startTestServer({
      logger: log.logger,
      env: { STREAMS_PER_USER: String(cap), SSE_HEARTBEAT_MS: '250' },
    });
    const redis = redisClient();
    try {
      const query = 'subscription { notificationEvents { position notification { id title message metadata } } }';
      const first = await open(server.url, await tokenFor(newUserId()), query);
      await waitFor(async () => first.text().length > 0, 'the first stream to start');
      first.close();
      const userId = newUserId();
      const token = await tokenFor(userId);
      const stalled = await openAndStall(server.url, sseSubscription(token, query));
      expect(stalled.status).toBe(200);
      expect(log.entries.filter((entry) => entry.component === 'compiled-streams').length).toBe(1);
      // About 16 kB an event, as in test/realtime/slow-consumer.test.ts, with the same bound.
      const metadata = { blob: 'x'.repeat(15_000) };
      let published = 0;
      while (published < 1500 && !holdsNothing(await holdingsOf(server.url, redis, userId))) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            createNotification(server.url, { userId, title: `e${published + i}`, metadata }),
          ),
        );
        published += 10;
      }
      expect(published).toBeLessThan(1500);
      await canOpenCap(server.url, token, cap);
      stalled.destroy();
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});
