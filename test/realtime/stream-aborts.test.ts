// Streams whose client goes away while the server is still setting them up (authenticating, taking a
// lease, replaying, subscribing to Redis): each must release its lease, its queue and its Redis channel,
// in both SSE modes, however early the client left.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { type HoldingProxy, holdingProxyInFrontOf } from '../helpers/holding-proxy.js';
import { createMany } from '../helpers/notifications.js';
import { type RawRequest, sendAndReset, sendRaw, sendRequest, sseSubscription } from '../helpers/raw-stream.js';
import { redisClient } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import { canOpenCap, type Holdings, holdingsOf, holdsNothing, NOTHING_HELD } from '../helpers/stream-holdings.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const CAP = 3;
const env = { STREAMS_PER_USER: String(CAP) };
const EVENTS = 'subscription ($after: String) { notificationEvents(after: $after) { position } }';

let server: RunningServer;
let redis: Redis;
beforeAll(async () => {
  redis = redisClient();
  server = await startTestServer({ env });
});
afterAll(async () => {
  await server?.stop();
  redis.disconnect();
});

/** Spread over 0..`max` ms, the same on every run. */
const delayOf = (i: number, max: number) => (i * 7919) % (max + 1);

/** Runs `count` tasks, `concurrency` at a time. */
async function inBatches(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, count - start) }, (_, k) => task(start + k)));
  }
}

/** Waits until the server holds nothing for the user; resolves with what it still held at the deadline. */
async function released(url: string, userId: string, timeoutMs = 10_000): Promise<Holdings> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await holdingsOf(url, redis, userId);
    if (holdsNothing(left) || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Single-connection mode's three requests, raw. */
const single = {
  reserve: (token: string): RawRequest => ({
    method: 'PUT',
    path: '/graphql/stream',
    headers: { authorization: `Bearer ${token}` },
  }),
  connect: (token: string, streamToken: string): RawRequest => ({
    method: 'GET',
    path: '/graphql/stream',
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
      'x-graphql-event-stream-token': streamToken,
    },
  }),
  operation: (token: string, streamToken: string, operationId: string, variables = {}): RawRequest => ({
    method: 'POST',
    path: '/graphql/stream',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-graphql-event-stream-token': streamToken,
    },
    body: JSON.stringify({ query: EVENTS, variables, extensions: { operationId } }),
  }),
};

describe('distinct-connections streams reset during their setup', () => {
  it('should release every lease, stream and Redis channel of 180 requests reset 0–30 ms after sending', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    await inBatches(180, 6, (i) => sendAndReset(server.url, sseSubscription(token, EVENTS), delayOf(i, 30)));
    const left = await released(server.url, userId);
    console.log(`reset during setup (distinct): 180 requests, left behind ${JSON.stringify(left)}`);
    expect(left).toEqual(NOTHING_HELD);
    await canOpenCap(server.url, token, CAP);
  });

  // graphql-sse's handler serves this mode on /graphql/stream too: the same rule at that way in.
  it('should release streams of /graphql/stream reset while they replay many changes', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    await createMany(server.url, userId, 700, 'replayed');
    const onStreamPath = (): RawRequest => ({
      ...sseSubscription(token, EVENTS, { after: '0' }),
      path: '/graphql/stream',
    });
    await inBatches(60, 3, (i) => sendAndReset(server.url, onStreamPath(), 5 + delayOf(i, 80)));
    const left = await released(server.url, userId);
    console.log(`reset during replay on /graphql/stream: 60 requests, left behind ${JSON.stringify(left)}`);
    expect(left).toEqual(NOTHING_HELD);
    await canOpenCap(server.url, token, CAP);
  });

  it('should release streams reset while they replay many changes', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    await createMany(server.url, userId, 700, 'replayed');
    await inBatches(60, 3, (i) =>
      sendAndReset(server.url, sseSubscription(token, EVENTS, { after: '0' }), 5 + delayOf(i, 80)),
    );
    const left = await released(server.url, userId);
    console.log(`reset during replay of 700 changes: 60 requests, left behind ${JSON.stringify(left)}`);
    expect(left).toEqual(NOTHING_HELD);
    await canOpenCap(server.url, token, CAP);
  });
});

