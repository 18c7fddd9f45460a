import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { UnreadCountDocument } from '../generated/graphql.js';
import { execute, expectData, expectError } from '../helpers/graphql.js';
import { rawHttpConnection } from '../helpers/raw-http.js';
import { startTestServer, useTestServer } from '../helpers/server.js';
import { newUserId, TEST_JWT_SECRET, tokenFor } from '../helpers/tokens.js';

const server = useTestServer();
const MANIFEST = fileURLToPath(new URL('../generated/persisted-documents.json', import.meta.url));

interface Body {
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  data?: unknown;
}

async function post(url: string, body: BodyInit, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(newUserId())}`, ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Body };
}

const codes = (body: Body) => (body.errors ?? []).map((error) => error.extensions?.code);

describe('request bodies', () => {
  it('should answer 413 PAYLOAD_TOO_LARGE to a body over 1 MiB, declared or chunked, on both endpoints', async () => {
    const big = JSON.stringify({ query: '{ unreadCount { count } }', variables: { pad: 'x'.repeat(1_100_000) } });
    const declared = await post(server.url, big);
    expect(declared.status).toBe(413);
    expect(codes(declared.body)).toEqual(['PAYLOAD_TOO_LARGE']);

    const bytes = new TextEncoder().encode(big);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 65_536) controller.enqueue(bytes.slice(at, at + 65_536));
        controller.close();
      },
    });
    const streamed = await post(server.url, chunked);
    expect(streamed.status).toBe(413);
    expect(codes(streamed.body)).toEqual(['PAYLOAD_TOO_LARGE']);

    const single = await fetch(`${server.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(newUserId())}` },
      body: big,
    });
    expect(single.status).toBe(413);
  });

  it('should read the rest of an oversized body after its 413, then keep the connection, on every path and media type', async () => {
    // A server that closes while a body still arrives resets the connection, and a client that had not yet read
    // the 413 sees EPIPE or ECONNRESET instead (the fuzzer's fetch did, under load). This client reads the answer
    // first and sends its body only then: nothing may fail, and the connection serves the next request.
    const token = await tokenFor(newUserId());
    const query = JSON.stringify({ query: '{ unreadCount { count } }' });
    for (const path of ['/graphql', '/graphql/stream']) {
      for (const contentType of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
        const connection = await rawHttpConnection(server.url);
        const size = 4 << 20;
        connection.write(
          `POST ${path} HTTP/1.1\r\nhost: test\r\ncontent-type: ${contentType}\r\n` +
            `authorization: Bearer ${token}\r\ncontent-length: ${size}\r\n\r\n`,
        );
        const refused = await connection.nextResponse();
        expect(`${path} ${contentType}: ${refused.status} ${refused.headers.connection ?? ''}`).toBe(
          `${path} ${contentType}: 413 keep-alive`,
        );
        expect(codes(JSON.parse(refused.body) as Body)).toEqual(['PAYLOAD_TOO_LARGE']);
        for (let sent = 0; sent < size; sent += 65_536) await connection.writeAndWait('x'.repeat(65_536));
        connection.write(
          `POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n` +
            `authorization: Bearer ${token}\r\ncontent-length: ${query.length}\r\n\r\n${query}`,
        );
        const next = await connection.nextResponse();
        expect(`${path} ${contentType}, then: ${next.status} ${next.body}`).toBe(
          `${path} ${contentType}, then: 200 {"data":{"unreadCount":{"count":0}}}`,
        );
        expect(connection.failure()).toBeUndefined();
        connection.close();
      }
    }
    // A body declared far past anything worth reading is still answered, and the connection closed.
    const connection = await rawHttpConnection(server.url);
    connection.write(
      `POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: ${64 << 20}\r\n\r\n`,
    );
    const refused = await connection.nextResponse();
    expect(`${refused.status} ${refused.headers.connection}`).toBe('413 close');
    connection.close();
  });

  it('should still take a chunked body under the limit', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ query: '{ unreadCount { count } }' }));
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 10));
        controller.enqueue(bytes.slice(10));
        controller.close();
      },
    });
    const response = await post(server.url, chunked);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ unreadCount: { count: 0 } });
  });

  it('should refuse batches', async () => {
    const query = '{ unreadCount { count } }';
    const response = await post(server.url, JSON.stringify([{ query }, { query }]));
    expect(response.status).toBe(400);
    expect(codes(response.body)).toEqual(['BAD_REQUEST']);
  });

  it('should answer malformed JSON with 400 and nothing of the parser', async () => {
    const response = await post(server.url, '{"query": "{ unreadCount { count } }", oops', {
      accept: 'application/graphql-response+json',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } },
    ]);
  });
});

describe('CSRF prevention', () => {
  it('should refuse requests a browser sends without a preflight, and take them with the CSRF header', async () => {
    const token = await tokenFor(newUserId());
    const query = '{ unreadCount { count } }';
    const form = await post(server.url, JSON.stringify({ query }), { 'content-type': 'text/plain' });
    expect(form.status).toBe(403);
    // The refusal names the header to send.
    expect(form.body.errors?.[0]?.message).toMatch(/send the header "x-graphql-yoga-csrf" \(any value\)/);
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(get.status).toBe(403);
    const withHeader = await fetch(`${server.url}/graphql?query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': '1', accept: 'application/json' },
    });
    expect(withHeader.status).toBe(200);
    expect(((await withHeader.json()) as Body).data).toEqual({ unreadCount: { count: 0 } });
  });
});

async function preflight(url: string, origin: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });
  return response.headers.get('access-control-allow-origin');
}

