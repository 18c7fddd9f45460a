// Every rule /graphql applies, applied at every way in. One row per rule, one column per entry point
// (test/helpers/entry-points.ts): a new rule is one more row, a new way in one more column.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { signToken } from '../../src/sign-token.js';
import { costlyOperations } from '../helpers/costly-operations.js';
import { ENTRY_POINTS, type EntryPoint, type Operation, type Outcome } from '../helpers/entry-points.js';
import { createNotification } from '../helpers/notifications.js';
import { countResolverCalls } from '../helpers/resolver-calls.js';
import { startTestServer } from '../helpers/server.js';
import { newUserId, TEST_JWT_SECRET, tokenFor } from '../helpers/tokens.js';

const resolvers = countResolverCalls();
const MANIFEST = fileURLToPath(new URL('../generated/persisted-documents.json', import.meta.url));

const SERVERS = {
  /** Production defaults: introspection off, default operation limits. */
  production: { NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET },
  persistedOnly: {
    NODE_ENV: 'production',
    JWT_SECRET: TEST_JWT_SECRET,
    PERSISTED_OPERATIONS: 'only',
    PERSISTED_OPERATIONS_MANIFEST: MANIFEST,
  },
} satisfies Record<string, Record<string, string>>;

/** The CSRF refusal names the header to send. */
const CSRF_REFUSAL =
  'Required CSRF header(s) not present: send the header "x-graphql-yoga-csrf" (any value) with GET requests and with form or plain-text bodies';

/** What a cell must read: `runs`, or `refused: <code> (<reason>)` (the message when the error has no code). */
type Cell = 'runs' | `refused: ${string}`;

interface Rule {
  name: string;
  server: keyof typeof SERVERS;
  /** What the operation's user must hold before it is sent (a notification for a stream to replay). */
  seed?(url: string, operation: Operation): Promise<void>;
  /** The ways in the rule is about, when not all of them. */
  entries?(entry: EntryPoint): boolean;
  /** The operation, sent by a user of its own. */
  operation(token: string): Operation | Promise<Operation>;
  expected(entry: EntryPoint): Cell;
}

const repeat = (count: number, make: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => make(i)).join(' ');
const NOTIFICATION_FIELDS = 'id title message type status metadata relatedSessionId createdAt readAt';

