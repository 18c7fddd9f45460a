// A start that cannot work says why in one line and exits, before any banner; a dependency that goes away
// later is reported once, then calmly, and when it is back. Real server processes throughout.

import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/free-port.js';
import { freshDatabase } from '../helpers/database.js';
import { runServerToExit, startServerProcess, waitForLine } from '../helpers/process.js';
import { startPrivateRedis } from '../helpers/redis-server.js';
import { testServerEnvironment } from '../helpers/server.js';
import { scaled, startupDeadline, timeoutForStarts } from '../helpers/timing.js';

const production = (env: Record<string, string | undefined>) =>
  testServerEnvironment({ env: { NODE_ENV: 'production', LOG_LEVEL: 'info', ...env } });

/** What a start that failed printed: exactly one line, on stderr, no stack, no banner, no `listening`. */
async function failedStart(env: Record<string, string | undefined>): Promise<string> {
  const run = await runServerToExit(env, startupDeadline());
  const output = `${run.stdout}${run.stderr}`;
  expect(run.code, output).toBe(1);
  expect(run.stdout, output).not.toMatch(/listening|Dev token|GraphiQL/);
  expect(output, output).not.toMatch(/\n\s+at\s|"stack"/);
  const lines = run.stderr.trim().split('\n');
  expect(lines, output).toHaveLength(1);
  return lines[0]!;
}

describe('a start that cannot work', () => {
  it('should refuse an unmigrated database in production, in one line naming npm run db:migrate', {
    timeout: timeoutForStarts(1),
  }, async () => {
    const line = await failedStart(production({ DATABASE_URL: await freshDatabase({ migrate: false }) }));
    console.log(`unmigrated database in production: ${line}`);
    expect(line).toMatch(/^the database schema is behind: \d+ migrations are not applied .*run `npm run db:migrate`$/);
  });

  it('should migrate an unmigrated database in development, and be ready', {
    timeout: timeoutForStarts(1),
  }, async () => {
    const env = testServerEnvironment({
      env: { NODE_ENV: 'development', DATABASE_URL: await freshDatabase({ migrate: false }) },
    });
    const server = await startServerProcess(env, startupDeadline());
    try {
      expect(server.output()).toContain('"msg":"migrations applied"');
      const ready = await fetch(`${server.url}/ready`);
      expect(ready.status).toBe(200);
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
    }
  });

  it('should name a database that does not exist, and show no banner', { timeout: timeoutForStarts(1) }, async () => {
    const url = new URL(inject('databaseUrl'));
    url.pathname = '/notifications_no_such_database';
    const line = await failedStart(
      testServerEnvironment({ env: { NODE_ENV: 'development', JWT_SECRET: undefined, DATABASE_URL: url.href } }),
    );
    console.log(`missing database: ${line}`);
    expect(line).toMatch(/^the database "notifications_no_such_database" does not exist on PostgreSQL at /);
  });

  it('should say that PostgreSQL cannot be reached', { timeout: timeoutForStarts(1) }, async () => {
    const line = await failedStart(
      production({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${await freePort()}/notifications` }),
    );
    expect(line).toMatch(/^cannot reach PostgreSQL at 127\.0\.0\.1:\d+ \(ECONNREFUSED\): .*DATABASE_URL/);
  });

  it('should say that Redis cannot be reached', { timeout: timeoutForStarts(1) }, async () => {
    const line = await failedStart(production({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }));
    expect(line).toMatch(/^cannot reach Redis at 127\.0\.0\.1:\d+ \(ECONNREFUSED\): .*REDIS_URL/);
  });
});

describe('Redis going away after the start', () => {
  it('should say so once, calmly while it lasts, with no stack, and say when it is back', {
    timeout: timeoutForStarts(1),
  }, async () => {
    const redis = await startPrivateRedis();
    const server = await startServerProcess(production({ REDIS_URL: redis.url }), startupDeadline());
    try {
      const linesSoFar = () => server.output().trim().split('\n').length;
      await redis.kill();
      const killedAt = Date.now();
      const down = await waitForLine(server.output, /Redis unreachable/, scaled(10_000));
      const before = linesSoFar();
      // Long enough for ioredis to retry a few dozen times on each of its connections.
      const quietMs = 5000;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      const during = server
        .output()
        .trim()
        .split('\n')
        .slice(before - 1);
      console.log(
        `redis away: reported ${Date.now() - killedAt} ms after the kill; ${during.length} lines in the ${quietMs} ms ` +
          `that followed the report: ${during.map((line) => JSON.parse(line).msg).join(' | ')}`,
      );
      expect(during.length).toBeLessThanOrEqual(2);
      expect(`${down}\n${during.join('\n')}`).not.toMatch(/"stack"/);
      await redis.start();
      await waitForLine(server.output, /Redis is back after/, scaled(10_000));
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
      await redis.kill();
    }
  });
});

describe('the Send one command of the banner', () => {
  it('should name the port the server listens on, and work as printed', { timeout: timeoutForStarts(2) }, async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { spawn } = await import('node:child_process');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'notifications-send-one-'));
    const port = await freePort();
    const env = testServerEnvironment({
      env: {
        NODE_ENV: 'development',
        PORT: String(port),
        JWT_SECRET: undefined,
        DEV_JWT_SECRET_FILE: path.join(dataDir, 'dev-jwt-secret'),
      },
    });
    const server = await startServerProcess(env, startupDeadline());
    try {
      const command = /Send one: +(.+)/.exec(server.output())?.[1];
      console.log(`Send one with PORT=${port}: ${command}`);
      expect(command).toContain(`API_URL=http://127.0.0.1:${port}`);
      const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn('sh', ['-c', command!], {
          cwd: new URL('../../', import.meta.url),
          env: { PATH: process.env.PATH },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk));
        child.once('close', (code) => resolve({ code, output }));
      });
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/system\.warning → 1 recipient: 1 created/);
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
