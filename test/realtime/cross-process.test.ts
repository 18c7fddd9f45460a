import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { NotificationAddedDocument } from '../generated/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { startTestServer, testServerEnvironment } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

let here: RunningServer;
let there: ServerProcess;
beforeAll(async () => {
  [here, there] = await Promise.all([startTestServer(), startServerProcess(testServerEnvironment())]);
});
afterAll(async () => {
  await Promise.all([here?.stop(), there?.stop()]);
});

describe('two server processes sharing one Redis', () => {
  it('should deliver to a subscriber on one what is created through the other, in both SSE modes', async () => {
    for (const mode of ['distinct', 'single'] as const) {
      const userId = newUserId();
      const subscription = subscribe(here.url, NotificationAddedDocument, {}, { token: await tokenFor(userId), mode });
      await subscription.ready;
      const created = [];
      for (let i = 0; i < 5; i++)
        created.push(await createNotification(there.url, { userId, title: `from afar ${i}` }));
      const received = await subscription.take(5);
      expect(received.map((result) => result.data?.notificationAdded)).toEqual(created);
      await subscription.dispose();
    }
  });
});
