// Whether a database has every migration of prisma/migrations, read from the `_prisma_migrations` table
// that `npm run db:migrate` (and `prisma migrate deploy`) keep. Migrations the database has and this code
// does not know are fine: they are a newer version's, during a rolling deploy.
import { migrationNames } from './migrations.js';

export interface MigrationStatus {
  /** Migrations of prisma/migrations not applied to the database, oldest first. */
  pending: string[];
  /** Migrations that started and neither finished nor were rolled back: someone must look at them. */
  failed: string[];
}

interface MigrationRow {
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Runs one SQL statement without parameters and returns its rows. */
export type RunQuery = <T>(sql: string) => Promise<T[]>;

export const MIGRATE_COMMAND = 'npm run db:migrate';

/** `expected` defaults to the folders of prisma/migrations, read now. */
export async function migrationStatus(query: RunQuery, expected?: string[]): Promise<MigrationStatus> {
  const [names, [table]] = await Promise.all([
    expected ?? migrationNames(),
    query<{ present: boolean }>(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`),
  ]);
  const rows = table?.present
    ? await query<MigrationRow>('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations')
    : [];
  const applied = new Set(
    rows.filter((row) => row.finished_at && !row.rolled_back_at).map((row) => row.migration_name),
  );
  return {
    pending: names.filter((name) => !applied.has(name)),
    failed: rows.filter((row) => !row.finished_at && !row.rolled_back_at).map((row) => row.migration_name),
  };
}

export const upToDate = (status: MigrationStatus): boolean => status.pending.length === 0 && status.failed.length === 0;

/** What is wrong and what to do, in one line; undefined when up to date. */
export function behindReason(status: MigrationStatus): string | undefined {
  if (status.failed.length > 0) {
    return (
      `the migration ${status.failed.join(', ')} failed halfway in this database: repair it by hand, ` +
      `mark it rolled back, then run \`${MIGRATE_COMMAND}\``
    );
  }
  const { pending } = status;
  if (pending.length === 0) return undefined;
  const count = pending.length === 1 ? '1 migration is' : `${pending.length} migrations are`;
  const names = pending.length > 3 ? `${pending.slice(0, 3).join(', ')}, …` : pending.join(', ');
  return `the database schema is behind: ${count} not applied (${names}); run \`${MIGRATE_COMMAND}\``;
}
