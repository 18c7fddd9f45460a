// Whether the services this instance depends on answer: PostgreSQL always (and its schema has every
// migration), Redis when one is configured. Read by /ready, by the `notifications_*_up` gauges at each
// scrape and by the dependency watch (src/health/watch.ts), so all three tell the same story.
import type { Redis } from 'ioredis';
import { behindReason, migrationStatus } from '../db/migration-status.js';
import { migrationNames } from '../db/migrations.js';
import type { Database } from '../db.js';

export interface DependencyCheck {
  up: boolean;
  /** How long the check took, or how long it waited before giving up. */
  ms: number;
  /** Why it is down: a timeout or the driver's error code, never a message that could carry a URL or secret. */
  error?: string;
  /** What to do about it, when that is known (e.g. the command that applies pending migrations). */
  reason?: string;
}

export interface DependencyReport {
  postgres: DependencyCheck;
  /** Down while the database lacks a migration of prisma/migrations: queries would fail on missing tables. */
  schema: DependencyCheck;
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
    const { code, reason } = (error ?? {}) as { code?: unknown; reason?: unknown };
    return {
      up: false,
      ms: Math.round(performance.now() - started),
      error: typeof code === 'string' ? code : 'FAILED',
      ...(typeof reason === 'string' ? { reason } : {}),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** PING; while ioredis is reconnecting the command would only fail with a message, so say that. */
function pingRedis(redis: Redis): Promise<unknown> {
  if (redis.status !== 'ready')
    return Promise.reject(Object.assign(new Error('not connected'), { code: 'NOT_CONNECTED' }));
  return redis.ping();
}

class SchemaBehind extends Error {
  code = 'MIGRATIONS_PENDING';
}

/**
 * Checks all at once, each within `timeoutMs`: SELECT 1 on the pool, the applied migrations against
 * prisma/migrations (read once), PING on the commands connection.
 */
export function dependencyChecks(db: Database, redis: Redis | undefined, timeoutMs: number): DependencyChecks {
  let expected: Promise<string[]> | undefined;
  const schemaUpToDate = async () => {
    expected ??= migrationNames();
    const status = await migrationStatus(
      <T>(sql: string) => db.$queryRawUnsafe<T[]>(sql),
      await expected.catch((error: unknown) => {
        expected = undefined;
        throw error;
      }),
    );
    const reason = behindReason(status);
    if (reason) throw Object.assign(new SchemaBehind(reason), { reason });
  };
  return {
    redis: redis !== undefined,
    async check() {
      const [postgres, schema, redisCheck] = await Promise.all([
        probe(() => db.$queryRaw`SELECT 1`, timeoutMs),
        probe(schemaUpToDate, timeoutMs),
        redis ? probe(() => pingRedis(redis), timeoutMs) : undefined,
      ]);
      return redisCheck ? { postgres, schema, redis: redisCheck } : { postgres, schema };
    },
  };
}

/** Whether every configured dependency is up. */
export const allUp = (report: DependencyReport): boolean => Object.values(report).every((check) => check.up);
