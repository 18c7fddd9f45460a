import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { NotificationsDocument, UnreadCountDocument } from '../generated/graphql.js';
import { execute, expectError } from '../helpers/graphql.js';
import { captureLog } from '../helpers/log-capture.js';
import { startTestServer } from '../helpers/server.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

// Nothing listens on port 1: every query fails inside Prisma, as when PostgreSQL is unreachable.
const UNREACHABLE_DATABASE = 'postgresql://postgres@127.0.0.1:1/nowhere';

describe('unexpected errors', () => {
  const log = captureLog('error');
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DATABASE_URL: UNREACHABLE_DATABASE }, logger: log.logger });
  });
  afterAll(() => server.stop());

  it('should be masked for the client, with the request id it can quote', async () => {
    const response = await execute(server.url, UnreadCountDocument, {}, { token: await tokenFor(newUserId()) });
    const error = expectError(response, 'INTERNAL_SERVER_ERROR');
    expect(error.message).toBe('Unexpected error.');
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId });
    expect(JSON.stringify(response.body)).not.toMatch(/prisma|ECONNREFUSED|127\.0\.0\.1|stack|\.ts|node_modules/i);
  });

  it('should be logged with the original error and the same request id', async () => {
    const response = await execute(
      server.url,
      NotificationsDocument,
      {},
      { token: await tokenFor(newUserId()), headers: { 'x-request-id': 'trace-me-123' } },
    );
    expect(expectError(response, 'INTERNAL_SERVER_ERROR').extensions?.requestId).toBe('trace-me-123');
    const entry = log.entries.find((line) => line.requestId === 'trace-me-123' && line.msg === 'unexpected error');
    expect(entry, JSON.stringify(log.entries)).toBeDefined();
    expect(JSON.stringify(entry?.err)).toMatch(/stack/);
  });

  it('should stay masked in development mode too', async () => {
    const dev = await startTestServer({ env: { DATABASE_URL: UNREACHABLE_DATABASE, NODE_ENV: 'development' } });
    try {
      const response = await execute(dev.url, UnreadCountDocument, {}, { token: await tokenFor(newUserId()) });
      const error = expectError(response, 'INTERNAL_SERVER_ERROR');
      expect(Object.keys(error.extensions ?? {}).sort()).toEqual(['code', 'requestId']);
    } finally {
      await dev.stop();
    }
  });
});

describe('a Redis that cannot be reached', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(() => server.stop());

  it('should not fail or undo the creation of a notification', async () => {
    const userId = newUserId();
    const { createNotification } = await import('../helpers/notifications.js');
    const created = await createNotification(server.url, { userId, title: 'stored anyway' });
    const list = await execute(server.url, NotificationsDocument, {}, { token: await tokenFor(userId) });
    expect(list.body.data?.notifications.edges.map((edge) => edge.node.id)).toEqual([created.id]);
  });
});
