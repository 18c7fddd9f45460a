// Text PostgreSQL cannot store exactly (NUL, lone surrogates, JSON nested too deep, dates out of its range)
// and titles with nothing visible in them are refused at every way in, as BAD_USER_INPUT naming the field,
// before anything is written: GraphQL (creation, publishing, every filter), the event intake, the CLI.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { runNotify } from '../helpers/cli.js';
import { allConcluded, newTestStream, readStream, sendEvent, waitFor } from '../helpers/event-stream.js';
import { execute, expectError, type UserClient } from '../helpers/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { redisClient } from '../helpers/redis.js';
import { startTestServer, useTestServer } from '../helpers/server.js';
import { newUserId, serviceToken, TEST_JWT_SECRET, tokenFor } from '../helpers/tokens.js';

const shared = useTestServer();

const NUL = /contains a NUL character/;
const SURROGATE = /contains a lone surrogate/;
const DEEP = /nests objects and arrays more than 32 levels deep/;
const INVISIBLE = /must have a visible character/;
const OUT_OF_RANGE = /must be between 0001-01-01 and 9999-12-31/;

/** `{ a: { a: … 'x' } }`, `levels` objects deep. */
function nested(levels: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

// A time zone offset moves an instant out of PostgreSQL's reach (year 10000 in UTC) though its text looks fine.
const YEAR_10000 = '9999-12-31T23:00:00-05:00';
const YEAR_0 = '0000-01-01T00:00:00Z';

const everything = `query All {
  notifications(filter: { statuses: [UNREAD, READ, ARCHIVED] }) {
    totalCount
    edges { node { id title status seenAt archivedAt updatedAt } }
  }
}`;

const CREATE = 'mutation ($input: CreateNotificationInput!) { createNotification(input: $input) { id } }';
const PUBLISH = 'mutation ($input: PublishEventInput!) { publishEvent(input: $input) { tally { created } } }';
const LIST = 'query ($filter: NotificationFilter) { notifications(filter: $filter) { totalCount } }';
const COUNTS = 'query ($filter: NotificationFilter) { counts(filter: $filter) { total } }';
const COUNTS_BY =
  'query ($filters: [KeyedNotificationFilter!]!) { countsBy(filters: $filters) { key counts { total } } }';
const bulk = (action: string) => `mutation ($filter: NotificationFilter) { ${action}(filter: $filter) { count } }`;
// Literals too, not only variables: they reach the resolvers by another path (valueFromAST).
const LIST_LITERAL = 'query { notifications(filter: { category: "a\\u0000b" }) { totalCount } }';

interface GraphQLRow {
  name: string;
  field: string;
  message: RegExp;
  /** Who sends it: a producer (service token) or the user. */
  as: 'service' | 'user';
  query: string;
  variables: (userId: string) => Record<string, unknown>;
}

const created = (input: Record<string, unknown>) => (userId: string) => ({
  input: { userId, title: 'Title', message: 'Message', type: 'INFO', ...input },
});
const published = (input: Record<string, unknown>) => (userId: string) => ({
  input: { type: 'system.warning', data: { message: 'Disk almost full' }, recipients: [userId], ...input },
});
const filtered = (filter: Record<string, unknown>) => () => ({ filter });

const graphqlRows: GraphQLRow[] = [
  {
    name: 'a NUL in a title',
    field: 'title',
    message: NUL,
    as: 'service',
    query: CREATE,
    variables: created({ title: 'a\u0000b' }),
  },
  {
    name: 'a lone surrogate in a title',
    field: 'title',
    message: SURROGATE,
    as: 'service',
    query: CREATE,
    variables: created({ title: 'a\ud800b' }),
  },
  {
    name: 'a title of zero-width spaces',
    field: 'title',
    message: INVISIBLE,
    as: 'service',
    query: CREATE,
    variables: created({ title: '\u200b\u200b' }),
  },
  {
    name: 'a title of format characters',
    field: 'title',
    message: INVISIBLE,
    as: 'service',
    query: CREATE,
    variables: created({ title: '\u200d\u2060\ufeff \u00ad' }),
  },
  {
    name: 'a message of invisible characters',
    field: 'message',
    message: INVISIBLE,
    as: 'service',
    query: CREATE,
    variables: created({ message: '\u200e\u200f' }),
  },
  {
    name: 'a NUL in a message',
    field: 'message',
    message: NUL,
    as: 'service',
    query: CREATE,
    variables: created({ message: '\u0000' }),
  },
  {
    name: 'a NUL in a userId',
    field: 'userId',
    message: NUL,
    as: 'service',
    query: CREATE,
    variables: (userId) => created({ userId: `${userId}\u0000` })(userId),
  },
  {
    name: 'a NUL in a relatedSessionId',
    field: 'relatedSessionId',
    message: NUL,
    as: 'service',
    query: CREATE,
    variables: created({ relatedSessionId: 's\u0000' }),
  },
  {
    name: 'a lone surrogate in an idempotencyKey',
    field: 'idempotencyKey',
    message: SURROGATE,
    as: 'service',
    query: CREATE,
    variables: created({ idempotencyKey: 'k\udc00' }),
  },
  {
    name: 'a NUL in a metadata key',
    field: 'metadata',
    message: /has a key that contains a NUL character/,
    as: 'service',
    query: CREATE,
    variables: created({ metadata: { 'a\u0000': 1 } }),
  },
  {
    name: 'a NUL in a metadata value',
    field: 'metadata.note.0',
    message: NUL,
    as: 'service',
    query: CREATE,
    variables: created({ metadata: { note: ['\u0000'] } }),
  },
  {
    name: 'a lone surrogate in a metadata value',
    field: 'metadata.note',
    message: SURROGATE,
    as: 'service',
    query: CREATE,
    variables: created({ metadata: { note: 'a\ud800b' } }),
  },
  {
    name: 'metadata nested 3,000 levels',
    field: 'metadata',
    message: DEEP,
    as: 'service',
    query: CREATE,
    variables: created({ metadata: nested(3000) }),
  },
  {
    name: 'an expiresAt past year 9999',
    field: 'expiresAt',
    message: OUT_OF_RANGE,
    as: 'service',
    query: CREATE,
    variables: created({ expiresAt: YEAR_10000 }),
  },

  {
    name: 'a NUL in a recipient',
    field: 'recipients.0',
    message: NUL,
    as: 'service',
    query: PUBLISH,
    variables: (userId) => published({ recipients: [`${userId}\u0000`] })(userId),
  },
  {
    name: 'a NUL in event data',
    field: 'data.message',
    message: NUL,
    as: 'service',
    query: PUBLISH,
    variables: published({ data: { message: 'a\u0000b' } }),
  },
  {
    name: 'a lone surrogate in event data',
    field: 'data.message',
    message: SURROGATE,
    as: 'service',
    query: PUBLISH,
    variables: published({ data: { message: '\udfff' } }),
  },
  {
    name: 'a NUL in an event data key',
    field: 'data',
    message: /has a key that contains a NUL character/,
    as: 'service',
    query: PUBLISH,
    variables: published({ data: { message: 'm', '\u0000': 1 } }),
  },
  {
    name: 'event data nested 3,000 levels',
    field: 'data',
    message: DEEP,
    as: 'service',
    query: PUBLISH,
    variables: published({ data: { message: 'm', more: nested(3000) } }),
  },
  {
    name: 'a lone surrogate in a collapseKey',
    field: 'collapseKey',
    message: SURROGATE,
    as: 'service',
    query: PUBLISH,
    variables: published({ collapseKey: 'disk\ud800' }),
  },
  {
    name: 'an event expiresAt past year 9999',
    field: 'expiresAt',
    message: OUT_OF_RANGE,
    as: 'service',
    query: PUBLISH,
    variables: published({ expiresAt: YEAR_10000 }),
  },

  {
    name: 'a NUL in a list filter category',
    field: 'filter.category',
    message: NUL,
    as: 'user',
    query: LIST,
    variables: filtered({ category: 'a\u0000b' }),
  },
  {
    name: 'a NUL in a literal filter category',
    field: 'filter.category',
    message: NUL,
    as: 'user',
    query: LIST_LITERAL,
    variables: () => ({}),
  },
  {
    name: 'a NUL in a list filter relatedSessionId',
    field: 'filter.relatedSessionId',
    message: NUL,
    as: 'user',
    query: LIST,
    variables: filtered({ relatedSessionId: '\u0000' }),
  },
  {
    name: 'a NUL in a list filter metadata key',
    field: 'filter.metadata.0.key',
    message: NUL,
    as: 'user',
    query: LIST,
    variables: filtered({ metadata: [{ key: 'k\u0000', value: 1 }] }),
  },
  {
    name: 'a NUL in a list filter metadata value',
    field: 'filter.metadata.0.value',
    message: NUL,
    as: 'user',
    query: LIST,
    variables: filtered({ metadata: [{ key: 'k', value: 'v\u0000' }] }),
  },
  {
    name: 'a lone surrogate in a list filter metadata value',
    field: 'filter.metadata.0.value.x',
    message: SURROGATE,
    as: 'user',
    query: LIST,
    variables: filtered({ metadata: [{ key: 'k', value: { x: '\ud800' } }] }),
  },
  {
    name: 'a list filter metadata value nested 3,000 levels',
    field: 'filter.metadata.0.value',
    message: DEEP,
    as: 'user',
    query: LIST,
    variables: filtered({ metadata: [{ key: 'k', value: nested(3000) }] }),
  },
  {
    name: 'a list filter createdAfter in year 0',
    field: 'filter.createdAfter',
    message: OUT_OF_RANGE,
    as: 'user',
    query: LIST,
    variables: filtered({ createdAfter: YEAR_0 }),
  },
  {
    name: 'a list filter createdBefore past year 9999',
    field: 'filter.createdBefore',
    message: OUT_OF_RANGE,
    as: 'user',
    query: LIST,
    variables: filtered({ createdBefore: YEAR_10000 }),
  },
  {
    name: 'a NUL in a counts filter category',
    field: 'filter.category',
    message: NUL,
    as: 'user',
    query: COUNTS,
    variables: filtered({ category: '\u0000' }),
  },
  {
    name: 'a counts filter createdAfter in year 0',
    field: 'filter.createdAfter',
    message: OUT_OF_RANGE,
    as: 'user',
    query: COUNTS,
    variables: filtered({ createdAfter: YEAR_0 }),
  },
  {
    name: 'a NUL in a countsBy filter',
    field: 'filters.1.filter.relatedSessionId',
    message: NUL,
    as: 'user',
    query: COUNTS_BY,
    variables: () => ({ filters: [{ key: 'all' }, { key: 's', filter: { relatedSessionId: 's\u0000' } }] }),
  },
  {
    name: 'a NUL in a markAllRead filter metadata key',
    field: 'filter.metadata.0.key',
    message: NUL,
    as: 'user',
    query: bulk('markAllRead'),
    variables: filtered({ metadata: [{ key: '\u0000', value: 1 }] }),
  },
  {
    name: 'a NUL in a markAllSeen filter category',
    field: 'filter.category',
    message: NUL,
    as: 'user',
    query: bulk('markAllSeen'),
    variables: filtered({ category: '\u0000' }),
  },
  {
    name: 'a lone surrogate in an archiveAll filter category',
    field: 'filter.category',
    message: SURROGATE,
    as: 'user',
    query: bulk('archiveAll'),
    variables: filtered({ category: '\ud800' }),
  },
  {
    name: 'a deleteAll filter createdAfter in year 0',
    field: 'filter.createdAfter',
    message: OUT_OF_RANGE,
    as: 'user',
    query: bulk('deleteAll'),
    variables: filtered({ createdAfter: YEAR_0 }),
  },
  {
    name: 'a NUL in a deleteAll filter metadata value',
    field: 'filter.metadata.0.value',
    message: NUL,
    as: 'user',
    query: bulk('deleteAll'),
    variables: filtered({ metadata: [{ key: 'k', value: '\u0000' }] }),
  },
];

/** A notification whose metadata nests exactly as deep as allowed, with an emoji (a surrogate pair) in its title. */
const created32 = (userId: string) => ({
  input: { userId, title: '🔔 Ready', message: 'Message', type: 'INFO', metadata: { deep: nested(31) } },
});

async function seededUser(): Promise<UserClient> {
  const user = await shared.newUser();
  await createNotification(shared.url, { userId: user.userId, title: 'Seed', category: 'seed' });
  return user;
}

const stateOf = async (user: UserClient) => (await user.execute(everything)).body;

describe('input PostgreSQL cannot store exactly, through GraphQL', () => {
  it.each(graphqlRows)('should refuse $name as BAD_USER_INPUT naming $field, and change nothing', async (row) => {
    const user = await seededUser();
    const before = await stateOf(user);
    const token = row.as === 'service' ? await serviceToken() : user.token;

    const response = await execute(shared.url, row.query, row.variables(user.userId), { token });

    expect(response.status).toBeLessThan(500);
    const error = expectError(response, 'BAD_USER_INPUT');
    expect(error.extensions?.field).toBe(row.field);
    expect(error.message).toMatch(row.message);
    expect(error.message.startsWith(`${row.field}: `), error.message).toBe(true);
    expect(await stateOf(user)).toEqual(before);
  });

  it('should take what PostgreSQL can store: the edge dates, 32 levels of JSON, paired surrogates', async () => {
    const user = await shared.newUser();
    const created = await execute(shared.url, CREATE, created32(user.userId), { token: await serviceToken() });
    expect(created.body.errors).toBeUndefined();
    const counted = await user.execute(COUNTS, {
      filter: {
        createdAfter: '0001-01-01T00:00:00Z',
        createdBefore: '9999-12-31T23:59:59.999Z',
        metadata: [{ key: 'deep', value: nested(31) }],
      },
    });
    expect(counted.body).toEqual({ data: { counts: { total: 1 } } });
  });

  it('should refuse a bad filter of a subscription before the stream opens', async () => {
    const user = await shared.newUser();
    const response = await fetch(`${shared.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${user.token}`,
      },
      body: JSON.stringify({
        query: 'subscription ($filter: NotificationFilter) { notificationAdded(filter: $filter) { id } }',
        variables: { filter: { metadata: [{ key: 'k', value: 'a\u0000' }] } },
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.text();
    expect(body).toContain('"code":"BAD_USER_INPUT"');
    expect(body).toContain('"field":"filter.metadata.0.value"');
    expect(body).not.toContain('INTERNAL_SERVER_ERROR');
  });
});

describe('input PostgreSQL cannot store exactly, through the event intake', () => {
  const redis = redisClient();
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  const intakeRows: Array<{ name: string; field: string; message: RegExp; event: (userId: string) => unknown }> = [
    {
      name: 'a NUL in a recipient',
      field: 'recipients.0',
      message: NUL,
      event: (u) => ({ type: 'system.warning', data: { message: 'm' }, recipients: [`${u}\u0000`] }),
    },
    {
      name: 'a NUL in "recipient"',
      field: 'recipient',
      message: NUL,
      event: (u) => ({ type: 'system.warning', data: { message: 'm' }, recipient: `${u}\u0000` }),
    },
    {
      name: 'a NUL in event data',
      field: 'data.message',
      message: NUL,
      event: (u) => ({ type: 'system.warning', data: { message: 'a\u0000' }, recipients: [u] }),
    },
    {
      name: 'a lone surrogate in event data',
      field: 'data.message',
      message: SURROGATE,
      event: (u) => ({ type: 'system.warning', data: { message: 'a\ud800b' }, recipients: [u] }),
    },
    {
      name: 'a NUL in an event data key',
      field: 'data',
      message: /has a key that contains a NUL character/,
      event: (u) => ({ type: 'system.warning', data: { message: 'm', '\u0000': 1 }, recipients: [u] }),
    },
    {
      name: 'event data nested 3,000 levels',
      field: 'data',
      message: DEEP,
      event: (u) => ({ type: 'system.warning', data: { message: 'm', more: nested(3000) }, recipients: [u] }),
    },
    {
      name: 'a lone surrogate in a collapseKey',
      field: 'collapseKey',
      message: SURROGATE,
      event: (u) => ({ type: 'system.warning', data: { message: 'm' }, recipients: [u], collapseKey: '\udc00' }),
    },
    {
      name: 'a lone surrogate in an idempotencyKey',
      field: 'idempotencyKey',
      message: SURROGATE,
      event: (u) => ({ type: 'system.warning', data: { message: 'm' }, recipients: [u], idempotencyKey: '\udc00' }),
    },
  ];

  it('should dead-letter each event at its first attempt with BAD_USER_INPUT naming the field, storing nothing', async () => {
    const stream = newTestStream();
    server = await startTestServer({ env: stream.env({ INTAKE_MAX_ATTEMPTS: '5' }) });
    const sent = [];
    for (const row of intakeRows) {
      const userId = newUserId();
      sent.push({ row, userId, entryId: await sendEvent(redis, stream.key, row.event(userId)) });
    }
    const last = sent.at(-1)!.entryId;
    await waitFor(() => allConcluded(redis, stream.key, last), 'every entry concluded');
    const dead = new Map((await readStream(redis, stream.dead)).map((entry) => [entry.fields.entryId, entry.fields]));

    for (const { row, userId, entryId } of sent) {
      const letter = dead.get(entryId);
      expect(letter, row.name).toMatchObject({ code: 'BAD_USER_INPUT', field: row.field, attempts: '1' });
      expect(letter!.reason, row.name).toMatch(row.message);
      const { body } = await execute(server.url, everything, {}, { token: await tokenFor(userId) });
      expect(body.data, row.name).toMatchObject({ notifications: { totalCount: 0 } });
    }
    console.log(`intake: ${sent.length} events with unstorable input dead-lettered at their first attempt`);
  });
});

describe('input PostgreSQL cannot store exactly, through the CLI', () => {
  const cliRows: Array<{ name: string; data: string; line: RegExp }> = [
    {
      name: 'a NUL in --data',
      data: '{"message":"a\\u0000b"}',
      line: /^notify: BAD_USER_INPUT data\.message: contains a NUL character/,
    },
    {
      name: 'a lone surrogate in --data',
      data: '{"message":"a\\ud800b"}',
      line: /^notify: BAD_USER_INPUT data\.message: contains a lone surrogate/,
    },
    {
      name: 'a NUL in a --data key',
      data: '{"message":"m","\\u0000":1}',
      line: /^notify: BAD_USER_INPUT data: has a key that contains a NUL character/,
    },
    {
      name: '--data nested 3,000 levels',
      data: JSON.stringify({ message: 'm', more: nested(3000) }),
      line: /^notify: BAD_USER_INPUT data: nests objects and arrays more than 32 levels deep/,
    },
  ];

  it.each(cliRows)('should refuse $name in one line, exit 1 and store nothing', async ({ data, line }) => {
    const user = newUserId();
    const run = await runNotify(['system.warning', '--user', user, '--data', data], {
      API_URL: shared.url,
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(line);
    const { body } = await execute(shared.url, everything, {}, { token: await tokenFor(user) });
    expect(body.data).toMatchObject({ notifications: { totalCount: 0 } });
  });
});
