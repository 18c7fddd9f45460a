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
import { DeferredRequestBudget } from './deferred-budget.js';

export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** An operation's verdict, and which budget refused it: one of its root fields', or its cost's. */
export type OperationVerdict =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; budget: 'operation' | 'cost' };

const ALLOWED = { allowed: true } as const;

/** A request's verdict, and its operation's when the request was let through. */
export interface CountedVerdicts {
  request: Verdict;
  operation?: OperationVerdict;
}

/**
 * rate-limiter-flexible's count (its RateLimiterRedis script, key after key) for several budgets in one
 * round trip, stopping at the first one past its limit. KEYS: the budgets' keys; ARGV: the window in seconds,
 * then points and limit for each key. Returns the refusing key's 1-based index (0: none) and its ms to go.
 */
const CONSUME_IN_TURN = `
local window = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('set', key, 0, 'EX', window, 'NX')
  local consumed = redis.call('incrby', key, ARGV[i * 2])
  local ttl = redis.call('pttl', key)
  if ttl == -1 then
    redis.call('expire', key, window)
    ttl = 1000 * window
  end
  if consumed > tonumber(ARGV[i * 2 + 1]) then return {i, ttl} end
end
return {0, 0}
`;

type Budget = 'user' | 'operation' | 'service' | 'cost';

