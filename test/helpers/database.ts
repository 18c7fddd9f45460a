// Databases of a test's own, for what must not touch the run's shared database (a broadcast reaches every
// user in it). Named after the run's database, so that the run's teardown drops them with it
// (test/setup/global.ts), however the test file ended.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { applyMigrations } from '../../src/db/migrations.js';
import { testEnvironment } from '../setup/environment.js';

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${testEnvironment().postgresUrl}/postgres` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new empty database (migrated unless `migrate: false`); returns its URL. */
export async function freshDatabase({ migrate = true }: { migrate?: boolean } = {}): Promise<string> {
  const runDatabase = new URL(inject('databaseUrl')).pathname.slice(1);
  const name = `${runDatabase}_scratch_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = `${testEnvironment().postgresUrl}/${name}`;
  if (migrate) await applyMigrations(url);
  return url;
}
