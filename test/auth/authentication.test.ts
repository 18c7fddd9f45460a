import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  CreateNotificationDocument,
  NotificationAddedDocument,
  NotificationsDocument,
  UnreadCountDocument,
} from '../generated/graphql.js';
import { execute, expectData, expectError } from '../helpers/graphql.js';
import { useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const server = useTestServer();

const badTokens = async (): Promise<Array<[string, string | null]>> => [
  ['no token', null],
  [
    'a token signed with another secret',
    await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-of-thirty-two-characters!')),
  ],
  ['an expired token', await tokenFor(newUserId(), { ttl: -60 })],
  ['a malformed token', 'not.a.jwt'],
];

async function expectUnauthenticated(response: Response) {
  expect(response.status).toBe(401);
  const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
  expect(body.errors.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
}

describe('authentication', () => {
  it('should answer 401 UNAUTHENTICATED to queries and mutations without a valid token', async () => {
    for (const [, token] of await badTokens()) {
      const query = await execute(server.url, UnreadCountDocument, {}, { token });
      expect(query.status).toBe(401);
      expectError(query, 'UNAUTHENTICATED');
      const mutation = await execute(
        server.url,
        CreateNotificationDocument,
        { input: { userId: 'x', title: 't', message: 'm', type: 'INFO' } },
        { token },
      );
      expect(mutation.status).toBe(401);
      expectError(mutation, 'UNAUTHENTICATED');
    }
  });

  it('should say that a token has expired', async () => {
    const response = await execute(
      server.url,
      UnreadCountDocument,
      {},
      { token: await tokenFor(newUserId(), { ttl: -60 }) },
    );
    expect(expectError(response, 'UNAUTHENTICATED').message).toMatch(/expired/);
  });

  it('should answer 401 to an SSE subscription in distinct-connections mode, before any stream opens', async () => {
    for (const [, token] of await badTokens()) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query: 'subscription { notificationAdded { id } }' }),
      });
      await expectUnauthenticated(response);
    }
  });

  it('should answer 401 to each of the three requests of single-connection mode', async () => {
    const good = await tokenFor(newUserId());
    const reserve = await fetch(`${server.url}/graphql/stream`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${good}` },
    });
    expect(reserve.status).toBe(201);
    const streamToken = await reserve.text();

    for (const [, token] of await badTokens()) {
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      await expectUnauthenticated(await fetch(`${server.url}/graphql/stream`, { method: 'PUT', headers: auth }));
      await expectUnauthenticated(
        await fetch(`${server.url}/graphql/stream`, {
          headers: { ...auth, accept: 'text/event-stream', 'x-graphql-event-stream-token': streamToken },
        }),
      );
      await expectUnauthenticated(
        await fetch(`${server.url}/graphql/stream`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', 'x-graphql-event-stream-token': streamToken },
          body: JSON.stringify({
            query: 'subscription { notificationAdded { id } }',
            extensions: { operationId: '1' },
          }),
        }),
      );
    }
  });

  it('should make the graphql-sse client fail in both modes without a token', async () => {
    for (const mode of ['distinct', 'single'] as const) {
      const subscription = subscribe(server.url, NotificationAddedDocument, {}, { token: null, mode });
      const error = await subscription.ended;
      expect(String(error), mode).toMatch(/401/);
      await subscription.dispose();
    }
  });

  it('should serve the GraphiQL page and CORS preflights without a token', async () => {
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    const preflight = await fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
  });

  it('should let a service token create notifications for anyone, and refuse others with FORBIDDEN', async () => {
    const recipient = newUserId();
    const input = { userId: recipient, title: 'Hello', message: 'World', type: 'INFO' as const };

    const asUser = await execute(
      server.url,
      CreateNotificationDocument,
      { input },
      { token: await tokenFor(recipient) },
    );
    expectError(asUser, 'FORBIDDEN');
    const asService = await execute(
      server.url,
      CreateNotificationDocument,
      { input },
      { token: await tokenFor('billing', { roles: ['service'] }) },
    );
    expect(expectData(asService).createNotification.title).toBe('Hello');

    const list = await execute(server.url, NotificationsDocument, {}, { token: await tokenFor(recipient) });
    expect(expectData(list).notifications.totalCount).toBe(1);
  });
});
