// Databases of a test's own, for what must not touch the run's shared database (a broadcast reaches every
// user in it). Dropped when the test file ends.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { applyMigrations } from '../../src/db/migrations.js';
import { testEnvironment } from '../setup/environment.js';

const made: string[] = [];
let registered = false;

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
  if (!registered) {
    registered = true;
    afterAll(() =>
      admin(async (client) => {
        for (const name of made.splice(0)) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }),
    );
  }
  const name = `notifications_scratch_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  made.push(name);
  const url = `${testEnvironment().postgresUrl}/${name}`;
  if (migrate) await applyMigrations(url);
  return url;
}
