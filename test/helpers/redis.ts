import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** A plain Redis connection to this run's Redis, for looking at what the servers do there. */
export function redisClient(): Redis {
  return new Redis(inject('redisUrl'), { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** The channel that carries a user's events. */
export const userChannel = (userId: string): string => `${inject('redisPrefix')}user:${userId}`;

/** How many Redis connections are subscribed to a user's channel, across every server instance. */
export async function channelSubscribers(redis: Redis, userId: string): Promise<number> {
  const [, count] = (await redis.pubsub('NUMSUB', userChannel(userId))) as [string, number];
  return count;
}

/** Polls `probe` until it returns `expected`, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, expected: T, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (last !== expected) {
    if (Date.now() > deadline)
      throw new Error(`expected ${String(expected)}, still ${String(last)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await probe();
  }
}
