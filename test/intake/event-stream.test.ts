// The durable intake: producers that are not GraphQL clients XADD events to a Redis Stream, and every server
// instance consumes them in one group, at least once, acknowledging only after the notifications are
// committed. Real Redis, real PostgreSQL, real servers; each test has streams of its own.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { publishInputOf } from '../../src/intake/message.js';
import type { RunningServer } from '../../src/server.js';
import { NotificationAddedDocument, NotificationsDocument } from '../generated/graphql.js';
import {
  allConcluded,
  INTAKE_GROUP,
  newTestStream,
  pendingCount,
  pendingEntries,
  readStream,
  sendEvent,
  waitFor,
} from '../helpers/event-stream.js';
import { type UserClient, userClient } from '../helpers/graphql.js';
import { captureLog } from '../helpers/log-capture.js';
import { redisClient } from '../helpers/redis.js';
import { startPrivateRedis } from '../helpers/redis-server.js';
import { startTestServer, type TestServerOptions } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { proxyInFrontOf } from '../helpers/tcp-proxy.js';
import { scaled } from '../helpers/timing.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const redis = redisClient();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: TestServerOptions): Promise<RunningServer> {
  const server = await startTestServer(options);
  cleanups.push(() => server.stop());
  return server;
}

async function newUser(url: string): Promise<UserClient> {
  const userId = newUserId();
  return userClient(url, userId, await tokenFor(userId));
}

const totalOf = async (user: UserClient) =>
  (await user.data(NotificationsDocument, { first: 1 })).notifications.totalCount;

const completed = (sessionId: string, recipients: string[]) => ({
  type: 'transcription.completed',
  data: { sessionId, sessionTitle: 'Weekly sync', durationSeconds: 1830, segmentsCount: 42 },
  recipients,
});

