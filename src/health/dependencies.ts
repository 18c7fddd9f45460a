// Whether the services this instance depends on answer: PostgreSQL always, Redis when one is configured.
// Read by /ready and by the `notifications_*_up` gauges at each scrape, so both tell the same story.
import type { Redis } from 'ioredis';
import type { Database } from '../db.js';

export interface DependencyCheck {
  up: boolean;
  /** How long the check took, or how long it waited before giving up. */
  ms: number;
  /** Why it is down: a timeout or the driver's error code, never a message that could carry a URL or secret. */
  error?: string;
}

export interface DependencyReport {
  postgres: DependencyCheck;
  /** Absent without REDIS_URL: the in-memory bus has nothing to be down. */
  redis?: DependencyCheck;
}

export interface DependencyChecks {
  /** Whether Redis is configured, so checked at all. */
  readonly redis: boolean;
  check(): Promise<DependencyReport>;
}

async function probe(work: () => Promise<unknown>, timeoutMs: number): Promise<DependencyCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), timeoutMs);
  });
  try {
    await Promise.race([work(), timeout]);
    return { up: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return {
      up: false,
      ms: Math.round(performance.now() - started),
      error: typeof code === 'string' ? code : 'FAILED',
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Checks both at once, each within `timeoutMs`: SELECT 1 on the pool, PING on the commands connection. */
export function dependencyChecks(db: Database, redis: Redis | undefined, timeoutMs: number): DependencyChecks {
  return {
    redis: redis !== undefined,
    async check() {
      const [postgres, redisCheck] = await Promise.all([
        probe(() => db.$queryRaw`SELECT 1`, timeoutMs),
        redis ? probe(() => redis.ping(), timeoutMs) : undefined,
      ]);
      return redisCheck ? { postgres, redis: redisCheck } : { postgres };
    },
  };
}

/** Whether every configured dependency is up. */
export const allUp = (report: DependencyReport): boolean => Object.values(report).every((check) => check.up);
