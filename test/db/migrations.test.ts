import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { applyMigrations, readSchemaFiles } from '../../src/db/migrations.js';
import { diffSchemas } from '../../src/db/schema-diff.js';
import { freshDatabase as makeDatabase } from '../helpers/database.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const freshDatabase = () => makeDatabase({ migrate: false });

// The schema as a set of lines: columns added by a later migration come last in the table, and enum
// values added later come last in the enum, so order is left out of the comparison.
// Database functions are hand-written into migrations (schema.prisma cannot describe them), so they are
// left out: the comparison is of tables, columns, types and indexes.
const schemaOnly = (url: string) =>
  execFileSync('pg_dump', ['--schema-only', '--no-owner', '--exclude-table=_prisma_migrations', url], {
    encoding: 'utf8',
  })
    .replace(/CREATE FUNCTION [\s\S]*?\n\$\$;\n/g, '')
    .replace(/^ALTER FUNCTION .*$/gm, '')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('--') && !line.startsWith('\\'))
    .map((line) => line.trim().replace(/,$/, ''))
    .sort()
    .join('\n');

describe('migrations', () => {
  it('should apply once, however often and however concurrently they run', async () => {
    const url = await freshDatabase();
    const runs = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);
    const applied = runs.flat();
    expect(applied.length).toBeGreaterThan(0);
    expect(new Set(applied).size).toBe(applied.length);
    expect(await applyMigrations(url)).toEqual([]);
  });

  it('should build the same database as schema.prisma describes (no drift)', async () => {
    const [fromMigrations, fromSchema] = [await freshDatabase(), await freshDatabase()];
    await applyMigrations(fromMigrations);
    const sql = await diffSchemas(fromSchema, 'empty', await readSchemaFiles());
    const client = new pg.Client({ connectionString: fromSchema });
    await client.connect();
    await client.query(sql);
    await client.end();
    expect(schemaOnly(fromMigrations)).toBe(schemaOnly(fromSchema));
  });

  it('should be what `npm run db:migrate` does, saying what it applied', async () => {
    const url = await freshDatabase();
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], {
        cwd: root,
        env: { PATH: process.env.PATH, DATABASE_URL: url },
        encoding: 'utf8',
      });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^applied: \d+_init/);
    const second = run();
    expect(second.stdout).toMatch(/up to date/);
    const missing = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
