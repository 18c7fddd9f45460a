import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { NotificationsDocument } from '../generated/graphql.js';
import { execute } from '../helpers/graphql.js';
import { startPrivateRedis } from '../helpers/redis-server.js';
import { startTestServer } from '../helpers/server.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

// A server does not start without the Redis it is given (test/config/startup-failures.test.ts): this is the
// Redis it started with going away.
describe('a Redis that went away', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const redis = await startPrivateRedis();
    server = await startTestServer({ env: { REDIS_URL: redis.url } });
    await redis.kill();
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
