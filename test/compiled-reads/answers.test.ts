// Compiled reads answer exactly as Yoga does. Two servers over the same database: one with compiled reads, one
// without (COMPILED_READS=false). Each document is sent to the first twice (its first run teaches it the
// document, its second is answered by compiled reads, which the access log shows) and to the second once; the
// status, media type and JSON must be the same, over inboxes holding every state a notification can be in.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RunningServer } from '../../src/server.js';
import { execute, expectData } from '../helpers/graphql.js';
import { captureLog } from '../helpers/log-capture.js';
import { createNotification, RICH_CONTENT } from '../helpers/notifications.js';
import { startTestServer } from '../helpers/server.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const ITEM = 'id title message type category status priority metadata relatedSessionId createdAt readAt seenAt';
const EVERY_FIELD = `${ITEM} archivedAt snoozedUntil expiresAt sendAt updatedAt __typename`;

interface Case {
  name: string;
  query: string;
  variables?: (ids: Seeded) => Record<string, unknown>;
  accept?: string;
  /** The page's origin, for a browser's request. */
  origin?: string;
  /** Not answered by compiled reads: Yoga refuses it on both servers. */
  refused?: boolean;
}

interface Seeded {
  /** Global ids, newest first, of the user's notifications in the default view. */
  listed: string[];
}

const CASES: Case[] = [
  {
    name: "the bell's page",
    query:
      'query List { notifications(first: 20) { totalCount edges { cursor node { id title message type status createdAt } } } }',
  },
  { name: 'the badge', query: 'query Counts { counts { unread unseen } }' },
  {
    name: "the client package's inbox, with fragments and variables",
    query: `fragment Item on Notification { ${ITEM} }
      fragment CountsFields on NotificationCounts { total unread unseen }
      query Inbox($first: Int, $after: String) {
        counts { ...CountsFields }
        notifications(first: $first, after: $after) { edges { cursor node { ...Item } } pageInfo { hasNextPage endCursor } }
      }`,
    variables: ({ listed }) => ({ first: 3, after: listed[1] }),
  },
  {
    name: 'aliases, __typename everywhere, fields asked twice, inline fragments and every field',
    query: `{ __typename
      page: notifications(first: 4) { __typename total: totalCount edges { __typename cursor node { ... on Node { id } ${EVERY_FIELD} } } edges { node { title } }
        pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor } }
      badge: counts { __typename unseen } }`,
  },
  {
    name: 'backwards from a cursor',
    query:
      'query Back($before: String) { notifications(last: 2, before: $before) { edges { cursor node { id title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
    variables: ({ listed }) => ({ before: listed[1] }),
  },
  {
    name: 'backwards from the end',
    query:
      '{ notifications(last: 3) { totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
  },
  {
    name: 'an empty page',
    query:
      '{ notifications(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
  },
  {
    name: 'past the last one',
    query:
      'query Past($after: String) { notifications(first: 5, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }',
    variables: ({ listed }) => ({ after: listed.at(-1) }),
  },
  {
    name: 'archived and read ones, through a filter in a variable',
    query: `query Filtered($filter: NotificationFilter) { notifications(filter: $filter) { totalCount edges { node { ${EVERY_FIELD} } } } counts(filter: $filter) { total unread unseen } }`,
    variables: () => ({ filter: { archived: true } }),
  },
  {
    name: 'snoozed ones',
    query: `{ notifications(filter: { snoozed: true }) { totalCount edges { node { ${EVERY_FIELD} } } } }`,
  },
  {
    name: 'by status, type, priority, category, metadata and time',
    query: `query Narrow($since: DateTime) {
      a: notifications(status: READ) { totalCount edges { node { id status } } }
      b: notifications(type: ERROR) { totalCount edges { node { id type } } }
      c: notifications(filter: { priorities: [HIGH], seen: false, category: "billing" }) { totalCount edges { node { id } } }
      d: notifications(filter: { metadata: [{ key: "actionUrl", value: "/sessions/42" }], createdAfter: $since }) { totalCount edges { node { id metadata } } }
      e: counts(filter: { statuses: [UNREAD, READ], types: [INFO, SUCCESS] }) { total unread unseen } }`,
    variables: () => ({ since: '2020-01-01T00:00:00.000Z' }),
  },
  {
    name: 'the JSON media type a client prefers',
    query: '{ counts { total } }',
    accept: 'application/graphql-response+json',
  },
  {
    name: 'the JSON media type a client lists second',
    query: '{ counts { unread } }',
    accept: 'application/graphql-response+json, application/json',
  },
  { name: 'any media type', query: '{ counts { unseen } }', accept: '*/*' },
  {
    name: 'JSON after a stream and a latin-1 JSON',
    query: '{ counts { total unseen } }',
    accept: 'text/event-stream, application/json;charset=latin1, application/*',
  },
  { name: "a browser's, from an allowed origin", query: '{ counts { unread } }', origin: 'http://localhost:5173' },
  { name: "a browser's, from another origin", query: '{ counts { unseen } }', origin: 'https://elsewhere.example' },
  {
    name: 'a cursor that is no cursor (refused)',
    query: 'query Bad($after: String) { notifications(after: $after) { edges { cursor } } }',
    variables: () => ({ after: 'not-a-cursor' }),
    refused: true,
  },
  {
    name: 'a page too large (refused)',
    query: 'query Large($first: Int) { notifications(first: $first) { edges { cursor } } }',
    variables: () => ({ first: 101 }),
    refused: true,
  },
  {
    name: 'an instant PostgreSQL cannot store, in a filter (refused)',
    query: 'query Old($filter: NotificationFilter) { counts(filter: $filter) { total } }',
    variables: () => ({ filter: { createdAfter: '0000-06-01T00:00:00.000Z' } }),
    refused: true,
  },
  {
    name: 'status and filter.status together (refused)',
    query: '{ notifications(status: READ, filter: { status: UNREAD }) { edges { cursor } } }',
    refused: true,
  },
];

