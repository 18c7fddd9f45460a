import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { NotificationsDocument } from '../generated/graphql.js';
import { execute } from '../helpers/graphql.js';
import { startTestServer } from '../helpers/server.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

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