describe('the event stream intake', () => {
  it('should turn one XADD from a plain Redis client into a notification the recipient receives live', async () => {
    const stream = newTestStream();
    const server = await start({ env: stream.env() });
    const user = await newUser(server.url);
    const live = subscribe(server.url, NotificationAddedDocument, {}, { token: user.token });
    await live.ready;

    const sentAt = Date.now();
    const entryId = await sendEvent(redis, stream.key, completed('session-1', [user.userId]));
    const received = (await live.next(10_000)).data!.notificationAdded;
    const latency = Date.now() - sentAt;

    expect(received).toMatchObject({
      title: 'Transcription ready',
      message: "Your transcription 'Weekly sync' is ready to view (31 min, 42 segments).",
      type: 'SUCCESS',
      relatedSessionId: 'session-1',
      metadata: { sessionId: 'session-1', actionUrl: '/sessions/session-1', durationSeconds: 1830, segmentsCount: 42 },
    });
    expect(await totalOf(user)).toBe(1);
    await waitFor(async () => (await pendingCount(redis, stream.key)) === 0, 'the entry to be acknowledged');
    console.log(
      `intake: XADD ${entryId} → notification received live over SSE ${latency} ms later; entry acknowledged`,
    );
  });

  it('should take one recipient as "recipient", and the producer\'s idempotency key and expiry', async () => {
    const stream = newTestStream();
    const server = await start({ env: stream.env() });
    const user = await newUser(server.url);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const event = {
      type: 'system.warning',
      data: { message: 'Disk almost full' },
      recipient: user.userId,
      idempotencyKey: 'disk-warning-1',
      expiresAt,
    };
    await sendEvent(redis, stream.key, event);
    const last = await sendEvent(redis, stream.key, event);
    await waitFor(() => allConcluded(redis, stream.key, last), 'both entries concluded');
    const { notifications } = await user.data(NotificationsDocument, {});
    expect(notifications.totalCount).toBe(1);
    expect(notifications.edges[0]!.node).toMatchObject({
      title: 'System warning',
      message: 'Disk almost full',
      expiresAt,
    });
  });

  it('should move poison events to the dead-letter stream with the reason, and carry on with the next one', async () => {
    const stream = newTestStream();
    const server = await start({ env: stream.env() });
    const user = await newUser(server.url);

    const badJson = await sendEvent(redis, stream.key, '{"type": "transcription.completed", "recip');
    const unknownType = await sendEvent(redis, stream.key, {
      type: 'transcription.exploded',
      recipients: [user.userId],
    });
    const missingData = await sendEvent(redis, stream.key, {
      type: 'transcription.completed',
      data: { sessionId: 'session-2', sessionTitle: 'Weekly sync', durationSeconds: 60 },
      recipients: [user.userId],
    });
    const noRecipients = await sendEvent(redis, stream.key, { type: 'system.warning', data: { message: 'hi' } });
    const noEventField = (await redis.xadd(stream.key, '*', 'payload', '{}')) as string;
    const good = await sendEvent(redis, stream.key, completed('session-3', [user.userId]));

    await waitFor(() => allConcluded(redis, stream.key, good), 'every entry concluded');
    expect(await totalOf(user)).toBe(1);
    const dead = await waitFor(async () => {
      const entries = await readStream(redis, stream.dead);
      return entries.length === 5 ? entries : undefined;
    }, 'five dead letters');

    const byEntry = new Map(dead.map((entry) => [entry.fields.entryId, entry.fields]));
    expect(byEntry.get(badJson)).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'event',
      event: '{"type": "transcription.completed", "recip',
      attempts: '1',
    });
    expect(byEntry.get(badJson)!.reason).toMatch(/^event: is not valid JSON/);
    expect(byEntry.get(unknownType)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'type', attempts: '1' });
    expect(byEntry.get(unknownType)!.reason).toContain('transcription.exploded');
    expect(byEntry.get(missingData)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'data.segmentsCount' });
    expect(JSON.parse(byEntry.get(missingData)!.event!)).toMatchObject({ type: 'transcription.completed' });
    expect(byEntry.get(noRecipients)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipients' });
    expect(byEntry.get(noEventField)).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'event',
      fields: '{"payload":"{}"}',
    });
    for (const entry of dead) expect(entry.fields.failedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('notifications_intake_events_total{result="dead_lettered"} 5');
    expect(metrics).toContain('notifications_intake_events_total{result="published"} 1');
    console.log(
      `intake: ${dead.length} poison events dead-lettered, the next event delivered; reasons: ${dead
        .map((entry) => `${entry.fields.code}${entry.fields.field ? `(${entry.fields.field})` : ''}`)
        .join(', ')}`,
    );
  });

  it('should redeliver an event whose consumer died between commit and ack, without a second notification', async () => {
    const stream = newTestStream();
    const user = newUserId();
    // A consumer of the group reads the entry and commits its notification (the same conversion and the same
    // EventPublishing.publish the intake runs), then dies before XACK.
    await redis.xgroup('CREATE', stream.key, INTAKE_GROUP, '0', 'MKSTREAM');
    const entryId = await sendEvent(redis, stream.key, {
      type: 'system.warning',
      data: { message: 'Storage is 95% full' },
      recipients: [user],
    });
    const [[, [[readId, flat]]]] = (await redis.xreadgroup(
      'GROUP',
      INTAKE_GROUP,
      'crashed-consumer',
      'COUNT',
      1,
      'STREAMS',
      stream.key,
      '>',
    )) as Array<[string, Array<[string, string[]]>]> as [[string, [[string, string[]]]]];
    expect(readId).toBe(entryId);
    const committer = await start({ env: { INTAKE: 'false' } });
    const committed = await committer.app.services.publishing.publish(
      publishInputOf({ id: readId, fields: { [flat[0]!]: flat[1]! } }),
    );
    expect(committed.tally.CREATED).toBe(1);
    const diedAt = Date.now();
    expect(await pendingEntries(redis, stream.key)).toEqual([
      { id: entryId, consumer: 'crashed-consumer', deliveries: 1 },
    ]);

    // Another instance finds the entry idle past its backoff, claims it and publishes it again: a duplicate.
    const log = captureLog();
    const survivor = await start({ env: stream.env({ INTAKE_BACKOFF_BASE_MS: '1000' }), logger: log.logger });
    await waitFor(
      async () => (await pendingCount(redis, stream.key)) === 0,
      'the entry to be reclaimed and acknowledged',
    );
    const reclaimedAfter = Date.now() - diedAt;
    const published = log.entries.filter((entry) => entry.msg === 'stream event published');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ entryId, attempts: 2, tally: { DUPLICATE: 1, CREATED: 0 } });
    const client = userClient(survivor.url, user, await tokenFor(user));
    expect(await totalOf(client)).toBe(1);
    expect(await redis.xlen(stream.dead)).toBe(0);
    console.log(
      `intake: crash between commit and ack: reclaimed ${reclaimedAfter} ms after the crash (backoff 1000 ms), ` +
        `outcome ${Object.entries(published[0]!.tally as object)
          .filter(([, count]) => count)
          .map(([outcome]) => outcome)
          .join()}, 1 notification, 0 pending`,
    );
  });

  it('should retry with backoff while PostgreSQL is unreachable, and publish once it is back', async () => {
    const stream = newTestStream();
    const { proxy, url } = await proxyInFrontOf(inject('databaseUrl'));
    cleanups.push(() => proxy.close());
    const log = captureLog();
    await start({ env: stream.env({ DATABASE_URL: url, INTAKE_MAX_ATTEMPTS: '10' }), logger: log.logger });
    const watcher = await start({ env: { INTAKE: 'false' } });
    const user = await newUser(watcher.url);

    await proxy.cut();
    const entryId = await sendEvent(redis, stream.key, completed('session-4', [user.userId]));
    const retries = () => log.entries.filter((entry) => entry.msg === 'stream event failed; retrying after backoff');
    // 300 ms, 600 ms, 1200 ms: the entry stays pending and is delivered again each time its backoff has passed.
    await waitFor(async () => retries().length >= 3, 'three failed deliveries', scaled(10_000));
    expect((await pendingEntries(redis, stream.key))[0]?.deliveries).toBeGreaterThanOrEqual(3);
    await proxy.restore();
    const restoredAt = Date.now();
    await waitFor(async () => (await totalOf(user)) === 1, 'the notification after PostgreSQL returned');
    const arrivedAfter = Date.now() - restoredAt;
    await waitFor(async () => (await pendingCount(redis, stream.key)) === 0, 'the entry acknowledged');

    const failed = retries();
    const published = log.entries.find((entry) => entry.msg === 'stream event published');
    expect(failed.map((entry) => entry.retryInMs).slice(0, 3)).toEqual([300, 600, 1200]);
    expect(failed.map((entry) => entry.attempts)).toEqual(failed.map((_, i) => i + 1));
    expect(published).toMatchObject({ entryId, attempts: failed.length + 1, tally: { CREATED: 1 } });
    expect(await redis.xlen(stream.dead)).toBe(0);
    console.log(
      `intake: PostgreSQL cut: ${failed.length} failed deliveries (backoff ${failed
        .map((entry) => entry.retryInMs)
        .join(', ')} ms), published on attempt ${published!.attempts}, ${arrivedAfter} ms after PostgreSQL returned`,
    );
  });

  it('should move an event to the dead-letter stream after the last of its attempts fails', async () => {
    const stream = newTestStream();
    const { proxy, url } = await proxyInFrontOf(inject('databaseUrl'));
    cleanups.push(() => proxy.close());
    await start({
      env: stream.env({ DATABASE_URL: url, INTAKE_MAX_ATTEMPTS: '3', INTAKE_BACKOFF_BASE_MS: '100' }),
    });

    await proxy.cut();
    const entryId = await sendEvent(redis, stream.key, completed('session-5', [newUserId()]));
    const [dead] = await waitFor(async () => {
      const entries = await readStream(redis, stream.dead);
      return entries.length > 0 ? entries : undefined;
    }, 'a dead letter');
    await waitFor(async () => (await pendingCount(redis, stream.key)) === 0, 'the entry acknowledged');
    await proxy.restore();

    expect(dead!.fields).toMatchObject({ entryId, attempts: '3' });
    expect(dead!.fields.reason).toBeTruthy();
    expect(dead!.fields.code).not.toBe('BAD_USER_INPUT');
    expect(JSON.parse(dead!.fields.event!)).toMatchObject({ type: 'transcription.completed' });
    console.log(
      `intake: PostgreSQL down for good: dead-lettered after ${dead!.fields.attempts} attempts, ` +
        `code ${dead!.fields.code}, reason "${dead!.fields.reason!.split('\n').at(-1)}"`,
    );
  });

  it('should dead-letter an entry delivered as often as allowed that no consumer ever concluded', async () => {
    const stream = newTestStream();
    await redis.xgroup('CREATE', stream.key, INTAKE_GROUP, '0', 'MKSTREAM');
    const entryId = await sendEvent(redis, stream.key, {
      type: 'system.warning',
      data: { message: 'm' },
      recipient: 'u',
    });
    // Five consumers in turn took it and died while holding it (as a poison that crashes its consumer would).
    await redis.xreadgroup('GROUP', INTAKE_GROUP, 'died-1', 'STREAMS', stream.key, '>');
    for (const consumer of ['died-2', 'died-3', 'died-4', 'died-5']) {
      await redis.xclaim(stream.key, INTAKE_GROUP, consumer, 0, entryId);
    }
    expect((await pendingEntries(redis, stream.key))[0]).toMatchObject({ deliveries: 5 });

    await start({ env: stream.env({ INTAKE_MAX_ATTEMPTS: '5', INTAKE_BACKOFF_MAX_MS: '300' }) });
    const [dead] = await waitFor(async () => {
      const entries = await readStream(redis, stream.dead);
      return entries.length > 0 ? entries : undefined;
    }, 'a dead letter');
    expect(dead!.fields).toMatchObject({ entryId, code: 'UNACKNOWLEDGED', attempts: '5' });
    expect(dead!.fields.reason).toContain('died-5');
    await waitFor(() => allConcluded(redis, stream.key, entryId), 'the entry acknowledged');
  });

  it('should share the work of one group between two instances, each event processed exactly once', async () => {
    const stream = newTestStream();
    const env = stream.env({ RATE_LIMIT_PER_RECIPIENT_PER_HOUR: '1000', INTAKE_BATCH_SIZE: '10' });
    const logs = [captureLog(), captureLog()];
    const servers = [await start({ env, logger: logs[0]!.logger }), await start({ env, logger: logs[1]!.logger })];
    const user = await newUser(servers[0]!.url);

    const total = 200;
    const startedAt = Date.now();
    const pipeline = redis.pipeline();
    for (let i = 0; i < total; i++) {
      pipeline.xadd(
        stream.key,
        '*',
        'event',
        JSON.stringify({ type: 'system.warning', data: { message: `event ${i}` }, recipients: [user.userId] }),
      );
    }
    const added = (await pipeline.exec())!.map(([, id]) => id as string);
    await waitFor(
      () => allConcluded(redis, stream.key, added.at(-1)!),
      `all ${total} entries concluded`,
      scaled(60_000),
    );
    const elapsed = Date.now() - startedAt;
    await sleep(300);

    const processed = logs.map((log) =>
      log.entries.filter((entry) => entry.msg === 'stream event published').map((entry) => entry.entryId as string),
    );
    const all = processed.flat();
    expect(await totalOf(user)).toBe(total);
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    expect(processed[0]!.length).toBeGreaterThan(0);
    expect(processed[1]!.length).toBeGreaterThan(0);
    expect(await redis.xlen(stream.dead)).toBe(0);
    const consumers = (await redis.xinfo('CONSUMERS', stream.key, INTAKE_GROUP)) as unknown[];
    expect(consumers).toHaveLength(2);

    // A clean stop leaves no consumer behind in the group.
    for (const server of servers) await server.stop();
    expect(await redis.xinfo('CONSUMERS', stream.key, INTAKE_GROUP)).toEqual([]);
    console.log(
      `intake: ${total} events over two instances in ${elapsed} ms (${Math.round((total / elapsed) * 1000)}/s): ` +
        `${processed[0]!.length} + ${processed[1]!.length} processed, ${total} notifications, 0 pending, 0 dead`,
    );
  });

  it('should keep consuming after Redis restarts, recreating its group', async () => {
    const privateRedis = await startPrivateRedis();
    cleanups.push(() => privateRedis.kill());
    const stream = newTestStream();
    const server = await start({ env: stream.env({ REDIS_URL: privateRedis.url }) });
    const user = await newUser(server.url);
    const { Redis } = await import('ioredis');
    const producer = new Redis(privateRedis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    producer.on('error', () => {});
    cleanups.push(async () => producer.disconnect());

    await sendEvent(producer, stream.key, completed('session-6', [user.userId]));
    await waitFor(async () => (await totalOf(user)) === 1, 'the first notification');

    await privateRedis.kill();
    await sleep(1500);
    await privateRedis.start();
    const restartedAt = Date.now();
    // The restarted Redis kept nothing (no persistence): stream and group are gone, as after a failover.
    await sendEvent(producer, stream.key, completed('session-7', [user.userId]));
    await waitFor(async () => (await totalOf(user)) === 2, 'a notification after Redis returned', scaled(20_000));
    console.log(
      `intake: Redis killed for 1.5 s and restarted empty: next event published ${Date.now() - restartedAt} ms after the restart`,
    );
  });

  it('should stop promptly while blocked waiting for events', async () => {
    const stream = newTestStream();
    const server = await startTestServer({
      env: stream.env({ INTAKE_BLOCK_MS: '30000', INTAKE_BACKOFF_BASE_MS: '30000', INTAKE_BACKOFF_MAX_MS: '30000' }),
    });
    await waitFor(async () => (await redis.exists(stream.key)) === 1, 'the group to be created');
    await sleep(200);
    const stoppingAt = Date.now();
    await server.stop();
    const stoppedIn = Date.now() - stoppingAt;
    console.log(`intake: stopped in ${stoppedIn} ms while blocked in a 30 s XREADGROUP`);
    expect(stoppedIn).toBeLessThan(10_000);
  });
});
