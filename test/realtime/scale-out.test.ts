import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationEventsDocument, NotificationsDocument } from '../generated/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { testServerEnvironment, useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';

const watcher = useTestServer();
let producers: ServerProcess[] = [];
beforeAll(async () => {
  producers = await Promise.all([
    startServerProcess(testServerEnvironment()),
    startServerProcess(testServerEnvironment()),
  ]);
});
afterAll(async () => {
  await Promise.all(producers.map((producer) => producer.stop()));
});

describe('three instances on one Redis and one PostgreSQL', () => {
  it('should deliver 1000 notifications created through two instances to a subscriber on a third: all, in order, none twice', async () => {
    const user = await watcher.newUser();
    const stream = subscribe(watcher.url, NotificationEventsDocument, {}, { token: user.token });
    await stream.ready;

    const started = Date.now();
    const total = 1000;
    let next = 0;
    // 20 producers at a time, alternating between the two instances.
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < total) {
          const i = next++;
          await createNotification(producers[i % 2]!.url, { userId: user.userId, title: `n ${i}` });
        }
      }),
    );
    const createdMs = Date.now() - started;
    const events = (await stream.take(total, 30_000)).map((result) => result.data!.notificationEvents);
    const deliveredMs = Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const extra = stream.pending;
    await stream.dispose();

    const positions = events.map((event) => Number(event.position));
    const inOrder = positions.every((position, i) => position === i + 1);
    const ids = new Set(events.map((event) => event.notificationId));
    const stored = (await user.data(NotificationsDocument, { first: 1 })).notifications.totalCount;
    console.log(
      `scale-out: ${events.length}/${total} delivered across 3 instances (created in ${createdMs} ms, all delivered by ${deliveredMs} ms); ` +
        `${total - ids.size} duplicates, ${extra} extra, positions 1..${total} in order: ${inOrder}; ${stored} stored`,
    );
    expect(inOrder).toBe(true);
    expect(ids.size).toBe(total);
    expect(extra).toBe(0);
    expect(stored).toBe(total);
  });
});