interface ConsumeInTurn {
  notificationsConsumeInTurn(
    numberOfKeys: number,
    ...keysThenArguments: (string | number)[]
  ): Promise<[number, number]>;
}

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
  private readonly redis: (Redis & ConsumeInTurn) | undefined;
  private readonly limits: SecurityConfig['rateLimits'];
  private readonly keyPrefix: string;
  /** Where each budget counts while Redis is away or slow (rate-limiter-flexible's insurance). */
  private readonly insurance = new Map<Budget, RateLimiterAbstract>();

  constructor({ limits, redis, keyPrefix, logger }: RateLimitsOptions) {
    this.logger = logger;
    this.limits = limits;
    this.keyPrefix = keyPrefix;
    if (redis) {
      redis.defineCommand('notificationsConsumeInTurn', { lua: CONSUME_IN_TURN });
      this.redis = redis as Redis & ConsumeInTurn;
    }
    const limiter = (name: Budget, points: number): RateLimiterAbstract | undefined => {
      if (points === 0) return undefined;
      const options = { points, duration: limits.windowSeconds };
      if (!redis) return new RateLimiterMemory(options);
      const insuranceLimiter = new RateLimiterMemory(options);
      this.insurance.set(name, insuranceLimiter);
      return new RateLimiterRedis({
        ...options,
        storeClient: redis,
        keyPrefix: this.redisKeyPrefix(name),
        rejectIfRedisNotReady: true,
        // While Redis is away or slow, each instance keeps counting on its own.
        insuranceLimiter,
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

  /**
   * The caller's request budget, to be counted later by the script that takes a recipient's budget, in its
   * round trip (src/limits/deferred-budget.ts); undefined when it cannot be (no budget, Redis not ready): then
   * `request` counts it.
   */
  deferredRequest(viewer: Viewer): DeferredRequestBudget | undefined {
    const budget: Budget = viewer.roles.includes('service') ? 'service' : 'user';
    if (this.redis?.status !== 'ready' || !this[budget]) return undefined;
    return new DeferredRequestBudget(
      `${this.redisKeyPrefix(budget)}:${viewer.userId}`,
      this.limits[budget],
      this.limits.windowSeconds,
      () => this.request(viewer),
    );
  }

  /**
   * Counts one call of each root field of an operation, then spends its cost from the caller's budget (none
   * when `cost` is undefined), stopping at the first budget that refuses; with Redis in one round trip (one
   * script counting as rate-limiter-flexible does, under its keys), not one per budget. Services have neither
   * budget. Why a cost budget rather than a cap on how many operations a user runs at once: what starves other
   * users is the work done, which the cost measures and a count of operations does not (one user's sequential
   * stream of costly operations holds the database as surely as parallel ones); and a budget holds across
   * instances through Redis like the other budgets, where a count of running operations kept there would leak
   * the slots of an instance that dies mid-operation.
   */
  async operationBudgets(
    viewer: Viewer,
    fields: readonly string[],
    cost: number | undefined,
  ): Promise<OperationVerdict> {
    if (viewer.roles.includes('service')) return ALLOWED;
    const steps: { budget: 'operation' | 'cost'; key: string; points: number }[] = [];
    if (this.operation) {
      for (const field of new Set(fields))
        steps.push({ budget: 'operation', key: `${viewer.userId}:${field}`, points: 1 });
    }
    if (this.cost && cost !== undefined) {
      steps.push({ budget: 'cost', key: viewer.userId, points: Math.max(1, Math.ceil(cost)) });
    }
    if (steps.length === 0) return ALLOWED;
    const { redis } = this;
    if (redis?.status === 'ready') {
      const keys = steps.map(({ budget, key }) => `${this.redisKeyPrefix(budget)}:${key}`);
      const pointsAndLimits = steps.flatMap(({ budget, points }) => [points, this.limits[budget]]);
      try {
        const [refused, ttl] = await redis.notificationsConsumeInTurn(
          keys.length,
          ...keys,
          this.limits.windowSeconds,
          ...pointsAndLimits,
        );
        const step = steps[refused - 1];
        if (!step) return ALLOWED;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)), budget: step.budget };
      } catch (error) {
        // As rate-limiter-flexible does when Redis fails: this instance counts on its own meanwhile.
        this.logger.debug({ err: error }, 'operation budgets not counted in Redis; counting in memory');
      }
    }
    for (const { budget, key, points } of steps) {
      const limiter = redis ? this.insurance.get(budget) : this[budget];
      const verdict = await this.consume(limiter, key, points);
      if (!verdict.allowed) return { ...verdict, budget };
    }
    return ALLOWED;
  }

  /**
   * A user's request and its operation counted at once, as `request` then `operationBudgets` would count them
   * (stopping at the first budget that refuses): with Redis in one round trip rather than two. What compiled
   * reads (src/compiled-reads/) count before they answer.
   */
  async requestAndOperation(viewer: Viewer, fields: readonly string[], cost: number): Promise<CountedVerdicts> {
    const { redis } = this;
    if (redis?.status !== 'ready' || viewer.roles.includes('service')) {
      const request = await this.request(viewer);
      if (!request.allowed) return { request };
      return { request, operation: await this.operationBudgets(viewer, fields, cost) };
    }
    const steps: { budget: Budget; key: string; points: number }[] = [];
    if (this.user) steps.push({ budget: 'user', key: viewer.userId, points: 1 });
    if (this.operation) {
      for (const field of new Set(fields))
        steps.push({ budget: 'operation', key: `${viewer.userId}:${field}`, points: 1 });
    }
    if (this.cost) steps.push({ budget: 'cost', key: viewer.userId, points: Math.max(1, Math.ceil(cost)) });
    if (steps.length === 0) return { request: ALLOWED, operation: ALLOWED };
    try {
      const [refused, ttl] = await redis.notificationsConsumeInTurn(
        steps.length,
        ...steps.map(({ budget, key }) => `${this.redisKeyPrefix(budget)}:${key}`),
        this.limits.windowSeconds,
        ...steps.flatMap(({ budget, points }) => [points, this.limits[budget]]),
      );
      const step = steps[refused - 1];
      if (!step) return { request: ALLOWED, operation: ALLOWED };
      const retryAfterSeconds = Math.max(1, Math.ceil(ttl / 1000));
      if (step.budget === 'user') return { request: { allowed: false, retryAfterSeconds } };
      return { request: ALLOWED, operation: { allowed: false, retryAfterSeconds, budget: step.budget as 'operation' } };
    } catch (error) {
      this.logger.debug({ err: error }, 'request and operation budgets not counted in one round trip');
      const request = await this.request(viewer);
      if (!request.allowed) return { request };
      return { request, operation: await this.operationBudgets(viewer, fields, cost) };
    }
  }

  private redisKeyPrefix(budget: Budget): string {
    return `${this.keyPrefix}ratelimit:${budget}`;
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