describe('single-connection streams reset during their setup', () => {
  it('should release subscriptions posted before the GET when the GET is reset', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    await inBatches(30, 3, async (i) => {
      const { body: streamToken } = await sendRaw(server.url, single.reserve(token));
      const accepted = await sendRaw(server.url, single.operation(token, streamToken, `op-${i}`));
      expect(accepted.status).toBe(202);
      await sendAndReset(server.url, single.connect(token, streamToken), delayOf(i, 30));
    });
    const left = await released(server.url, userId);
    console.log(`single-connection, posted before the GET, GET reset: 30 streams, left ${JSON.stringify(left)}`);
    expect(left).toEqual(NOTHING_HELD);
    await canOpenCap(server.url, token, CAP);
  });

  it('should release subscriptions whose stream is reset while they are being set up', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    await inBatches(60, 3, async (i) => {
      const { body: streamToken } = await sendRaw(server.url, single.reserve(token));
      const connection = sendAndReset(server.url, single.connect(token, streamToken), delayOf(i, 30));
      await Promise.all([
        connection,
        sendRaw(server.url, single.operation(token, streamToken, `op-${i}`, { after: '0' })).catch(() => {}),
      ]);
    });
    const left = await released(server.url, userId);
    console.log(
      `single-connection, stream reset during the operation's setup: 60 streams, left ${JSON.stringify(left)}`,
    );
    expect(left).toEqual(NOTHING_HELD);
    await canOpenCap(server.url, token, CAP);
  });
});

describe('streams reset before Redis answers their SUBSCRIBE', () => {
  let proxy: HoldingProxy;
  let slowRedis: RunningServer;
  beforeAll(async () => {
    proxy = await holdingProxyInFrontOf(inject('redisUrl'));
    slowRedis = await startTestServer({ env: { ...env, REDIS_URL: proxy.url } });
  });
  afterAll(async () => {
    proxy.release();
    await slowRedis?.stop();
    await proxy?.close();
  });

  /** Resolves once the server has asked Redis for the user's channel. */
  async function subscribing(userId: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!proxy.sent(`user:${userId}`)) {
      if (Date.now() > deadline) throw new Error('the server never subscribed');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('should release a distinct-connections stream reset while its SUBSCRIBE is unanswered', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    proxy.hold();
    const requests = Array.from({ length: CAP }, () => sendRequest(slowRedis.url, sseSubscription(token, EVENTS)));
    await subscribing(userId);
    for (const request of requests) request.reset();
    await Promise.all(requests.map((request) => request.closed));
    proxy.release();
    const left = await released(slowRedis.url, userId);
    console.log(`distinct, reset before SUBSCRIBE returned: ${CAP} streams, left ${JSON.stringify(left)}`);
    expect(left).toEqual(NOTHING_HELD);
    await canOpenCap(slowRedis.url, token, CAP);
  });

  it('should release a single-connection subscription whose stream is reset while its SUBSCRIBE is unanswered', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    const { body: streamToken } = await sendRaw(slowRedis.url, single.reserve(token));
    const connection = sendRequest(slowRedis.url, single.connect(token, streamToken));
    await connection.answered;
    proxy.hold();
    const operation = sendRaw(slowRedis.url, single.operation(token, streamToken, 'op')).catch(() => {});
    await subscribing(userId);
    connection.reset();
    await connection.closed;
    proxy.release();
    await operation;
    const left = await released(slowRedis.url, userId);
    console.log(`single-connection, reset before SUBSCRIBE returned: left ${JSON.stringify(left)}`);
    expect(left).toEqual(NOTHING_HELD);
    await canOpenCap(slowRedis.url, token, CAP);
  });
});
