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

export default async function setup(project: TestProject) {
  const { postgresUrl, redisUrl } = testEnvironment();
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const database = `notifications_test_${runId}`;
  const admin = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = `${postgresUrl}/${database}`;
  await applyMigrations(databaseUrl);

  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('redisPrefix', `test:${runId}:`);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  };
}
