// Errors a client sees tell nothing of the schema and always carry a code: ids of other types read as a
// missing notification, and graphql-sse's own answers in single-connection mode have codes and nothing of
// the server's (`extensions.http`).
import { encodeGlobalID } from '@pothos/plugin-relay';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { readEvents } from '../helpers/entry-points.js';
import { execute } from '../helpers/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const server = useTestServer({ env: { NODE_ENV: 'production', STREAMS_PER_USER: '1' } });
const TOKEN_HEADER = 'x-graphql-event-stream-token';
const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('node(id:)', () => {
  it("should answer any id that is not one of the caller's notifications exactly as a missing one", async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    const theirs = await createNotification(server.url, { userId: newUserId() });
    const answer = async (id: string) => {
      const { status, body } = await execute(
        server.url,
        'query ($id: ID!) { node(id: $id) { id } }',
        { id },
        { token },
      );
      return {
        status,
        data: body.data,
        errors: body.errors?.map(({ message, extensions }) => ({ message, extensions })),
      };
    };
    const missing = await answer(encodeGlobalID('Notification', uuidv7()));
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const ids: Record<string, string> = {
      "someone else's": theirs.id,
      ...Object.fromEntries(
        ['User', 'Node', 'Query', 'Mutation', 'Subscription', 'NotificationCounts', '__Schema', 'String', 'Nope'].map(
          (typename) => [typename, base64(`${typename}:x`)],
        ),
      ),
      'another type, a uuid': base64(`NotificationCounts:${uuidv7()}`),
      'a notification id that is no uuid': base64('Notification:x'),
    };
    for (const [what, id] of Object.entries(ids)) expect(await answer(id), what).toEqual(missing);
  });
});

describe('single-connection mode', () => {
  const user = async () => ({ authorization: `Bearer ${await tokenFor(newUserId())}` });
  const url = () => `${server.url}/graphql/stream`;
  const reserve = async (auth: Record<string, string>) => (await fetch(url(), { method: 'PUT', headers: auth })).text();
  const post = (auth: Record<string, string>, streamToken: string, body: unknown) =>
    fetch(url(), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', [TOKEN_HEADER]: streamToken },
      body: JSON.stringify(body),
    });
  const errorsOf = async (response: Response) =>
    ((await response.json()) as { errors: Array<{ message: string; extensions?: Record<string, unknown> }> }).errors;

  it("should give graphql-sse's own answers a code", async () => {
    const auth = await user();
    const streamToken = await reserve(auth);
    const stream = await fetch(url(), {
      headers: { ...auth, accept: 'text/event-stream', [TOKEN_HEADER]: streamToken },
    });
    expect(stream.status).toBe(200);
    const answers = {
      'no such stream': await post(auth, 'not-a-stream', { query: '{ __typename }', extensions: { operationId: '1' } }),
      'no operation id': await post(auth, streamToken, { query: '{ __typename }' }),
      'a second stream': await fetch(url(), {
        headers: { ...auth, accept: 'text/event-stream', [TOKEN_HEADER]: streamToken },
      }),
      'no operation to run': await post(auth, streamToken, {
        query: 'query A { __typename }',
        operationName: 'B',
        extensions: { operationId: '2' },
      }),
      'an invalid operation': await post(auth, streamToken, {
        query: '{ unreadCount { nope } }',
        extensions: { operationId: '3' },
      }),
    };
    const seen: Record<string, unknown> = {};
    for (const [what, response] of Object.entries(answers)) {
      seen[what] = [response.status, ...(await errorsOf(response)).map((error) => error.extensions)];
    }
    expect(seen).toEqual({
      'no such stream': [404, { code: 'NOT_FOUND' }],
      'no operation id': [400, { code: 'BAD_REQUEST' }],
      'a second stream': [409, { code: 'CONFLICT' }],
      'no operation to run': [400, { code: 'OPERATION_RESOLUTION_FAILURE' }],
      'an invalid operation': [400, { code: 'GRAPHQL_VALIDATION_FAILED' }],
    });
    await stream.body?.cancel();
  });

  it('should send results on the stream without extensions.http', async () => {
    const auth = await user();
    const streamToken = await reserve(auth);
    const stream = await fetch(url(), {
      headers: { ...auth, accept: 'text/event-stream', [TOKEN_HEADER]: streamToken },
    });
    const subscription = 'subscription { notificationAdded { id } }';
    expect((await post(auth, streamToken, { query: subscription, extensions: { operationId: 'first' } })).status).toBe(
      202,
    );
    // Past the cap of one stream (the reservation with its first subscription): RATE_LIMITED, on the stream.
    expect((await post(auth, streamToken, { query: subscription, extensions: { operationId: 'second' } })).status).toBe(
      202,
    );
    const payload = await readEvents(stream, ({ event, data }) => {
      const message = JSON.parse(data || '{}') as {
        id?: string;
        payload?: { errors?: Array<{ extensions?: object }> };
      };
      return event === 'next' && message.id === 'second' ? message.payload : undefined;
    });
    expect(payload?.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
  });
});