async function seed(url: string, userId: string, databaseUrl: string): Promise<Seeded> {
  const token = await tokenFor(userId);
  const make = (input: Record<string, unknown>) => createNotification(url, { userId, ...input });
  const plain = await make({ title: 'Plain', message: 'Nothing special' });
  const rich = await make({
    ...RICH_CONTENT,
  });
  const read = await make({ title: 'Read one' });
  const seen = await make({ title: 'Seen one', type: 'WARNING' });
  const archived = await make({ title: 'Archived one' });
  const snoozed = await make({ title: 'Snoozed one' });
  const expired = await make({ title: 'Expired one', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  await make({ title: 'Later', sendAt: new Date(Date.now() + 3_600_000).toISOString() });
  await make({ title: 'Expiring', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), type: 'INFO' });
  for (let i = 0; i < 4; i++) await make({ title: `Filler ${i}`, type: 'INFO' });
  const run = async (query: string, variables: Record<string, unknown>) =>
    expectData(await execute(url, query, variables, { token }));
  await run('mutation($id: ID!) { markRead(id: $id) { id } }', { id: read.id });
  await run('mutation($ids: [ID!]!) { markSeen(ids: $ids) { count } }', { ids: [seen.id, rich.id] });
  await run('mutation($id: ID!) { markRead(id: $id) { id } }', { id: archived.id });
  await run('mutation($id: ID!) { archive(id: $id) { notification { id } } }', { id: archived.id });
  await run('mutation($id: ID!, $until: DateTime!) { snooze(id: $id, until: $until) { notification { id } } }', {
    id: snoozed.id,
    until: new Date(Date.now() + 3_600_000).toISOString(),
  });
  // Expired a moment ago: still in the table until the retention job takes it, never in a view.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const [, id] = Buffer.from(expired.id, 'base64').toString().split(':');
    await client.query("UPDATE notifications SET expires_at = now() - interval '1 minute' WHERE id = $1", [id]);
  } finally {
    await client.end();
  }
  const page = await run('{ notifications(first: 100) { edges { cursor } } }', {});
  const listed = (page as { notifications: { edges: { cursor: string }[] } }).notifications.edges.map((e) => e.cursor);
  expect(listed).toContain(plain.id);
  return { listed };
}

async function post(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  { accept, origin }: Pick<Case, 'accept' | 'origin'> = {},
) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(accept ? { accept } : {}),
      ...(origin ? { origin } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const cors = [...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary');
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    cors: Object.fromEntries(cors),
    hasRequestId: response.headers.has('x-request-id'),
    body: JSON.parse(await response.text()) as unknown,
  };
}

describe('compiled reads', () => {
  const log = captureLog('info');
  let compiled: RunningServer;
  let yoga: RunningServer;
  const users: Record<string, { token: string; seeded: Seeded }> = {};

  beforeAll(async () => {
    [compiled, yoga] = await Promise.all([
      startTestServer({ logger: log.logger }),
      startTestServer({ env: { COMPILED_READS: 'false' } }),
    ]);
    for (const name of ['full', 'empty']) {
      const userId = newUserId();
      const token = await tokenFor(userId);
      users[name] = {
        token,
        seeded: name === 'full' ? await seed(yoga.url, userId, yoga.databaseUrl) : { listed: [] },
      };
    }
  });
  afterAll(() => Promise.all([compiled?.stop(), yoga?.stop()]));

  const compiledAnswers = () =>
    log.entries.filter((entry) => entry.component === 'compiled-reads' && entry.msg === 'request').length;

  describe.each(['full', 'empty'])('for an inbox %s', (inbox) => {
    it.each(CASES.map((c) => [c.name, c] as const))('should answer %s as Yoga does', async (_, c) => {
      const { token, seeded } = users[inbox]!;
      const variables = c.variables?.(seeded.listed.length ? seeded : { listed: users.full!.seeded.listed }) ?? {};
      const learning = await post(compiled.url, token, c.query, variables, c);
      const before = compiledAnswers();
      const answered = await post(compiled.url, token, c.query, variables, c);
      const expected = await post(yoga.url, token, c.query, variables, c);
      expect(answered).toEqual(expected);
      expect(learning).toEqual(expected);
      expect(compiledAnswers() - before).toBe(c.refused ? 0 : 1);
      if (!c.refused) expect(expected.body).not.toHaveProperty('errors');
    });
  });

  it('should count the budgets of a compiled read once, and refuse past them as Yoga does', async () => {
    const limited = await startTestServer({ env: { RATE_LIMIT_USER_REQUESTS: '3' } });
    try {
      const token = await tokenFor(newUserId());
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await post(limited.url, token, '{ counts { unread } }', {})).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await post(limited.url, token, '{ counts { unread } }', {});
      expect(refused.body).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    } finally {
      await limited.stop();
    }
  });
});
