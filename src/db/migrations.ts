// Applies prisma/migrations exactly as `prisma migrate deploy` does (same `_prisma_migrations` table and
// checksums), without the Prisma CLI's native engine. Safe to run twice or from several processes at once.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import pg from 'pg';
import { type SchemaFile, withSchemaEngine } from './schema-engine.js';

export const prismaDir = fileURLToPath(new URL('../../prisma/', import.meta.url));
const migrationsDir = path.join(prismaDir, 'migrations');
// Any constant will do, as long as it differs from the one Prisma's engine takes for itself.
const MIGRATION_LOCK_KEY = 7_301_020_411;

export async function readSchemaFiles(): Promise<SchemaFile[]> {
  const file = path.join(prismaDir, 'schema.prisma');
  return [{ path: file, content: await readFile(file, 'utf8') }];
}

/** The migrations of prisma/migrations, oldest first. */
export async function migrationNames(): Promise<string[]> {
  return (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function readMigrationList(): Promise<MigrationList> {
  const names = await migrationNames();
  const lockfilePath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockfilePath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
    ),
  };
}

/** Applies every pending migration to `databaseUrl`; returns the names of those it applied. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const { appliedMigrationNames } = await withSchemaEngine(databaseUrl, await readSchemaFiles(), async (engine) =>
      engine.applyMigrations({
        migrationsList: await readMigrationList(),
        filters: { externalTables: [], externalEnums: [] },
      }),
    );
    return appliedMigrationNames;
  } finally {
    await lock.end();
  }
}
