// Every limit of an instance, built from the configuration, counted in Redis through one connection (the
// `limits` role of src/redis.ts) so that they hold across instances, or in memory without Redis. Where each is:
// - requests, and calls of each root field, per window: rate-limiter.ts counts, rate-limit.ts answers 429;
// - operation size (depth, aliases, tokens…) and cost: operation-limits.ts, measured by operation-cost.ts,
//   the cost spent from a budget of rate-limiter.ts;
// - open streams per user: stream-leases.ts counts, stream-cap.ts refuses, stream-reservations.ts makes a
//   single-connection reservation hold a lease;
// - notifications per recipient per hour: recipient-rate-limit.ts, applied by src/producers/publishing.ts.
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { RateLimits } from './rate-limiter.js';
import { memoryRateLimiter, type RecipientRateLimiter, redisRateLimiter } from './recipient-rate-limit.js';
import { createStreamLeases, type StreamLeases } from './stream-leases.js';

export interface Limits {
  /** Requests, root fields and operation cost per caller and window. */
  rateLimits: RateLimits;
  /** Open streams per user. */
  streamLeases: StreamLeases;
  /** Notifications per recipient per hour. */
  recipients: RecipientRateLimiter;
}

export function createLimits(config: Config, redis: Redis | undefined, logger: Logger): Limits {
  const { security } = config;
  const { keyPrefix } = config.redis;
  const perHour = config.recipientRateLimitPerHour;
  return {
    rateLimits: new RateLimits({ redis, keyPrefix, logger, limits: security.rateLimits }),
    streamLeases: createStreamLeases({
      redis,
      keyPrefix,
      logger,
      perUser: security.streams.perUser,
      ttlMs: security.streams.leaseTtlMs,
    }),
    recipients: redis ? redisRateLimiter(redis, keyPrefix, perHour, logger) : memoryRateLimiter(perHour),
  };
}
