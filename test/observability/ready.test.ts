import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { freshDatabase } from '../helpers/database.js';
import { scrape } from '../helpers/metrics.js';
import { startTestServer, useTestServer } from '../helpers/server.js';
import { proxyInFrontOf, type TcpProxy } from '../helpers/tcp-proxy.js';
import { scaled } from '../helpers/timing.js';

async function ready(url: string) {
  const response = await fetch(`${url}/ready`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('/health and /ready on a running server', () => {
  const server = useTestServer();

  it('should answer /health and /ready without a token, /ready naming each dependency it checked', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const answer = await ready(server.url);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ ready: true, checks: { postgres: { up: true }, redis: { up: true } } });
  });

  it('should not report Redis when none is configured', async () => {
    const memory = await startTestServer({ redis: false });
    try {
      const answer = await ready(memory.url);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        ready: true,
        checks: { postgres: { up: true, ms: expect.any(Number) }, schema: { up: true, ms: expect.any(Number) } },
      });
      const metrics = await scrape(memory.url);
      expect(metrics.value('notifications_postgres_up')).toBe(1);
      expect(metrics.has('notifications_redis_up')).toBe(false);
    } finally {
      await memory.stop();
    }
  });
});

describe('/ready when a dependency is unreachable', () => {
  let redisProxy: TcpProxy;
  let postgresProxy: TcpProxy;
  let server: RunningServer;
  beforeAll(async () => {
    const redis = await proxyInFrontOf(inject('redisUrl'));
    const postgres = await proxyInFrontOf(inject('databaseUrl'));
    [redisProxy, postgresProxy] = [redis.proxy, postgres.proxy];
    server = await startTestServer({
      env: { REDIS_URL: redis.url, DATABASE_URL: postgres.url, READY_TIMEOUT_MS: '300' },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await redisProxy?.close();
    await postgresProxy?.close();
  });

  it('should answer 503 naming Redis while Redis is cut, and 200 again once it is back', async () => {
    expect((await ready(server.url)).status).toBe(200);
    await redisProxy.cut();
    const answer = await ready(server.url);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ ready: false, checks: { postgres: { up: true }, redis: { up: false } } });
    const metrics = await scrape(server.url);
    expect(metrics.value('notifications_redis_up')).toBe(0);
    expect(metrics.value('notifications_postgres_up')).toBe(1);
    await redisProxy.restore();
    await expect
      .poll(async () => (await ready(server.url)).status, { timeout: scaled(10_000), interval: 200 })
      .toBe(200);
  });

  it('should answer 503 naming PostgreSQL while PostgreSQL is cut, within the timeout', async () => {
    await postgresProxy.cut();
    const started = Date.now();
    const answer = await ready(server.url);
    expect(Date.now() - started).toBeLessThan(scaled(2000));
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ ready: false, checks: { postgres: { up: false }, redis: { up: true } } });
    expect((await scrape(server.url)).value('notifications_postgres_up')).toBe(0);
    await postgresProxy.restore();
    await expect
      .poll(async () => (await ready(server.url)).status, { timeout: scaled(10_000), interval: 200 })
      .toBe(200);
  });
});

describe('/ready when the database schema is behind', () => {
  let databaseUrl: string;
  let server: RunningServer;
  beforeAll(async () => {
    databaseUrl = await freshDatabase();
    server = await startTestServer({ env: { DATABASE_URL: databaseUrl } });
  });
  afterAll(() => server?.stop());

  /** Runs `sql` on the server's database directly, as an operator restoring an older backup would. */
  async function onDatabase(sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await client.query(sql, values);
    } finally {
      await client.end();
    }
  }

  it('should answer 503 naming the migration to apply and the command, and 200 once it is applied', async () => {
    expect((await ready(server.url)).status).toBe(200);
    const { rows } = await onDatabase(
      'DELETE FROM _prisma_migrations WHERE migration_name = (SELECT max(migration_name) FROM _prisma_migrations) RETURNING *',
    );
    const [row] = rows as Array<Record<string, unknown>>;
    const answer = await ready(server.url);
    console.log(`/ready with a migration missing: ${answer.status} ${JSON.stringify(answer.body)}`);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      ready: false,
      checks: {
        postgres: { up: true },
        schema: { up: false, error: 'MIGRATIONS_PENDING', reason: expect.stringContaining('npm run db:migrate') },
      },
    });
    expect(JSON.stringify(answer.body)).toContain(String(row!.migration_name));

    const columns = Object.keys(row!);
    await onDatabase(
      `INSERT INTO _prisma_migrations (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      columns.map((column) => row![column]),
    );
    expect((await ready(server.url)).status).toBe(200);
  });
});
