// Outages of Redis and PostgreSQL, on a private redis-server and through a TCP proxy of the test's own:
// the machine's shared services are never touched.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { CreateNotificationDocument, NotificationEventsDocument, NotificationsDocument } from '../generated/graphql.js';
import { execute } from '../helpers/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { type PrivateRedis, startPrivateRedis } from '../helpers/redis-server.js';
import { startTestServer, useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { proxyInFrontOf, type TcpProxy } from '../helpers/tcp-proxy.js';
import { scaled, timeoutForStarts } from '../helpers/timing.js';
import { serviceToken } from '../helpers/tokens.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, checking every 50 ms; fails past `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

// 1000 creations one after another, and outages of fixed length: minutes on a busy machine.
describe('Redis killed for 5 s in the middle of 1000 creations', { timeout: scaled(90_000) }, () => {
  let redis: PrivateRedis;
  let server: RunningServer;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    server = await startTestServer({ env: { REDIS_URL: redis.url } });
  }, timeoutForStarts(1));
  afterAll(async () => {
    await server?.stop();
    await redis?.kill();
  });

  it('should store all 1000 and deliver all 1000 to the subscriber once Redis is back, in order, none twice', async () => {
    const { newUserId, tokenFor } = await import('../helpers/tokens.js');
    const userId = newUserId();
    const stream = subscribe(server.url, NotificationEventsDocument, {}, { token: await tokenFor(userId) });
    await stream.ready;

    const total = 1000;
    let created = 0;
    let failed = 0;
    let restartedAt = 0;
    let firstAfterRestart = '';
    const producing = (async () => {
      for (let i = 0; i < total; i++) {
        const notification = await createNotification(server.url, { userId, title: `n ${i}` }).catch(() => undefined);
        if (!notification) failed++;
        else created++;
        if (restartedAt && !firstAfterRestart && notification) firstAfterRestart = notification.id;
        await sleep(8);
      }
    })();

    while (created < 300) await sleep(10);
    await redis.kill();
    const killedAt = Date.now();
    const createdBeforeKill = created;
    await sleep(5000);
    const createdWhileDown = created - createdBeforeKill;
    await redis.start();
    restartedAt = Date.now();
    await producing;

    const events = (await stream.take(total, scaled(30_000))).map((result) => result.data!.notificationEvents);
    await sleep(300);
    const extra = stream.pending;
    await stream.dispose();
    const ids = events.map((event) => event.notificationId);
    const firstLive = events.findIndex((event) => event.notificationId === firstAfterRestart);
    const stored = (await execute(server.url, NotificationsDocument, { first: 1 }, { token: await tokenFor(userId) }))
      .body.data?.notifications.totalCount;
    console.log(
      `redis outage: down ${restartedAt - killedAt} ms, ${createdWhileDown} created while down, ${failed} creations failed; ` +
        `${stored} stored, ${events.length}/${total} delivered, ${ids.length - new Set(ids).size} duplicates, ${extra} extra; ` +
        `first creation after Redis returned delivered: ${firstLive >= 0}`,
    );
    expect(failed).toBe(0);
    expect(createdWhileDown).toBeGreaterThan(0);
    expect(stored).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect(events.map((event) => Number(event.position))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(extra).toBe(0);
  });

  it('should deliver live again within 5 s of Redis returning, without the client reconnecting', async () => {
    const { newUserId, tokenFor } = await import('../helpers/tokens.js');
    const userId = newUserId();
    const stream = subscribe(server.url, NotificationEventsDocument, {}, { token: await tokenFor(userId) });
    await stream.ready;
    await redis.kill();
    await createNotification(server.url, { userId, title: 'while down' });
    await redis.start();
    const back = Date.now();
    // A new notification every 100 ms until one made after Redis returned arrives live.
    const received: Array<string | undefined> = [];
    while (!received.includes('after') && Date.now() - back < scaled(10_000)) {
      await createNotification(server.url, { userId, title: 'after' });
      const result = await stream.next(100).catch(() => undefined);
      if (result) received.push(result.data?.notificationEvents.notification?.title);
    }
    const liveAfterMs = Date.now() - back;
    console.log(
      `redis back: live delivery resumed ${liveAfterMs} ms after Redis returned; received ${JSON.stringify(received)}`,
    );
    expect(received.slice(0, 2)).toEqual(['while down', 'after']);
    expect(liveAfterMs).toBeLessThan(scaled(5000));
    await stream.dispose();
  });
});

describe('PostgreSQL cut for 10 s', { timeout: scaled(60_000) }, () => {
  const watcher = useTestServer();
  let proxy: TcpProxy;
  let server: RunningServer;
  beforeAll(async () => {
    let url: string;
    ({ proxy, url } = await proxyInFrontOf(inject('databaseUrl')));
    server = await startTestServer({ env: { DATABASE_URL: url } });
  }, timeoutForStarts(1));
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
  });

  it('should answer masked errors, publish nothing it did not store, and recover by itself', async () => {
    const user = await watcher.newUser();
    const stream = subscribe(watcher.url, NotificationEventsDocument, {}, { token: user.token });
    await stream.ready;
    const token = await serviceToken();
    const attempt = (title: string) =>
      execute(
        server.url,
        CreateNotificationDocument,
        { input: { userId: user.userId, title, message: 'm', type: 'INFO' } },
        { token },
      );

    const before = await attempt('before');
    expect(before.body.errors).toBeUndefined();

    await proxy.cut();
    const cutAt = Date.now();
    const duringOutage = [];
    while (Date.now() - cutAt < 10_000) {
      duringOutage.push(await attempt(`during ${duringOutage.length}`));
      await sleep(200);
    }
    await proxy.restore();
    const restoredAt = Date.now();

    let after = await attempt('after');
    while (after.body.errors && Date.now() - restoredAt < scaled(10_000)) {
      await sleep(100);
      after = await attempt('after');
    }
    const recoveryMs = Date.now() - restoredAt;

    const errors = duringOutage.flatMap((response) => response.body.errors ?? []);
    const unmasked = errors.filter(
      (error) => error.message !== 'Unexpected error.' || /prisma|sql|stack|ECONN|\.ts/i.test(JSON.stringify(error)),
    );
    const storedTitles = (await user.data(NotificationsDocument, { first: 100 })).notifications.edges.map(
      (edge) => edge.node.title,
    );
    // 'before' and 'after' are published; anything published but not stored would come before 'after'.
    await until(() => stream.pending >= 2, scaled(5000), 'the events of before and after');
    const published = (await stream.take(stream.pending)).map(
      (result) => result.data!.notificationEvents.notification?.title,
    );
    const publishedNotStored = published.filter((title) => !storedTitles.includes(title!));
    console.log(
      `postgres outage: ${duringOutage.length} attempts during 10 s, ${errors.length} errors (${unmasked.length} unmasked), ` +
        `${published.length} published, ${publishedNotStored.length} published but not stored; recovered ${recoveryMs} ms after restore`,
    );
    expect(errors.length).toBe(duringOutage.length);
    expect(errors.every((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR')).toBe(true);
    expect(unmasked).toEqual([]);
    expect(publishedNotStored).toEqual([]);
    expect(after.body.errors).toBeUndefined();
    expect(published).toEqual(['before', 'after']);
    await stream.dispose();
  });
});
