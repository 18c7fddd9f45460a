// Compiled execution (src/http/compiled-execution.ts) must be invisible to clients: every document here is
// sent, by the same caller over the same rows, to an app that compiles it from its first run and to one that
// never compiles, and both answers must be the same, errors (message, locations, path, code) included.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type RunningTestApp } from '../helpers/app.js';
import { execute } from '../helpers/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

const missing = encodeGlobalID('Notification', uuidv7());

/** [what, document, variables, as a service]: each answered with an error or with data, partly or whole. */
const CASES: [string, string, Record<string, unknown>?, boolean?][] = [
  [
    'a page with a fragment, aliases and __typename',
    `query Page { notifications(first: 3) { totalCount edges { cursor node { ...F kind: type __typename } }
      pageInfo { hasNextPage endCursor } } }
     fragment F on Notification { id title message status metadata createdAt readAt }`,
  ],
  ['the counts', 'query { counts { unread unseen } unreadCount { count lastNotificationAt } }'],
  ['a missing node', 'query ($id: ID!) { node(id: $id) { id ... on Notification { title } } }', { id: missing }],
  ['a node id that does not decode', 'query { node(id: "not-an-id") { id } }'],
  [
    'a failing root field beside one that answers',
    `query ($id: ID!) {
      counts { unread }
      node(id: $id) { id }
    }`,
    { id: missing },
  ],
  [
    'a variable of the wrong type',
    'query ($first: Int) { notifications(first: $first) { totalCount } }',
    { first: 'x' },
  ],
  ['a required variable left out', 'query ($id: ID!) { node(id: $id) { id } }', {}],
  ['an argument out of range', 'query { notifications(first: -1) { totalCount } }'],
  ['a mutation of a missing notification', 'mutation ($id: ID!) { markRead(id: $id) { id readAt } }', { id: missing }],
  [
    'a mutation a user may not call',
    'mutation ($input: CreateNotificationInput!) { createNotification(input: $input) { id } }',
    { input: { userId: 'someone-else', title: 't', message: 'm', type: 'INFO' } },
  ],
  [
    'a mutation refusing its input',
    'mutation ($input: CreateNotificationInput!) { createNotification(input: $input) { id } }',
    { input: { userId: 'someone', title: '', message: 'm', type: 'INFO', category: 'NOT OK' } },
    true,
  ],
];

/** The response as a client reads it, less the request id (which differs by construction). */
const comparable = (response: { status: number; body: unknown }) =>
  JSON.parse(JSON.stringify(response, (key, value) => (key === 'requestId' || key === 'headers' ? undefined : value)));

describe('compiled execution', () => {
  let compiled: RunningTestApp;
  let interpreted: RunningTestApp;
  const userId = newUserId();
  beforeAll(async () => {
    compiled = await createTestApp({ env: { GRAPHQL_COMPILE_AFTER: '1' } });
    interpreted = await createTestApp({ env: { GRAPHQL_COMPILE_AFTER: '0' } });
    for (const title of ['one', 'two', 'three', 'four']) await createNotification(interpreted, { userId, title });
  });
  afterAll(async () => {
    await compiled?.close();
    await interpreted?.close();
  });

  for (const [what, document, variables, asService] of CASES) {
    it(`should answer ${what} exactly as graphql-js does`, async () => {
      const token = asService ? await serviceToken() : await tokenFor(userId);
      // Twice: the first run compiles, the second runs what was compiled.
      for (let run = 0; run < 2; run++) {
        const fromCompiled = await execute(compiled, document, variables, { token });
        const fromInterpreted = await execute(interpreted, document, variables, { token });
        expect(comparable(fromCompiled)).toEqual(comparable(fromInterpreted));
      }
    });
  }
});
