// One database and one Redis key prefix for this test run, so that runs never see each other's rows or events.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../src/db/migrations.js';
import { testEnvironment } from './environment.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}

interface TestRun {
  databaseUrl: string;
  redisPrefix: string;
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
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
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

  return async () => {
    shared.notificationsTestRunUsers = (shared.notificationsTestRunUsers ?? 1) - 1;
    if (shared.notificationsTestRunUsers === 0) await run.drop();
  };
}