describe('CORS', () => {
  it('should allow localhost origins by default outside production, and no other', async () => {
    expect(await preflight(server.url, 'http://localhost:3000')).toBe('http://localhost:3000');
    expect(await preflight(server.url, 'http://127.0.0.1:5173')).toBe('http://127.0.0.1:5173');
    expect(await preflight(server.url, 'https://evil.example')).toBeNull();
    const response = await execute(
      server.url,
      UnreadCountDocument,
      {},
      { token: await tokenFor(newUserId()), headers: { origin: 'https://evil.example' } },
    );
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('should allow exactly the configured origins', async () => {
    const configured = await startTestServer({
      env: { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' },
    });
    try {
      expect(await preflight(configured.url, 'https://app.example.com')).toBe('https://app.example.com');
      expect(await preflight(configured.url, 'https://admin.example.com')).toBe('https://admin.example.com');
      expect(await preflight(configured.url, 'http://localhost:3000')).toBeNull();
      expect(await preflight(configured.url, 'https://app.example.com.evil.example')).toBeNull();
    } finally {
      await configured.stop();
    }
  });
});

describe('production mode', () => {
  let production: RunningServer;
  beforeAll(async () => {
    production = await startTestServer({ env: { NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET } });
  });
  afterAll(() => production.stop());

  it('should serve no GraphiQL, answer no introspection, suggest no field names, and allow no origin', async () => {
    const page = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('<html');

    const token = await tokenFor(newUserId());
    const introspection = await execute(production.url, '{ __schema { types { name } } }', {}, { token });
    expect(introspection.status).toBe(400);
    expect(introspection.body.data).toBeUndefined();
    expect(JSON.stringify(introspection.body.errors)).toMatch(/introspection/i);

    const typo = await execute(production.url, '{ unreadCount { countt } }', {}, { token });
    expect(JSON.stringify(typo.body.errors)).not.toMatch(/did you mean/i);
    // __typename is not introspection of the schema.
    expect(expectData(await execute(production.url, '{ __typename }', {}, { token }))).toEqual({ __typename: 'Query' });

    expect(await preflight(production.url, 'http://localhost:3000')).toBeNull();
  });

  it('should turn GraphiQL and introspection on when configured', async () => {
    const open = await startTestServer({
      env: { NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET, GRAPHIQL: 'true', INTROSPECTION: 'true' },
    });
    try {
      const page = await fetch(`${open.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).toContain('<html');
      const token = await tokenFor(newUserId());
      expectData(await execute(open.url, '{ __schema { types { name } } }', {}, { token }));
    } finally {
      await open.stop();
    }
  });
});

describe('trusted documents', () => {
  const hash = (UnreadCountDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;

  const send = async (url: string, body: Record<string, unknown>) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${await tokenFor(newUserId())}`,
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Body };
  };

  it('should run only the manifest of our typed operations with PERSISTED_OPERATIONS=only', async () => {
    const only = await startTestServer({
      env: { PERSISTED_OPERATIONS: 'only', PERSISTED_OPERATIONS_MANIFEST: MANIFEST },
    });
    try {
      expect((await send(only.url, { documentId: hash })).body).toEqual({
        data: { unreadCount: { count: 0, lastNotificationAt: null } },
      });
      const apollo = await send(only.url, {
        extensions: { persistedQuery: { version: 1, sha256Hash: hash.replace('sha256:', '') } },
      });
      expect(apollo.body.data).toEqual({ unreadCount: { count: 0, lastNotificationAt: null } });

      const arbitrary = await send(only.url, { query: '{ unreadCount { count } }' });
      expect(arbitrary.status).toBe(400);
      expectError({ ...arbitrary, body: arbitrary.body as never }, 'PERSISTED_QUERY_ONLY');
      expect(arbitrary.body.errors?.[0]?.message).toMatch(/only runs trusted documents/);

      const unknown = await send(only.url, { documentId: `sha256:${'0'.repeat(64)}` });
      expect(unknown.status).toBe(400);
      expect(codes(unknown.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    } finally {
      await only.stop();
    }
  });

  it('should run both with PERSISTED_OPERATIONS=allow', async () => {
    const allow = await startTestServer({
      env: { PERSISTED_OPERATIONS: 'allow', PERSISTED_OPERATIONS_MANIFEST: MANIFEST },
    });
    try {
      expect((await send(allow.url, { documentId: hash })).body.errors).toBeUndefined();
      expect((await send(allow.url, { query: '{ unreadCount { count } }' })).body.errors).toBeUndefined();
    } finally {
      await allow.stop();
    }
  });
});

describe('subscriptions', () => {
  it('should refuse a conditional root field as a validation error', async () => {
    const query = 'subscription { notificationAdded @include(if: false) { id } }';
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${await tokenFor(newUserId())}`,
      },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Body;
    expect(codes(body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(body.errors?.[0]?.message).toMatch(/cannot be conditional/);
  });

  it('should answer a malformed operation on the single-connection endpoint with 400, not 500', async () => {
    const token = await tokenFor(newUserId());
    const auth = { authorization: `Bearer ${token}` };
    const streamToken = await (await fetch(`${server.url}/graphql/stream`, { method: 'PUT', headers: auth })).text();
    const response = await fetch(`${server.url}/graphql/stream`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-graphql-event-stream-token': streamToken },
      body: JSON.stringify({ query: 'subscription { notificationAdded( { id } }', extensions: { operationId: '1' } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Body;
    expect(body.errors?.[0]?.message).toMatch(/^Syntax Error/);
    expect(JSON.stringify(body)).not.toMatch(/GraphQLError|at /);
  });
});
