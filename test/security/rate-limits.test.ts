import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { NotificationsDocument, UnreadCountDocument } from '../generated/graphql.js';
import { execute, expectError, type GraphQLResponse } from '../helpers/graphql.js';
import { startPrivateRedis } from '../helpers/redis-server.js';
import { startTestServer } from '../helpers/server.js';
import { scaled } from '../helpers/timing.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

function expectRateLimited(response: GraphQLResponse<unknown>): number {
  expect(response.status).toBe(429);
  const error = expectError(response, 'RATE_LIMITED');
  const retryAfter = error.extensions?.retryAfter as number;
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(response.headers.get('retry-after')).toBe(String(retryAfter));
  return retryAfter;
}

describe('request rate limits across two instances sharing Redis', () => {
  let instances: RunningServer[] = [];
  beforeAll(async () => {
    const env = {
      RATE_LIMIT_USER_REQUESTS: '10',
      RATE_LIMIT_OPERATION_REQUESTS: '4',
      RATE_LIMIT_SERVICE_REQUESTS: '15',
    };
    instances = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
  });
  afterAll(() => Promise.all(instances.map((instance) => instance.stop())));

  it("should hold a user's request budget across instances, then answer RATE_LIMITED with a retry hint", async () => {
    const token = await tokenFor(newUserId());
    const queries = [
      '{ unreadCount { count } }',
      '{ notifications { totalCount } }',
      '{ notificationChanges { position } }',
    ];
    let allowed = 0;
    for (let i = 0; i < 10; i++) {
      const response = await execute(instances[i % 2]!.url, queries[i % 3]!, {}, { token });
      if (response.status === 200 && !response.body.errors) allowed++;
    }
    const limited = await Promise.all(
      instances.map((instance) => execute(instance.url, UnreadCountDocument, {}, { token })),
    );
    const retryAfter = limited.map(expectRateLimited);
    console.log(
      `rate limit: ${allowed}/10 requests allowed across 2 instances, then RATE_LIMITED on both (HTTP 429, retry after ${retryAfter[0]} s)`,
    );
    expect(allowed).toBe(10);
    // Someone else is not held back.
    expect(
      (await execute(instances[0]!.url, UnreadCountDocument, {}, { token: await tokenFor(newUserId()) })).status,
    ).toBe(200);
  });

  it('should hold a budget per operation, leaving the other operations of the same user alone', async () => {
    const token = await tokenFor(newUserId());
    for (let i = 0; i < 4; i++) {
      const response = await execute(instances[i % 2]!.url, UnreadCountDocument, {}, { token });
      expect(response.body.errors).toBeUndefined();
    }
    const limited = await execute(instances[0]!.url, UnreadCountDocument, {}, { token });
    expectRateLimited(limited);
    expect(limited.body.data).toBeNull();
    // Two root fields in one operation: the exhausted one refuses the whole operation, before it runs.
    expectRateLimited(
      await execute(instances[1]!.url, '{ unreadCount { count } notifications { totalCount } }', {}, { token }),
    );
    const other = await execute(instances[1]!.url, NotificationsDocument, {}, { token });
    expect(other.body.errors).toBeUndefined();
  });

  it('should give backend services a budget of their own', async () => {
    // A service of its own: other files' tests use the shared test service, under the same key prefix.
    const service = await tokenFor(`service-${newUserId()}`, { roles: ['service'] });
    let allowed = 0;
    for (let i = 0; i < 15; i++) {
      if ((await execute(instances[i % 2]!.url, UnreadCountDocument, {}, { token: service })).status === 200) allowed++;
    }
    expect(allowed).toBe(15);
    expectRateLimited(await execute(instances[0]!.url, UnreadCountDocument, {}, { token: service }));
  });
});

describe('request rate limits without Redis', () => {
  it('should count in memory when REDIS_URL is unset, and start afresh after the window', async () => {
    const server = await startTestServer({
      redis: false,
      env: { RATE_LIMIT_USER_REQUESTS: '3', RATE_LIMIT_WINDOW_SECONDS: '1' },
    });
    try {
      const token = await tokenFor(newUserId());
      for (let i = 0; i < 3; i++)
        expect((await execute(server.url, UnreadCountDocument, {}, { token })).status).toBe(200);
      const retryAfter = expectRateLimited(await execute(server.url, UnreadCountDocument, {}, { token }));
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
      expect((await execute(server.url, UnreadCountDocument, {}, { token })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  // A server does not start without the Redis it is given (test/config/startup-failures.test.ts); this is Redis
  // going away once it runs.
  it('should neither fail nor hang when Redis goes away, limiting in memory meanwhile', async () => {
    const redis = await startPrivateRedis();
    const server = await startTestServer({ env: { REDIS_URL: redis.url, RATE_LIMIT_USER_REQUESTS: '3' } });
    await redis.kill();
    try {
      const token = await tokenFor(newUserId());
      const started = Date.now();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await execute(server.url, UnreadCountDocument, {}, { token })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Not hanging on the absent Redis: well under ioredis's retries, sized to this machine.
      expect(Date.now() - started).toBeLessThan(scaled(5000));
    } finally {
      await server.stop();
    }
  });
});
