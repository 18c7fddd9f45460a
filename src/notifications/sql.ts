// The hottest reads (a page of the inbox, its counts) straight through the pg driver, as prepared statements:
// Prisma's $queryRaw costs about as much CPU again per query in its own mapping and plumbing as pg does.
// The SQL is the same Prisma.sql the rest of the domain builds; inside a transaction (no pool of its own) it
// goes through $queryRaw as before.
import { poolOf } from '../db.js';
import type { Notification, Prisma } from '../generated/prisma/client.js';

type Reader = Pick<Prisma.TransactionClient, '$queryRaw'>;

// One prepared statement per distinct SQL text (the filters a client uses make a handful); past this many,
// statements run unnamed, so that no client can make every connection hold ever more plans.
const MAX_PREPARED = 200;
const names = new Map<string, string>();

function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (!name && names.size < MAX_PREPARED) {
    name = `hot_${names.size}`;
    names.set(text, name);
  }
  return name;
}

/** The rows of `sql`, as $queryRaw would return them for plain columns (int8 comes as text: see toNotification). */
export async function queryRows<T>(db: Reader, sql: Prisma.Sql): Promise<T[]> {
  const pool = poolOf(db);
  if (!pool) return db.$queryRaw<T[]>(sql);
  const name = statementName(sql.text);
  const { rows } = await pool.query({ ...(name ? { name } : {}), text: sql.text, values: sql.values as unknown[] });
  return rows as T[];
}

/** A row of NOTIFICATION_COLUMNS from pg as Prisma reads it: `position` (int8) a bigint. */
export function toNotification(row: Notification): Notification {
  if (typeof row.position !== 'bigint') row.position = BigInt(row.position as unknown as string);
  return row;
}
