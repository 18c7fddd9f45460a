// Request budgets per caller and per operation, kept in Redis so that they hold across instances (in
// memory without Redis). A window of RATE_LIMIT_WINDOW_SECONDS; each caller has one budget for all of
// its requests, and one per root field it calls. Backend services (role `service`) have one larger
// budget of their own instead, as they create notifications for everyone. Users also have a budget of
// operation cost per window (see src/limits/operation-cost.ts).
import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Viewer } from '../auth.js';
import type { Logger } from '../logger.js';
import type { SecurityConfig } from '../security/config.js';

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: Verdict = { allowed: true };

export interface RateLimitsOptions {
  limits: SecurityConfig['rateLimits'];
  redis: Redis | undefined;
  keyPrefix: string;
  logger: Logger;
}

export class RateLimits {
  private readonly user: RateLimiterAbstract | undefined;
  private readonly operation: RateLimiterAbstract | undefined;
  private readonly service: RateLimiterAbstract | undefined;
  private readonly cost: RateLimiterAbstract | undefined;
  private readonly logger: Logger;

  constructor({ limits, redis, keyPrefix, logger }: RateLimitsOptions) {
    this.logger = logger;
    const limiter = (name: string, points: number): RateLimiterAbstract | undefined => {
      if (points === 0) return undefined;
      const options = { points, duration: limits.windowSeconds };
      if (!redis) return new RateLimiterMemory(options);
      return new RateLimiterRedis({
        ...options,
        storeClient: redis,
        keyPrefix: `${keyPrefix}ratelimit:${name}`,
        rejectIfRedisNotReady: true,
        // While Redis is away or slow, each instance keeps counting on its own.
        insuranceLimiter: new RateLimiterMemory(options),
      });
    };
    this.user = limiter('user', limits.user);
    this.operation = limiter('operation', limits.operation);
    this.service = limiter('service', limits.service);
    this.cost = limiter('cost', limits.cost);
  }

  /** Counts one request of the caller against their budget. */
  request(viewer: Viewer): Promise<Verdict> {
    const isService = viewer.roles.includes('service');
    return this.consume(isService ? this.service : this.user, viewer.userId);
  }

  /** Counts one call of a root field by the caller (services have no per-operation budget). */
  async operations(viewer: Viewer, fields: readonly string[]): Promise<Verdict> {
    if (viewer.roles.includes('service')) return ALLOWED;
    for (const field of new Set(fields)) {
      const verdict = await this.consume(this.operation, `${viewer.userId}:${field}`);
      if (!verdict.allowed) return verdict;
    }
    return ALLOWED;
  }

  /**
   * Spends an operation's cost from the caller's budget. Why a cost budget rather than a cap on how many
   * operations a user runs at once: what starves other users is the work done, which the cost measures
   * and a count of operations does not (one user's sequential stream of costly operations holds the
   * database as surely as parallel ones); and a budget holds across instances through Redis like the
   * other budgets, where a count of running operations kept there would leak the slots of an instance
   * that dies mid-operation. Services spend nothing: they have no per-operation budget either.
   */
  spend(viewer: Viewer, cost: number): Promise<Verdict> {
    if (viewer.roles.includes('service')) return Promise.resolve(ALLOWED);
    return this.consume(this.cost, viewer.userId, Math.max(1, Math.ceil(cost)));
  }

  private async consume(limiter: RateLimiterAbstract | undefined, key: string, points = 1): Promise<Verdict> {
    if (!limiter) return ALLOWED;
    try {
      await limiter.consume(key, points);
      return ALLOWED;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
      // Neither Redis nor the insurance could count: let the request through rather than fail it.
      this.logger.warn({ err: rejection }, 'rate limit check failed; allowing the request');
      return ALLOWED;
    }
  }
}
