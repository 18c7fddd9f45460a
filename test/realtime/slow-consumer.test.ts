// A client that opens a stream and never reads it while events keep coming: the server sees its socket
// stop draining and ends the stream, freeing its lease and what waited for it, after a bounded number of
// events, in both SSE modes.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { createNotification } from '../helpers/notifications.js';
import { openAndStall, type RawRequest, sendRaw, sseSubscription } from '../helpers/raw-stream.js';
import { redisClient } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import { canOpenCap, holdingsOf, holdsNothing } from '../helpers/stream-holdings.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const CAP = 2;
/** Past this, the server let the stalled stream hold its lease and queue for too long. */
const MAX_EVENTS = 1500;
// A stream counts as stalled after two heartbeat intervals without its socket draining.
const env = { STREAMS_PER_USER: String(CAP), SSE_HEARTBEAT_MS: '250' };
const EVENTS = 'subscription { notificationEvents { position notification { id title message metadata } } }';
// About 16 kB an event on the wire, as in the report (1,000 queued events held ~17 MB).
const metadata = { blob: 'x'.repeat(15_000) };

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

/** Publishes events for the user until the server holds nothing for them; how many it took, or MAX_EVENTS. */
async function publishUntilReleased(userId: string): Promise<number> {
  for (let published = 0; published < MAX_EVENTS; published += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        createNotification(server.url, { userId, title: `e${published + i}`, metadata }),
      ),
    );
    if (holdsNothing(await holdingsOf(server.url, redis, userId))) return published + 10;
  }
  return MAX_EVENTS;
}

describe('a client that never reads its stream', () => {
  it('should have its distinct-connections stream ended and its lease freed within a bounded number of events', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    const stalled = await openAndStall(server.url, sseSubscription(token, EVENTS));
    expect(stalled.status).toBe(200);
    const published = await publishUntilReleased(userId);
    console.log(`stalled reader (distinct): released after ${published} events of ~16 kB (bound ${MAX_EVENTS})`);
    expect(published).toBeLessThan(MAX_EVENTS);
    await canOpenCap(server.url, token, CAP);
    stalled.destroy();
  });

  it('should have its single-connection stream ended and its operations lease freed within a bounded number of events', async () => {
    const userId = newUserId();
    const token = await tokenFor(userId);
    const auth = { authorization: `Bearer ${token}` };
    const { body: streamToken } = await sendRaw(server.url, { method: 'PUT', path: '/graphql/stream', headers: auth });
    const withToken = { ...auth, 'x-graphql-event-stream-token': streamToken };
    const stream: RawRequest = {
      method: 'GET',
      path: '/graphql/stream',
      headers: { ...withToken, accept: 'text/event-stream' },
    };
    const stalled = await openAndStall(server.url, stream);
    expect(stalled.status).toBe(200);
    const operation = await sendRaw(server.url, {
      method: 'POST',
      path: '/graphql/stream',
      headers: { ...withToken, 'content-type': 'application/json' },
      body: JSON.stringify({ query: EVENTS, extensions: { operationId: 'op' } }),
    });
    expect(operation.status).toBe(202);
    const published = await publishUntilReleased(userId);
    console.log(
      `stalled reader (single-connection): released after ${published} events of ~16 kB (bound ${MAX_EVENTS})`,
    );
    expect(published).toBeLessThan(MAX_EVENTS);
    await canOpenCap(server.url, token, CAP);
    stalled.destroy();
  });
});
