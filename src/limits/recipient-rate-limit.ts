// At most N notifications per recipient per hour (a fixed window), counted in Redis so that the limit holds
// across instances, or in memory without Redis. When Redis cannot be asked, producers are let through:
// a limit must never break delivery.
// A retry costs nothing: the first take of an idempotency key for a recipient marks the key paid for the
// window, and later takes of it (a burst of retries in flight at once, on any instance) pass for free;
// retries of what was created are recognised before asking (see EventPublishing).
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { DeferredRequestBudget } from './deferred-budget.js';

export interface RateLimitVerdict {
  refused: Set<string>;
  /** When the current window ends, for a retry hint. */
  retryAfterSeconds: number;
}

export interface RecipientRateLimiter {
  /**
   * Counts one notification for each recipient; those already at the limit are refused and not counted.
   * With an idempotency key, a recipient for whom it was already counted this window passes without
   * counting again. With a request budget, that is counted first, in the same round trip: when it refuses
   * (`budget.refused`), no recipient is counted.
   */
  take(
    userIds: readonly string[],
    idempotencyKey?: string | null,
    budget?: DeferredRequestBudget,
  ): Promise<RateLimitVerdict>;
}

const WINDOW_SECONDS = 3600;

// For each recipient (KEYS[i] its count, KEYS[n + i] its mark for the idempotency key, if any): pass for
// free if the key is marked, else count one more unless at the limit, marking the key when counted. One
// round trip for any number of recipients, atomic, so that of a burst of retries only one pays.
// Hand-written rather than on rate-limiter-flexible, which the other windows use (rate-limiter.ts): its
// limiters consume one key per call and cannot make a count conditional on another key, so the paid mark
// would be checked and set apart from the count, and two retries racing on two instances could both pay;
// and 10,000 recipients would take 10,000 calls instead of one script. The in-memory twin below keeps the
// marks too, so it is hand-written for the same reason.
// With a request budget (ARGV[4] its limit, ARGV[5] its window, KEYS[1] its key, the recipients' keys after it),
// that is counted first as rate-limiter-flexible counts it (CONSUME_IN_TURN of rate-limiter.ts): past it, the
// script returns {-1, the milliseconds left of its window} and counts nothing else.
const TAKE_SCRIPT = `
local limit = tonumber(ARGV[1])
local n = tonumber(ARGV[3])
local o = 0
if ARGV[4] then
  local window = tonumber(ARGV[5])
  redis.call('set', KEYS[1], 0, 'EX', window, 'NX')
  local consumed = redis.call('incrby', KEYS[1], 1)
  local ttl = redis.call('pttl', KEYS[1])
  if ttl == -1 then
    redis.call('expire', KEYS[1], window)
    ttl = 1000 * window
  end
  if consumed > tonumber(ARGV[4]) then return {-1, ttl} end
  o = 1
end
local allowed = {}
for i = 1, n do
  local mark = KEYS[o + n + i]
  if mark and not redis.call('SET', mark, '1', 'NX', 'EX', ARGV[2]) then
    allowed[i] = 1
  else
    local count = redis.call('INCR', KEYS[o + i])
    if count == 1 then redis.call('EXPIRE', KEYS[o + i], ARGV[2]) end
    if count > limit then
      redis.call('DECR', KEYS[o + i])
      if mark then redis.call('DEL', mark) end
      allowed[i] = 0
    else
      allowed[i] = 1
    end
  end
end
return allowed`;

/** The recipient and idempotency key as one unambiguous, bounded name. */
const paidName = (userId: string, idempotencyKey: string) =>
  createHash('sha256')
    .update(JSON.stringify([userId, idempotencyKey]))
    .digest('base64url');

function window(now: number) {
  const index = Math.floor(now / 1000 / WINDOW_SECONDS);
  return { index, retryAfterSeconds: (index + 1) * WINDOW_SECONDS - Math.floor(now / 1000) };
}

interface TakeCommand {
  notificationsRecipientTake(numberOfKeys: number, ...keysThenArguments: (string | number)[]): Promise<number[]>;
}

export function redisRateLimiter(
  redis: Redis,
  keyPrefix: string,
  perHour: number,
  logger: Logger,
): RecipientRateLimiter {
  // By its SHA (EVALSHA, ioredis loading it on first use): the script's text is not sent and hashed on every take.
  redis.defineCommand('notificationsRecipientTake', { lua: TAKE_SCRIPT });
  const commands = redis as Redis & TakeCommand;
  return {
    async take(userIds, idempotencyKey, budget) {
      const { index, retryAfterSeconds } = window(Date.now());
      if (userIds.length === 0 && !budget) return { refused: new Set(), retryAfterSeconds };
      const counts = userIds.map((userId) => `${keyPrefix}rate:recipient:${index}:${userId}`);
      const marks = idempotencyKey
        ? userIds.map((userId) => `${keyPrefix}rate:recipient:${index}:paid:${paidName(userId, idempotencyKey)}`)
        : [];
      const keys = [...(budget ? [budget.key] : []), ...counts, ...marks];
      const budgetArguments = budget ? [budget.limit, budget.windowSeconds] : [];
      try {
        const allowed = await commands.notificationsRecipientTake(
          keys.length,
          ...keys,
          perHour,
          WINDOW_SECONDS,
          userIds.length,
          ...budgetArguments,
        );
        if (budget) {
          const refusedForMs = allowed[0] === -1 ? allowed[1]! : undefined;
          budget.record(refusedForMs);
          if (refusedForMs !== undefined) return { refused: new Set(), retryAfterSeconds };
        }
        return { refused: new Set(userIds.filter((_, i) => allowed[i] === 0)), retryAfterSeconds };
      } catch (error) {
        logger.warn({ err: error }, 'recipient rate limit unavailable; letting notifications through');
        // The request budget is counted all the same, rate-limiter-flexible's way (in memory while Redis is away).
        await budget?.settle();
        return { refused: new Set(), retryAfterSeconds };
      }
    },
  };
}

export function memoryRateLimiter(perHour: number): RecipientRateLimiter {
  let current = -1;
  let counts = new Map<string, number>();
  let paid = new Set<string>();
  return {
    async take(userIds, idempotencyKey, budget) {
      const { index, retryAfterSeconds } = window(Date.now());
      if (budget && !(await budget.settle()).allowed) return { refused: new Set(), retryAfterSeconds };
      if (index !== current) {
        current = index;
        counts = new Map();
        paid = new Set();
      }
      const refused = new Set<string>();
      for (const userId of userIds) {
        const mark = idempotencyKey ? paidName(userId, idempotencyKey) : undefined;
        if (mark && paid.has(mark)) continue;
        const count = counts.get(userId) ?? 0;
        if (count >= perHour) refused.add(userId);
        else {
          counts.set(userId, count + 1);
          if (mark) paid.add(mark);
        }
      }
      return { refused, retryAfterSeconds };
    },
  };
}
