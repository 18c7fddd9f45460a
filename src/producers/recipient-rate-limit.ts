// At most N notifications per recipient per hour (a fixed window), counted in Redis so that the limit holds
// across instances, or in memory without Redis. When Redis cannot be asked, producers are let through:
// a limit must never break delivery.
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RateLimitVerdict {
  refused: Set<string>;
  /** When the current window ends, for a retry hint. */
  retryAfterSeconds: number;
}

export interface RecipientRateLimiter {
  /** Counts one notification for each recipient; those already at the limit are refused and not counted. */
  take(userIds: readonly string[]): Promise<RateLimitVerdict>;
}

const WINDOW_SECONDS = 3600;

// For each key: count one more unless it is at the limit. One round trip for any number of recipients.
const TAKE_SCRIPT = `
local limit = tonumber(ARGV[1])
local allowed = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[2]) end
  if count > limit then
    redis.call('DECR', key)
    allowed[i] = 0
  else
    allowed[i] = 1
  end
end
return allowed`;

function window(now: number) {
  const index = Math.floor(now / 1000 / WINDOW_SECONDS);
  return { index, retryAfterSeconds: (index + 1) * WINDOW_SECONDS - Math.floor(now / 1000) };
}

export function redisRateLimiter(
  redis: Redis,
  keyPrefix: string,
  perHour: number,
  logger: Logger,
): RecipientRateLimiter {
  return {
    async take(userIds) {
      const { index, retryAfterSeconds } = window(Date.now());
      if (userIds.length === 0) return { refused: new Set(), retryAfterSeconds };
      const keys = userIds.map((userId) => `${keyPrefix}rate:recipient:${index}:${userId}`);
      try {
        const allowed = (await redis.eval(TAKE_SCRIPT, keys.length, ...keys, perHour, WINDOW_SECONDS)) as number[];
        return { refused: new Set(userIds.filter((_, i) => allowed[i] === 0)), retryAfterSeconds };
      } catch (error) {
        logger.warn({ err: error }, 'recipient rate limit unavailable; letting notifications through');
        return { refused: new Set(), retryAfterSeconds };
      }
    },
  };
}

export function memoryRateLimiter(perHour: number): RecipientRateLimiter {
  let current = -1;
  let counts = new Map<string, number>();
  return {
    async take(userIds) {
      const { index, retryAfterSeconds } = window(Date.now());
      if (index !== current) {
        current = index;
        counts = new Map();
      }
      const refused = new Set<string>();
      for (const userId of userIds) {
        const count = counts.get(userId) ?? 0;
        if (count >= perHour) refused.add(userId);
        else counts.set(userId, count + 1);
      }
      return { refused, retryAfterSeconds };
    },
  };
}
