// The Prisma client, over the pg driver adapter (Prisma 7 has no built-in driver), on a pg pool of our own
// that the hottest reads also use directly (src/notifications/sql.ts).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

export type Database = PrismaClient;

const pools = new WeakMap<object, pg.Pool>();

export function createDatabase(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const client = new PrismaClient({
    // Prisma ends the pool when it disconnects.
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    // Under load a transaction may wait for a pooled connection; waiting beats failing.
    transactionOptions: { maxWait: 10_000, timeout: 15_000 },
  });
  pools.set(client, pool);
  return client;
}

/** The pg pool under a client createDatabase made; undefined for anything else (a transaction's client). */
export function poolOf(db: object): pg.Pool | undefined {
  return pools.get(db);
}
