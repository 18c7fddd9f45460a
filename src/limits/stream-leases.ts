// How many streams each user has open, across every instance: each open stream holds a lease, a member
// of the user's sorted set in Redis scored by when it expires. Instances renew their leases every third
// of the lease's lifetime, so the leases of a crashed instance expire within STREAM_LEASE_TTL_MS and
// free their slots. Without Redis the count is this instance's own.
// Hand-written rather than on rate-limiter-flexible: a lease is a thing held (taken when a stream opens,
// given back when it ends, renewed while it lasts), not a rate of events in a window, which is all that
// library counts.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface Lease {
  release(): void;
}

export interface StreamLeases {
  /** A lease for one more stream of the user, or undefined when they already hold `perUser`. */
  acquire(userId: string): Promise<Lease | undefined>;
  /** Releases every lease of this instance and stops renewing. */
  close(): Promise<void>;
}

export interface StreamLeasesOptions {
  perUser: number;
  ttlMs: number;
  redis: Redis | undefined;
  keyPrefix: string;
  logger: Logger;
}

// Redis's clock, not the instances': their clocks may disagree, Redis's is one.
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** How many users' leases one renewal script carries. */
const RENEW_BATCH = 500;

// Many users' leases in one call: ARGV is the lifetime, then for each key its number of lease ids and the ids.
const RENEW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[1])
local at = 2
for k = 1, #KEYS do
  local count = tonumber(ARGV[at])
  for i = at + 1, at + count do redis.call('ZADD', KEYS[k], 'XX', now + ttl, ARGV[i]) end
  at = at + count + 1
  redis.call('PEXPIRE', KEYS[k], ttl)
end
return #KEYS`;

const noLimit: StreamLeases = {
  acquire: async () => ({ release() {} }),
  close: async () => {},
};

export function createStreamLeases(options: StreamLeasesOptions): StreamLeases {
  if (options.perUser === 0) return noLimit;
  return options.redis ? redisLeases(options, options.redis) : memoryLeases(options.perUser);
}

function memoryLeases(perUser: number): StreamLeases {
  const open = new Map<string, number>();
  return {
    async acquire(userId) {
      const count = open.get(userId) ?? 0;
      if (count >= perUser) return undefined;
      open.set(userId, count + 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const left = (open.get(userId) ?? 1) - 1;
          if (left > 0) open.set(userId, left);
          else open.delete(userId);
        },
      };
    },
    close: async () => open.clear(),
  };
}

function redisLeases({ perUser, ttlMs, keyPrefix, logger }: StreamLeasesOptions, redis: Redis): StreamLeases {
  const instance = randomUUID();
  let sequence = 0;
  /** This instance's leases: user → lease ids. */
  const held = new Map<string, Set<string>>();
  const keyOf = (userId: string) => `${keyPrefix}streams:${userId}`;
  const fallback = memoryLeases(perUser);

  const forget = (userId: string, id: string) => {
    const ids = held.get(userId);
    ids?.delete(id);
    if (ids?.size === 0) held.delete(userId);
  };

  // By its SHA (the script's text is not sent each time), and one call for a batch of users. A script per user
  // (10,000 streams, 10,000 calls every third of a lease's life, each a command, a promise and a reply) paused
  // the collector for up to 42 ms at each renewal with nothing else to do, and deliveries waited behind it
  // (bench/FINDINGS.md, "Delivery"). Several keys in one script ask for one Redis, not a cluster.
  redis.defineCommand('notificationsRenewLeases', { lua: RENEW });
  // Each stream's open takes a lease: by SHA too, not the script's text every time.
  redis.defineCommand('notificationsAcquireLease', { numberOfKeys: 1, lua: ACQUIRE });
  const leaseRedis = redis as Redis & {
    notificationsRenewLeases(keyCount: number, ...keysThenArgs: Array<string | number>): Promise<unknown>;
    notificationsAcquireLease(key: string, perUser: number, ttlMs: number, id: string): Promise<unknown>;
  };
  let renewing = false;
  const renew = async () => {
    if (renewing) return;
    renewing = true;
    try {
      const users = [...held];
      for (let start = 0; start < users.length; start += RENEW_BATCH) {
        const batch = users.slice(start, start + RENEW_BATCH);
        const keys = batch.map(([userId]) => keyOf(userId));
        const args: Array<string | number> = [ttlMs];
        for (const [, ids] of batch) args.push(ids.size, ...ids);
        await leaseRedis
          .notificationsRenewLeases(keys.length, ...keys, ...args)
          .catch((error: unknown) => logger.warn({ err: error }, 'stream leases not renewed'));
      }
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void renew(), Math.max(100, Math.floor(ttlMs / 3)));
  timer.unref();

  return {
    async acquire(userId) {
      const id = `${instance}:${++sequence}`;
      let granted: unknown;
      try {
        granted = await leaseRedis.notificationsAcquireLease(keyOf(userId), perUser, ttlMs, id);
      } catch (error) {
        // A check that timed out may still have run: take back its lease, or it would hold a slot that nobody
        // renews nor releases until it expires. Sent after it on the same connection, so it runs after it.
        redis.zrem(keyOf(userId), id).catch(() => {});
        // Redis is away: count on this instance alone rather than refuse every stream.
        logger.warn({ err: error }, 'stream lease check failed; counting in memory');
        return fallback.acquire(userId);
      }
      if (granted !== 1) return undefined;
      const ids = held.get(userId) ?? new Set<string>();
      ids.add(id);
      held.set(userId, ids);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          forget(userId, id);
          redis.zrem(keyOf(userId), id).catch((error: unknown) => {
            // It expires by itself within the lease's lifetime.
            logger.debug({ err: error }, 'stream lease not released');
          });
        },
      };
    },
    async close() {
      clearInterval(timer);
      const pipeline = redis.pipeline();
      for (const [userId, ids] of held) pipeline.zrem(keyOf(userId), ...ids);
      held.clear();
      if (pipeline.length > 0) await pipeline.exec().catch(() => {});
    },
  };
}
