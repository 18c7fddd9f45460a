// Work that must run once across every instance of the service: a PostgreSQL advisory lock, held by the
// transaction that does the work, so it is released by commit, rollback or a dropped connection alike.
import type { Database } from '../db.js';
import type { Prisma } from '../generated/prisma/client.js';

/** Lock keys: one per job, so that different jobs never wait for each other. */
export const LOCK_KEYS = {
  pruneChangeLog: 7_301_020_501,
  dueNotifications: 7_301_020_502,
  retention: 7_301_020_503,
} as const;

/**
 * Runs `work` in a transaction if no other instance holds the lock `key`; returns its result, or
 * `undefined` when another instance was already at it.
 */
export async function runOnceAcrossCluster<T>(
  db: Database,
  key: number,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
  timeoutMs = 60_000,
): Promise<T | undefined> {
  return db.$transaction(
    async (tx) => {
      const [{ locked }] = (await tx.$queryRaw`SELECT pg_try_advisory_xact_lock(${key}::bigint) AS locked`) as [
        { locked: boolean },
      ];
      return locked ? work(tx) : undefined;
    },
    { timeout: timeoutMs },
  );
}