const RULES: Rule[] = [
  {
    // The control: each way in does run an operation, so that a refusal below is the rule's, not a broken entry.
    name: 'an ordinary query runs',
    server: 'production',
    operation: (token) => ({ query: '{ unreadCount { count } }', token }),
    expected: () => 'runs',
  },
  {
    name: 'no introspection in production',
    server: 'production',
    operation: (token) => ({ query: '{ __schema { types { name } } }', token }),
    expected: () => 'refused: GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'no arbitrary query with PERSISTED_OPERATIONS=only',
    server: 'persistedOnly',
    operation: (token) => ({ query: '{ unreadCount { count } }', token }),
    expected: () => 'refused: PERSISTED_QUERY_ONLY',
  },
  {
    name: 'no arbitrary mutation with PERSISTED_OPERATIONS=only',
    server: 'persistedOnly',
    operation: (token) => ({ query: 'mutation { markAllSeen { __typename } }', token }),
    expected: () => 'refused: PERSISTED_QUERY_ONLY',
  },
  {
    name: 'no operation past the alias limit',
    server: 'production',
    operation: (token) => ({ query: `{ ${repeat(16, (i) => `a${i}: unreadCount { count }`)} }`, token }),
    expected: () => 'refused: OPERATION_LIMIT_EXCEEDED',
  },
  {
    name: 'no operation past the cost limit',
    server: 'production',
    operation: (token) => ({
      query: `{ ${repeat(3, (i) => `p${i}: notifications(first: 100) { edges { node { ${NOTIFICATION_FIELDS} } } }`)} }`,
      token,
    }),
    expected: () => 'refused: OPERATION_LIMIT_EXCEEDED',
  },
  // Costs that show only once the variables are known (test/helpers/costly-operations.ts).
  ...costlyOperations.map(
    (refused): Rule => ({
      name: `no operation past the cost limit by its ${refused.name}`,
      server: 'production',
      operation: (token) => ({ query: refused.query, variables: refused.variables, token }),
      expected: () => `refused: ${refused.code}`,
    }),
  ),
  {
    // Refused while parsing, before any validation rule runs.
    name: 'no operation past the character limit',
    server: 'production',
    operation: (token) => ({ query: `{ unreadCount { count } }\n# ${'x'.repeat(15_000)}`, token }),
    expected: () => 'refused: OPERATION_LIMIT_EXCEEDED',
  },
  // Each refused token says why (extensions.reason), and nothing more.
  {
    name: 'nothing without a token',
    server: 'production',
    operation: () => ({ query: '{ unreadCount { count } }', token: null }),
    expected: () => 'refused: UNAUTHENTICATED (MISSING)',
  },
  {
    name: 'nothing with a malformed token',
    server: 'production',
    operation: () => ({ query: '{ unreadCount { count } }', token: 'not.a.jwt' }),
    expected: () => 'refused: UNAUTHENTICATED (MALFORMED)',
  },
  {
    name: 'nothing with an expired token',
    server: 'production',
    operation: async () => ({ query: '{ unreadCount { count } }', token: await tokenFor(newUserId(), { ttl: -60 }) }),
    expected: () => 'refused: UNAUTHENTICATED (EXPIRED)',
  },
  {
    name: 'nothing with a token signed with another key',
    server: 'production',
    operation: async () => ({
      query: '{ unreadCount { count } }',
      token: await signToken('another-secret-of-at-least-thirty-two-characters', { sub: newUserId() }),
    }),
    expected: () => 'refused: UNAUTHENTICATED (BAD_SIGNATURE)',
  },
  {
    // A browser sends a GET with no custom header without asking first (no CORS preflight); a JSON POST never.
    name: 'no operation from a request a browser sends unasked (CSRF)',
    server: 'production',
    operation: (token) => ({ query: '{ unreadCount { count } }', token, headers: { 'x-graphql-yoga-csrf': null } }),
    expected: (entry) => (entry.method === 'GET' ? `refused: ${CSRF_REFUSAL}` : 'runs'),
  },
];

/** The rules about a caller and its request rather than about its document: every operation must keep them. */
const CALLER_RULES = [
  'nothing without a token',
  'nothing with a malformed token',
  'nothing with an expired token',
  'nothing with a token signed with another key',
  'no operation from a request a browser sends unasked (CSRF)',
];

/** The inbox's page and badge: what compiled reads answer once the document ran before. */
const INBOX_PAGE = '{ counts { unread } notifications(first: 5) { totalCount edges { cursor node { title } } } }';

/** The rules about any query, again with the inbox's page instead of unreadCount. */
const ON_THE_INBOX_PAGE: Rule[] = RULES.filter(({ name }) =>
  ['an ordinary query runs', 'no arbitrary query with PERSISTED_OPERATIONS=only', ...CALLER_RULES].includes(name),
).map((rule) => ({
  ...rule,
  name: `${rule.name}, for the inbox's page`,
  operation: async (token) => ({ ...(await rule.operation(token)), query: INBOX_PAGE }),
}));

/** A subscription that replays its user's first notification, so that a stream that opens shows a result. */
const REPLAYING_STREAM = 'subscription Replay { notificationAdded(after: "0") { title } }';

/** The user a token was signed for; undefined for what is no token of ours. */
function subjectOf(token: string): string | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sub;
  } catch {
    return undefined;
  }
}

/** The rules about any operation, again with a subscription, which compiled streams serve once it ran before. */
const ON_A_STREAM: Rule[] = [
  ...RULES.filter(({ name }) =>
    ['an ordinary query runs', 'no arbitrary query with PERSISTED_OPERATIONS=only', ...CALLER_RULES].includes(name),
  ).map(
    (rule): Rule => ({
      ...rule,
      name: `${rule.name}, for a stream`,
      operation: async (token) => ({ ...(await rule.operation(token)), query: REPLAYING_STREAM }),
      async seed(url, operation) {
        // A server that runs only trusted documents refuses the stream anyway (and the create).
        const subject = rule.server === 'production' && operation.token ? subjectOf(operation.token) : undefined;
        if (subject) await createNotification(url, { userId: subject, title: 'Replayed' });
      },
      // Plain HTTP carries no subscription (Yoga answers 406: no event stream accepted).
      entries: (entry) => entry.name.includes('SSE'),
    }),
  ),
];

