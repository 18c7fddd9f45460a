// What the server checks before it says it is up: PostgreSQL answers, its schema has every migration, and
// Redis answers when one is configured. Each failure becomes one StartupError line naming what to do.
import pg from 'pg';
import type { Config } from '../config.js';
import { behindReason, migrationStatus } from '../db/migration-status.js';
import { applyMigrations } from '../db/migrations.js';
import type { Logger } from '../logger.js';
import { redisProbe } from '../redis.js';
import { hostOf, StartupError } from '../startup-error.js';
import { oneLine } from './outage-log.js';

/** How long each check waits for an answer before the server gives up starting. */
const CHECK_TIMEOUT_MS = 10_000;

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function postgresProblem(error: unknown, url: string, setting: string): string {
  const code = codeOf(error);
  const where = hostOf(url);
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  if (code === '3D000') {
    return `the database "${database}" does not exist on PostgreSQL at ${where}: create it (createdb ${database}) or fix ${setting}`;
  }
  if (code === '28P01' || code === '28000') {
    return `PostgreSQL at ${where} refused the user or password of ${setting} (${code})`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `cannot find the PostgreSQL host ${where} (${code}): check ${setting}`;
  }
  if (code && UNREACHABLE.has(code)) {
    return `cannot reach PostgreSQL at ${where} (${code}): is it running? check ${setting}`;
  }
  if (/timeout/i.test(oneLine(error))) {
    return `PostgreSQL at ${where} did not answer within ${CHECK_TIMEOUT_MS / 1000} s: is it reachable? check ${setting}`;
  }
  return `cannot use PostgreSQL at ${where} (${setting}): ${oneLine(error)}`;
}

async function withClient<T>(url: string, setting: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CHECK_TIMEOUT_MS });
  // A connection that breaks after the check is not this check's business.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    await client.end().catch(() => {});
    throw new StartupError(postgresProblem(error, url, setting));
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * PostgreSQL answers and has every migration. Where `migrate` is set (development, the embedded database),
 * pending migrations are applied; elsewhere the server refuses to start, naming the command that applies them.
 */
export async function checkPostgres(
  url: string,
  { migrate, setting, logger }: { migrate: boolean; setting: string; logger: Logger },
): Promise<void> {
  const status = await withClient(url, setting, (client) =>
    migrationStatus(async <T>(sql: string) => (await client.query(sql)).rows as T[]),
  );
  const reason = behindReason(status);
  if (!reason) return;
  if (!migrate || status.failed.length > 0) throw new StartupError(reason);
  const applied = await applyMigrations(url);
  logger.info({ applied }, 'migrations applied');
}

/** Redis answers PING. */
export async function checkRedis(url: string, logger: Logger): Promise<void> {
  const client = redisProbe(url, CHECK_TIMEOUT_MS, logger);
  // With no retries, connect() rejects with "Connection is closed."; the cause came as an 'error' event.
  let cause: unknown;
  client.on('error', (error) => {
    cause ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (failure) {
    const error = cause ?? failure;
    const code = codeOf(error);
    const where = hostOf(url);
    throw new StartupError(
      code && UNREACHABLE.has(code)
        ? `cannot reach Redis at ${where} (${code}): is it running? check REDIS_URL, or unset it to run without Redis`
        : `cannot use Redis at ${where} (REDIS_URL): ${oneLine(error)}`,
    );
  } finally {
    client.disconnect();
  }
}

/** Both checks of a configuration whose database URL is known (the embedded one's included). */
export async function checkDependencies(config: Config, databaseUrl: string, logger: Logger): Promise<void> {
  const embedded = config.database.url === undefined;
  await Promise.all([
    checkPostgres(databaseUrl, {
      migrate: embedded || config.env === 'development',
      setting: embedded ? 'EMBEDDED_POSTGRES_DIR' : 'DATABASE_URL',
      logger,
    }),
    config.redis.url ? checkRedis(config.redis.url, logger) : undefined,
  ]);
}
