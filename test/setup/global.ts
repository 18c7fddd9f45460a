// One database and one Redis key prefix for this test run, so that runs never see each other's rows or events.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../src/db/migrations.js';
import { startServerProcess } from '../helpers/process.js';
import { testEnvironment } from './environment.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
    /** How long one start of the server process took at the start of the run (see test/helpers/timing.ts). */
    startupMs: number;
  }
}

interface TestRun {
  databaseUrl: string;
  redisPrefix: string;
  startupMs: number;
  drop(): Promise<void>;
}

async function createTestRun(): Promise<TestRun> {
  const { postgresUrl } = testEnvironment();
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const database = `notifications_test_${runId}`;
  const admin = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = `${postgresUrl}/${database}`;
  await applyMigrations(databaseUrl);
  return {
    databaseUrl,
    redisPrefix: `test:${runId}:`,
    startupMs: await timeOneStart(databaseUrl),
    async drop() {
      // With the scratch databases its tests made (test/helpers/database.ts).
      const { rows } = await admin.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $2)',
        [database, `${database}_scratch_`],
      );
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
      await deleteKeys(testEnvironment().redisUrl, `test:${runId}:`);
    },
  };
}

// Every vitest project calls this (see vitest.config.ts); they share one run, made by the first and
// dropped by the last.
const shared = globalThis as { notificationsTestRun?: Promise<TestRun>; notificationsTestRunUsers?: number };

export default async function setup(project: TestProject) {
  shared.notificationsTestRun ??= createTestRun();
  shared.notificationsTestRunUsers = (shared.notificationsTestRunUsers ?? 0) + 1;
  const run = await shared.notificationsTestRun;

  project.provide('databaseUrl', run.databaseUrl);
  project.provide('redisUrl', testEnvironment().redisUrl);
  project.provide('redisPrefix', run.redisPrefix);
  project.provide('startupMs', run.startupMs);

  return async () => {
    shared.notificationsTestRunUsers = (shared.notificationsTestRunUsers ?? 1) - 1;
    if (shared.notificationsTestRunUsers === 0) await run.drop();
  };
}

/** Times one start of the real server process on this machine, now (first compile of tsx's cache aside). */
async function timeOneStart(databaseUrl: string): Promise<number> {
  const started = performance.now();
  const server = await startServerProcess(
    {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: 'timing-the-start-of-the-server-process-only',
    },
    300_000,
  );
  const ms = Math.round(performance.now() - started);
  await server.stop();
  console.log(`one server start took ${ms} ms on this machine; the tests' deadlines scale from it`);
  return ms;
}

/** Drops what the run left in Redis under its prefix (event streams, counters), so runs leave nothing behind. */
async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