/** A service's create: what compiled creates (src/compiled-creates/) run once the document ran before. */
const CREATE = {
  query: 'mutation Create($input: CreateNotificationInput!) { createNotification(input: $input) { id title } }',
  variables: { input: { userId: 'entry-points-recipient', title: 'Hi', message: 'From a service', type: 'INFO' } },
};

/** A token of a service of its own: the request budget is the caller's. */
const ownServiceToken = () => tokenFor(`service-${newUserId()}`, { roles: ['service'] });

/** Only a POST carries a mutation (GraphQL over HTTP): every other way in refuses it, whatever the rule. */
const onlyByPost = (entry: EntryPoint, cell: Cell): Cell => (entry.method === 'POST' ? cell : GET_MUTATION_REFUSAL);
const GET_MUTATION_REFUSAL: Cell = 'refused: BAD_REQUEST';

/** The rules about any operation, again with a service's createNotification. */
const ON_A_CREATE: Rule[] = [
  {
    name: "a service's createNotification runs",
    server: 'production',
    operation: async () => ({ ...CREATE, token: await ownServiceToken() }),
    expected: (entry) => onlyByPost(entry, 'runs'),
  },
  {
    name: "no createNotification with a user's token",
    server: 'production',
    operation: (token) => ({ ...CREATE, token }),
    // The field's auth scope is checked inside its resolver (Pothos scope-auth wraps it), which the counter wraps.
    expected: (entry) => onlyByPost(entry, 'refused: FORBIDDEN after 1 resolver calls'),
  },
  ...RULES.filter(({ name }) =>
    ['no arbitrary mutation with PERSISTED_OPERATIONS=only', ...CALLER_RULES].includes(name),
  ).map((rule) => ({
    ...rule,
    name: `${rule.name}, for a service's createNotification`,
    operation: async () => ({ ...(await rule.operation(await ownServiceToken())), ...CREATE }),
  })),
];

/** A cell: what the client saw, and whether a refused operation still reached a resolver. */
function cellOf(outcome: Outcome, resolverCalls: number): string {
  if (outcome.status >= 500) return `HTTP ${outcome.status}: ${JSON.stringify(outcome.errors)}`;
  if (outcome.errors.length === 0 && outcome.data) return 'runs';
  const [error] = outcome.errors;
  const why = error?.extensions?.reason ? ` (${error.extensions.reason})` : '';
  const reason = `${error?.extensions?.code ?? error?.message ?? `HTTP ${outcome.status}, no error`}${why}`;
  const leaks = [
    outcome.data ? ' with data' : '',
    resolverCalls > 0 ? ` after ${resolverCalls} resolver calls` : '',
    outcome.errors.some((e) => e.extensions?.http) ? ' showing extensions.http' : '',
  ].join('');
  return `refused: ${reason}${leaks}`;
}

describe('every way in', () => {
  const servers = new Map<keyof typeof SERVERS, RunningServer>();
  beforeAll(async () => {
    for (const [name, env] of Object.entries(SERVERS)) {
      servers.set(name as keyof typeof SERVERS, await startTestServer({ env }));
    }
  });
  afterAll(() => Promise.all([...servers.values()].map((server) => server.stop())));

  it.each([...RULES, ...ON_THE_INBOX_PAGE, ...ON_A_STREAM, ...ON_A_CREATE].map((rule) => [rule.name, rule] as const))(
    'should apply "%s" at every entry point',
    async (_, rule) => {
      const { url } = servers.get(rule.server)!;
      const actual: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const entry of ENTRY_POINTS.filter((each) => rule.entries?.(each) ?? true)) {
        const operation = await rule.operation(await tokenFor(newUserId()));
        await rule.seed?.(url, operation);
        await entry.prepare?.(url, operation);
        const before = resolvers.calls;
        const outcome = await entry.send(url, operation);
        actual[entry.name] = cellOf(outcome, resolvers.calls - before);
        expected[entry.name] = rule.expected(entry);
      }
      expect(actual).toEqual(expected);
    },
  );
});
