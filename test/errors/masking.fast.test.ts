import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationsDocument, UnreadCountDocument } from '../generated/graphql.js';
import { createTestApp, type RunningTestApp } from '../helpers/app.js';
import { execute, expectError } from '../helpers/graphql.js';
import { captureLog } from '../helpers/log-capture.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

// Nothing listens on port 1: every query fails inside Prisma, as when PostgreSQL is unreachable.
const UNREACHABLE_DATABASE = 'postgresql://postgres@127.0.0.1:1/nowhere';

describe('unexpected errors', () => {
  const log = captureLog('error');
  let app: RunningTestApp;
  beforeAll(async () => {
    app = await createTestApp({ env: { DATABASE_URL: UNREACHABLE_DATABASE }, logger: log.logger });
  });
  afterAll(() => app.close());

  it('should be masked for the client, with the request id it can quote', async () => {
    const response = await execute(app, UnreadCountDocument, {}, { token: await tokenFor(newUserId()) });
    const error = expectError(response, 'INTERNAL_SERVER_ERROR');
    expect(error.message).toBe('Unexpected error.');
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId });
    expect(JSON.stringify(response.body)).not.toMatch(/prisma|ECONNREFUSED|127\.0\.0\.1|stack|\.ts|node_modules/i);
  });

  it('should be logged with the original error and the same request id', async () => {
    const response = await execute(
      app,
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
    const dev = await createTestApp({ env: { DATABASE_URL: UNREACHABLE_DATABASE, NODE_ENV: 'development' } });
    try {
      const response = await execute(dev, UnreadCountDocument, {}, { token: await tokenFor(newUserId()) });
      const error = expectError(response, 'INTERNAL_SERVER_ERROR');
      expect(Object.keys(error.extensions ?? {}).sort()).toEqual(['code', 'requestId']);
    } finally {
      await dev.close();
    }
  });
});
