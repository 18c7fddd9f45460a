import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { ChangeLog } from '../../src/notifications/changelog.js';
import { LiveStreams } from '../../src/notifications/live-streams.js';
import { createPubSub } from '../../src/pubsub.js';
import { NotificationAddedDocument, NotificationEventsDocument } from '../generated/graphql.js';
import { createMany, createNotification } from '../helpers/notifications.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { channelSubscribers, eventually, redisClient } from '../helpers/redis.js';
import { testServerEnvironment, useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const shared = useTestServer();
let redis: Redis;
beforeAll(() => {
  redis = redisClient();
});
afterAll(() => redis.disconnect());

describe('a stream whose token expires', () => {
  it('should end at expiry with AUTH_EXPIRED, and resume with a fresh token from its position, nothing lost', async () => {
    const userId = newUserId();
    await createMany(shared.url, userId, 2, 'before expiry');
    // Replayed at once from the log, so they arrive well before the token runs out.
    const shortLived = await tokenFor(userId, { ttl: 4 });
    const stream = subscribe(shared.url, NotificationEventsDocument, { after: '0' }, { token: shortLived });
    const delivered = (await stream.take(2)).map((result) => result.data!.notificationEvents);

    const [ending] = await stream.take(1, 6000);
    expect(ending!.errors?.map((error) => error.extensions?.code)).toEqual(['AUTH_EXPIRED']);
    expect(await stream.ended).toBeUndefined();
    await stream.dispose();

    await createMany(shared.url, userId, 3, 'while reconnecting');
    const resumed = subscribe(
      shared.url,
      NotificationEventsDocument,
      { after: delivered.at(-1)!.position },
      { token: await tokenFor(userId) },
    );
    const replayed = (await resumed.take(3)).map((result) => result.data!.notificationEvents.notification?.title);
    expect(replayed).toEqual(['while reconnecting 0', 'while reconnecting 1', 'while reconnecting 2']);
    await resumed.dispose();
  });
});

describe('streams that clients close', () => {
  it('should release every subscription and Redis channel after 1000 subscribe/abort cycles', async () => {
    const userIds = Array.from({ length: 50 }, newUserId);
    const tokens = await Promise.all(userIds.map((userId) => tokenFor(userId)));
    const started = Date.now();
    let cycles = 0;
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        tokens.map(async (token, i) => {
          const mode = (round + i) % 2 === 0 ? 'distinct' : 'single';
          const stream = subscribe(shared.url, NotificationAddedDocument, {}, { token, mode });
          // Half are aborted as soon as they are open, half before the server even answered.
          if (i % 2 === 0) await stream.ready;
          await stream.dispose();
          cycles++;
        }),
      );
    }
    await eventually(async () => shared.server.app.services.liveStreams.size, 0, 10_000);
    const channels = await Promise.all(userIds.map((userId) => channelSubscribers(redis, userId)));
    const open = channels.reduce((sum, count) => sum + count, 0);
    console.log(
      `subscribe/abort: ${cycles} cycles in ${Date.now() - started} ms; open streams ${shared.server.app.services.liveStreams.size}, Redis subscribers ${open}`,
    );
    expect(open).toBe(0);
  });
});

describe('a consumer that does not keep up', () => {
  it('should be ended with SLOW_CONSUMER as soon as its queue is full, dropping what waited', async () => {
    const logger = createLogger('silent');
    const bus = await createPubSub({ keyPrefix: 'slow:', logger });
    const streams = new LiveStreams(bus, new ChangeLog(shared.server.app.services.db), {
      queueCapacity: 5,
      replayBatch: 100,
    });
    const userId = newUserId();
    const stream = await streams.open(userId, { endsAt: Date.now() + 60_000 });
    // Positions 1..20 arrive while nobody reads.
    for (let position = 1; position <= 20; position++) {
      await bus.publish(
        'user',
        userId,
        JSON.stringify({
          position,
          kind: 'READ',
          notificationId: null,
          notification: null,
          count: 1,
          unreadCount: 0,
          createdAt: new Date(),
        }),
      );
    }
    // Let go of (Redis channel, queue, count) as it overflowed, not when it is next read.
    expect(streams.size).toBe(0);
    const items = [];
    for (;;) {
      const next = await stream.next();
      if (next.done) break;
      items.push(next.value);
    }
    const last = items.at(-1);
    console.log(
      `slow consumer: ${items.length - 1} events delivered from a queue of 5, then ${last?.type === 'end' ? last.error.extensions.code : 'no end'}`,
    );
    // What waited for it is dropped at once: it resumes from its last position.
    expect(items).toMatchObject([{ type: 'end', error: { extensions: { code: 'SLOW_CONSUMER' } } }]);
    expect(streams.size).toBe(0);
    await bus.close();
  });
});

describe('graceful shutdown', () => {
  let first: ServerProcess | undefined;
  afterAll(() => first?.stop('SIGKILL'));

  it('should end 200 open streams cleanly on SIGTERM and exit within 15 s; clients resume on another instance', async () => {
    first = await startServerProcess(testServerEnvironment());
    const userIds = Array.from({ length: 200 }, newUserId);
    const streams = await Promise.all(
      userIds.map(async (userId, i) => ({
        userId,
        stream: subscribe(
          first!.url,
          NotificationEventsDocument,
          {},
          { token: await tokenFor(userId), mode: i % 2 ? 'single' : 'distinct' },
        ),
      })),
    );
    await Promise.all(streams.map(({ stream }) => stream.ready));
    await Promise.all(userIds.map((userId) => createNotification(first!.url, { userId, title: 'before' })));
    const positions = await Promise.all(
      streams.map(async ({ stream }) => (await stream.take(1))[0]!.data!.notificationEvents.position),
    );

    const signalled = Date.now();
    const exited = first.stop('SIGTERM');
    const endings = await Promise.all(
      streams.map(({ stream }) =>
        stream.take(1, 10_000).catch((error: unknown) => [{ errors: [{ message: String(error) }] }]),
      ),
    );
    const code = await exited;
    const exitMs = Date.now() - signalled;
    const cleanEnds = endings.filter(
      ([result]) =>
        (result?.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code === 'SHUTTING_DOWN',
    ).length;
    const failures = endings
      .map(([result]) => result?.errors?.[0]?.message)
      .filter((message) => !/stopping/.test(message ?? ''));
    await Promise.all(streams.map(({ stream }) => stream.dispose()));

    // While no instance runs, producers keep going through another one; clients resume there.
    await Promise.all(userIds.map((userId) => createNotification(shared.url, { userId, title: 'after' })));
    const resumed = await Promise.all(
      streams.map(async ({ userId }, i) => {
        const stream = subscribe(
          shared.url,
          NotificationEventsDocument,
          { after: positions[i] },
          { token: await tokenFor(userId) },
        );
        const [result] = await stream.take(1);
        await stream.dispose();
        return result!.data!.notificationEvents.notification?.title;
      }),
    );
    const recovered = resumed.filter((title) => title === 'after').length;
    console.log(
      `SIGTERM with 200 streams: exit code ${code} after ${exitMs} ms; ${cleanEnds}/200 ended with SHUTTING_DOWN; ${recovered}/200 resumed on another instance with nothing lost`,
    );
    // What the server said while it stopped: the step that took the time, if it did not stop cleanly.
    const stopLog = first.output().slice(first.output().lastIndexOf('"stopping"') - 200);
    expect(code, stopLog).toBe(0);
    expect(exitMs, stopLog).toBeLessThan(15_000);
    expect(failures).toEqual([]);
    expect(cleanEnds).toBe(200);
    expect(recovered).toBe(200);
  });
});
