// Request budgets per caller and per operation, kept in Redis so that they hold across instances (in
// memory without Redis). A window of RATE_LIMIT_WINDOW_SECONDS; each caller has one budget for all of
// its requests, and one per root field it calls. Backend services (role `service`) have one larger
// budget of their own instead, as they create notifications for everyone.
import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Viewer } from '../auth.js';
import type { Logger } from '../logger.js';
import type { SecurityConfig } from './config.js';

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

  private async consume(limiter: RateLimiterAbstract | undefined, key: string): Promise<Verdict> {
    if (!limiter) return ALLOWED;
    try {
      await limiter.consume(key);
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
