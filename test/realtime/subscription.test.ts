import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { NotificationAddedDocument } from '../generated/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { channelSubscribers, eventually, redisClient } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import { type SseMode, subscribe } from '../helpers/subscribe.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

let server: RunningServer;
let memoryServer: RunningServer;
let redis: Redis;
beforeAll(async () => {
  [server, memoryServer] = await Promise.all([startTestServer(), startTestServer({ redis: false })]);
  redis = redisClient();
});
afterAll(async () => {
  redis.disconnect();
  await Promise.all([server.stop(), memoryServer.stop()]);
});

const modes: SseMode[] = ['distinct', 'single'];

describe.each(modes)('notificationAdded over SSE (%s connections)', (mode) => {
  it("should deliver every notification created for the caller within a second, and nothing of anyone else's", async () => {
    const [alice, bob] = [newUserId(), newUserId()];
    const subscription = subscribe(server.url, NotificationAddedDocument, {}, { token: await tokenFor(alice), mode });
    await subscription.ready;

    await createNotification(server.url, { userId: bob, title: 'for bob' });
    const created = await createNotification(server.url, { userId: alice, title: 'for alice', metadata: { k: 1 } });
    // From the moment the creation was answered (committed and published) to the frame.
    const answered = Date.now();
    const [result] = await subscription.take(1, 5000);
    const latency = Date.now() - answered;
    console.log(`live delivery (${mode}): ${latency} ms from the creation's answer to the frame`);
    expect(latency).toBeLessThan(1000);
    expect(result?.errors).toBeUndefined();
    expect(result?.data?.notificationAdded).toEqual(created);

    // Bob's arrived first yet never reached Alice.
    await createNotification(server.url, { userId: alice, title: 'second' });
    expect((await subscription.next()).data?.notificationAdded.title).toBe('second');
    expect(subscription.pending).toBe(0);
    await subscription.dispose();
  });

  it('should release the Redis subscription when the client closes the stream', async () => {
    const userId = newUserId();
    const subscription = subscribe(server.url, NotificationAddedDocument, {}, { token: await tokenFor(userId), mode });
    await subscription.ready;
    expect(await channelSubscribers(redis, userId)).toBe(1);
    await subscription.dispose();
    await eventually(() => channelSubscribers(redis, userId), 0);
    await eventually(async () => server.app.services.liveStreams.size, 0);
  });
});

describe('notificationAdded', () => {
  it('should share one Redis subscription between the tabs of one user, and keep it until the last closes', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    const tabs = [
      subscribe(server.url, NotificationAddedDocument, {}, { token }),
      subscribe(server.url, NotificationAddedDocument, {}, { token, mode: 'single' }),
    ];
    await Promise.all(tabs.map((tab) => tab.ready));
    expect(await channelSubscribers(redis, userId)).toBe(1);

    const created = await createNotification(server.url, { userId });
    for (const tab of tabs) expect((await tab.next()).data?.notificationAdded.id).toBe(created.id);

    await tabs[0]!.dispose();
    await createNotification(server.url, { userId, title: 'still live' });
    expect((await tabs[1]!.next()).data?.notificationAdded.title).toBe('still live');
    await tabs[1]!.dispose();
    await eventually(() => channelSubscribers(redis, userId), 0);
  });

  it('should work the same with the in-memory bus when REDIS_URL is unset', async () => {
    const userId = newUserId();
    for (const mode of modes) {
      const subscription = subscribe(
        memoryServer.url,
        NotificationAddedDocument,
        {},
        { token: await tokenFor(userId), mode },
      );
      await subscription.ready;
      const created = await createNotification(memoryServer.url, { userId });
      expect((await subscription.next()).data?.notificationAdded).toEqual(created);
      await subscription.dispose();
    }
    await eventually(async () => memoryServer.app.services.liveStreams.size, 0);
  });

  it('should not push anything for an idempotent retry that created nothing', async () => {
    const userId = newUserId();
    const subscription = subscribe(server.url, NotificationAddedDocument, {}, { token: await tokenFor(userId) });
    await subscription.ready;
    await createNotification(server.url, { userId, idempotencyKey: 'once' });
    await createNotification(server.url, { userId, idempotencyKey: 'once' });
    await createNotification(server.url, { userId, title: 'marker' });
    const [first, second] = await subscription.take(2);
    expect(first?.data?.notificationAdded.title).not.toBe('marker');
    expect(second?.data?.notificationAdded.title).toBe('marker');
    await subscription.dispose();
  });
});
