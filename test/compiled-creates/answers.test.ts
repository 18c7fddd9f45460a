// Compiled creates answer exactly as Yoga does, and run a mutation once. Two servers over the same database and
// Redis: one with compiled creates, one without (COMPILED_CREATES=false). Each document is sent with a service
// token to the first twice (its first run teaches it the document, its second is answered outside Yoga, which
// the access log shows) and to the second once; the status, media type and JSON must be the same (a new
// notification's id and instants aside), and the recipient must have exactly the notifications those three
// requests made.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.js';
import type { RunningServer } from '../../src/server.js';
import { captureLog } from '../helpers/log-capture.js';
import { RICH_CONTENT } from '../helpers/notifications.js';
import { startTestServer } from '../helpers/server.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

/** What each recipient may be sent in an hour: a case's three creates, and no more. */
const PER_RECIPIENT = 3;

const EVERY_FIELD =
  'id title message type status priority category metadata relatedSessionId createdAt readAt seenAt archivedAt snoozedUntil expiresAt sendAt updatedAt __typename';
const CREATE =
  'mutation Create($input: CreateNotificationInput!) { createNotification(input: $input) { id createdAt } }';
const EVERYTHING = `fragment All on Notification { ${EVERY_FIELD} }
  mutation Everything($input: CreateNotificationInput!) {
    __typename
    made: createNotification(input: $input) { ...All heading: title ... on Node { id } }
  }`;

const hourFromNow = () => new Date(Date.now() + 3_600_000).toISOString();

interface Case {
  name: string;
  query: string | ((userId: string) => string);
  /** The input, the same for the three requests. */
  input?: (userId: string) => Record<string, unknown>;
  token?: (userId: string) => Promise<string>;
  /** Before the three requests (with the server without compiled creates). */
  before?: (send: Send, userId: string) => Promise<void>;
  /** The notifications the recipient has after the three requests (and `before`). */
  rows: number;
  /** Not answered outside Yoga: refused before it runs. */
  handedToYoga?: boolean;
  /** Answered with this error code. */
  error?: string;
}

type Send = (url: string, query: string, variables: Record<string, unknown>, token?: string) => Promise<Answer>;

interface Answer {
  status: number;
  contentType: string | null;
  hasRequestId: boolean;
  body: unknown;
}

const plain = (userId: string) => ({ userId, title: 'Ready', message: 'Your transcription is ready', type: 'SUCCESS' });

