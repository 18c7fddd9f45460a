// Leases held by open streams are renewed while they stay open, in batches (src/limits/stream-leases.ts): a
// renewal moves each lease's expiry in Redis forward, and a user whose streams outlive the lease's lifetime still
// holds their slots. Many users' leases at once, so that a renewal spans several batches, and two leases a user, so that
// one call renews several of a user's leases.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createStreamLeases } from '../../src/limits/stream-leases.js';
import { createLogger } from '../../src/logger.js';
import { redisClient } from '../helpers/redis.js';
import { newUserId } from '../helpers/tokens.js';

// Renewed every third of it: long enough that a loaded machine's event loop is not held past a whole lifetime
// (a lease not renewed in time is gone, as a crashed instance's are meant to be).
const TTL_MS = 3_000;
const USERS = 1_200;

describe('stream lease renewal', () => {
  const redis = redisClient();
  afterAll(() => redis.quit());

  it("should keep every open stream's lease alive past its lifetime, across renewal batches", async () => {
    const keyPrefix = `${inject('redisPrefix')}renewal:`;
    const leases = createStreamLeases({ perUser: 2, ttlMs: TTL_MS, redis, keyPrefix, logger: createLogger('silent') });
    try {
      const users = Array.from({ length: USERS }, () => newUserId());
      const held = await Promise.all([...users, ...users].map((user) => leases.acquire(user)));
      expect(held.every(Boolean)).toBe(true);
      // The earliest expiry of the user's leases: past its first value once every one of them was renewed.
      const expiryOf = async (user: string) =>
        Number((await redis.zrange(`${keyPrefix}streams:${user}`, 0, 0, 'WITHSCORES'))[1]);
      const first = await expiryOf(users[0]!);
      const last = await expiryOf(users.at(-1)!);
      // Renewed: the first and the last user's expiry moved past what it was when acquired (a whole lifetime on).
      const renewedPast = Date.now() + TTL_MS;
      for (;;) {
        const [a, b] = [await expiryOf(users[0]!), await expiryOf(users.at(-1)!)];
        expect(Number.isNaN(a) || Number.isNaN(b), 'a lease expired before it was renewed').toBe(false);
        if (a > first && b > last && Date.now() > renewedPast) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Past the first lifetime, the slots are still held.
      expect(await leases.acquire(users[0]!)).toBeUndefined();
      expect(await leases.acquire(users.at(-1)!)).toBeUndefined();
    } finally {
      await leases.close();
    }
  });
});
