// The Prisma client, over the pg driver adapter (Prisma 7 has no built-in driver).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export type Database = PrismaClient;

export function createDatabase(url: string, poolSize: number): Database {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: poolSize }),
    // Under load a transaction may wait for a pooled connection; waiting beats failing.
    transactionOptions: { maxWait: 10_000, timeout: 15_000 },
  });
}