const CASES: Case[] = [
  { name: 'a create, as the benchmark sends it', query: CREATE, input: plain, rows: 3 },
  {
    name: 'a create with every field, aliases, fragments and __typename',
    query: EVERYTHING,
    input: (userId) => ({
      ...plain(userId),
      ...RICH_CONTENT,
      expiresAt: new Date(Date.now() + 7_200_000).toISOString(),
    }),
    rows: 3,
  },
  {
    name: 'a create whose input is written in the document',
    query: (userId) =>
      `mutation { createNotification(input: { userId: "${userId}", title: "Hi", message: "Inline", type: INFO }) { id title type status } }`,
    rows: 3,
  },
  {
    name: 'a scheduled create (sendAt)',
    query: `mutation Later($input: CreateNotificationInput!) { createNotification(input: $input) { ${EVERY_FIELD} } }`,
    input: (userId) => ({ ...plain(userId), sendAt: hourFromNow() }),
    rows: 3,
  },
  {
    name: 'a retry of a create, by its idempotencyKey (the notification made first)',
    query: `mutation Retry($input: CreateNotificationInput!) { createNotification(input: $input) { ${EVERY_FIELD} } }`,
    before: async (send, userId) => {
      await send(yogaUrl(), CASES[4]!.query as string, { input: { ...plain(userId), idempotencyKey: 'order-1' } });
    },
    input: (userId) => ({ ...plain(userId), idempotencyKey: 'order-1' }),
    rows: 1,
  },
  {
    name: 'a title too long (BAD_USER_INPUT naming the field)',
    query: CREATE,
    input: (userId) => ({ ...plain(userId), title: 'x'.repeat(256) }),
    rows: 0,
    error: 'BAD_USER_INPUT',
  },
  {
    name: 'metadata that is no object (BAD_USER_INPUT)',
    query: CREATE,
    input: (userId) => ({ ...plain(userId), metadata: [1, 2] }),
    rows: 0,
    error: 'BAD_USER_INPUT',
  },
  {
    name: 'a sendAt in the past (BAD_USER_INPUT)',
    query: CREATE,
    input: (userId) => ({ ...plain(userId), sendAt: '2001-01-01T00:00:00.000Z' }),
    rows: 0,
    error: 'BAD_USER_INPUT',
  },
  {
    name: 'an instant PostgreSQL cannot store (BAD_USER_INPUT)',
    query: CREATE,
    input: (userId) => ({ ...plain(userId), expiresAt: '0000-06-01T00:00:00.000Z' }),
    rows: 0,
    error: 'BAD_USER_INPUT',
  },
  {
    name: 'a recipient at their hourly limit (RATE_LIMITED with its extensions)',
    query: CREATE,
    before: async (send, userId) => {
      for (let i = 0; i < PER_RECIPIENT; i++) await send(yogaUrl(), CREATE, { input: plain(userId) });
    },
    input: plain,
    rows: PER_RECIPIENT,
    error: 'RATE_LIMITED',
  },
  {
    name: 'variables that do not fit their type (refused)',
    query: CREATE,
    input: (userId) => ({ userId, title: 'No message', type: 'SUCCESS' }),
    rows: 0,
    handedToYoga: true,
    error: 'BAD_USER_INPUT',
  },
  {
    name: "a user's token (refused)",
    query: CREATE,
    token: (userId) => tokenFor(userId),
    input: plain,
    rows: 0,
    handedToYoga: true,
    error: 'FORBIDDEN',
  },
];

let yogaUrl: () => string;

const post: Send = async (url, query, variables, token) => {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? (await serviceToken())}` },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    hasRequestId: response.headers.has('x-request-id'),
    body: JSON.parse(await response.text()) as unknown,
  };
};

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A new notification's id and the instants it was made at become placeholders; anything else stays. */
function withoutNewValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNewValues);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, withoutNewValues(each)]));
  if (typeof value !== 'string') return value;
  if (ISO.test(value) && Math.abs(Date.parse(value) - Date.now()) < 300_000) return '<now>';
  if (Buffer.from(value, 'base64').toString().startsWith('Notification:')) return '<id>';
  return value;
}

/** retryAfter counts down in seconds: two answers a moment apart may differ by one. */
function retryAfterOf(answer: Answer): number | undefined {
  return (answer.body as { errors?: { extensions?: { retryAfter?: number } }[] }).errors?.[0]?.extensions?.retryAfter;
}

describe('compiled creates', () => {
  const log = captureLog('info');
  let compiled: RunningServer;
  let yoga: RunningServer;
  let database: pg.Client;

  beforeAll(async () => {
    const env = { RATE_LIMIT_PER_RECIPIENT_PER_HOUR: String(PER_RECIPIENT) };
    [compiled, yoga] = await Promise.all([
      startTestServerWith(log.logger, env),
      startTestServerWith(undefined, { ...env, COMPILED_CREATES: 'false' }),
    ]);
    yogaUrl = () => yoga.url;
    database = new pg.Client({ connectionString: yoga.databaseUrl });
    await database.connect();
  });
  afterAll(() => Promise.all([compiled?.stop(), yoga?.stop(), database?.end()]));

  const compiledAnswers = () =>
    log.entries.filter((entry) => entry.component === 'compiled-creates' && entry.msg === 'request').length;
  const rowsOf = async (userId: string) =>
    Number((await database.query('SELECT count(*) AS n FROM notifications WHERE user_id = $1', [userId])).rows[0].n);

  it.each(CASES.map((c) => [c.name, c] as const))('should answer %s as Yoga does', async (_, c) => {
    const userId = newUserId();
    const token = await c.token?.(userId);
    const query = typeof c.query === 'function' ? c.query(userId) : c.query;
    const variables = c.input ? { input: c.input(userId) } : {};
    await c.before?.(post, userId);
    const learning = await post(compiled.url, query, variables, token);
    const before = compiledAnswers();
    const answered = await post(compiled.url, query, variables, token);
    const expected = await post(yoga.url, query, variables, token);

    expect(compiledAnswers() - before).toBe(c.handedToYoga ? 0 : 1);
    const retryAfter = retryAfterOf(expected);
    if (retryAfter !== undefined) {
      for (const answer of [answered, learning]) {
        expect(Math.abs(retryAfterOf(answer)! - retryAfter)).toBeLessThanOrEqual(1);
        (answer.body as { errors: { extensions: { retryAfter: number } }[] }).errors[0]!.extensions.retryAfter =
          retryAfter;
      }
    }
    expect(withoutNewValues(answered)).toEqual(withoutNewValues(expected));
    expect(withoutNewValues(learning)).toEqual(withoutNewValues(expected));
    if (c.error) {
      expect(expected.body).toMatchObject({ errors: [{ extensions: { code: c.error } }] });
    } else {
      expect(expected.body).not.toHaveProperty('errors');
    }
    expect(await rowsOf(userId)).toBe(c.rows);
  });

  describe('with a request budget of 3', () => {
    let limited: RunningServer;
    beforeAll(async () => {
      limited = await startTestServerWith(undefined, { RATE_LIMIT_SERVICE_REQUESTS: '3' });
    });
    afterAll(() => limited?.stop());

    // A service of its own for each test: the budget is the caller's.
    const sender = async () => {
      const token = await tokenFor(`service-${newUserId()}`, { roles: ['service'] });
      return (input: Record<string, unknown>) => post(limited.url, CREATE, { input }, token);
    };
    const codesOf = (answers: Answer[]) =>
      answers.map(({ status, body }) => {
        const errors = (body as { errors?: { extensions: { code: string } }[] }).errors;
        return errors ? `${status} ${errors[0]!.extensions.code}` : `${status}`;
      });

    it('should count a compiled create once, and refuse past it as Yoga does, writing nothing', async () => {
      const send = await sender();
      const userId = newUserId();
      const answers: Answer[] = [];
      for (let i = 0; i < 4; i++) answers.push(await send(plain(userId)));
      expect(codesOf(answers)).toEqual(['200', '200', '200', '429 RATE_LIMITED']);
      expect(await rowsOf(userId)).toBe(3);
    });

    it('should count a refused input once too, and answer 429 rather than the refusal past the budget', async () => {
      const send = await sender();
      const userId = newUserId();
      const bad = { ...plain(userId), title: 'x'.repeat(256) };
      const answers: Answer[] = [];
      for (let i = 0; i < 3; i++) answers.push(await send(bad));
      answers.push(await send(bad), await send(plain(userId)));
      expect(codesOf(answers)).toEqual([
        '200 BAD_USER_INPUT',
        '200 BAD_USER_INPUT',
        '200 BAD_USER_INPUT',
        '429 RATE_LIMITED',
        '429 RATE_LIMITED',
      ]);
      expect(await rowsOf(userId)).toBe(0);
    });

    it('should count a retry by idempotencyKey once, and answer 429 past the budget', async () => {
      const send = await sender();
      const userId = newUserId();
      const input = { ...plain(userId), idempotencyKey: 'retry-me' };
      const answers: Answer[] = [];
      for (let i = 0; i < 4; i++) answers.push(await send(input));
      expect(codesOf(answers)).toEqual(['200', '200', '200', '429 RATE_LIMITED']);
      expect(await rowsOf(userId)).toBe(1);
    });
  });
});

function startTestServerWith(logger: Logger | undefined, env: Record<string, string>) {
  return startTestServer({ env, ...(logger ? { logger } : {}) });
}
