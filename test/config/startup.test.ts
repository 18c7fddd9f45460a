import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NotificationsDocument, UnreadCountDocument } from '../generated/graphql.js';
import { execute, expectData } from '../helpers/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { startServerProcess } from '../helpers/process.js';
import { testServerEnvironment } from '../helpers/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function devToken(output: string): string {
  const token = /Dev token: (\S+)/.exec(output)?.[1];
  expect(token, output).toBeDefined();
  return token as string;
}

describe('starting the server', () => {
  it('should stop with one clear line, not a stack trace, on a bad setting', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: 'eighty', DATABASE_URL: 'mysql://x' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^invalid configuration: .*PORT.*DATABASE_URL/);
    expect(run.stderr).not.toMatch(/\s+at\s/);
  });

  it('should print a working dev token in development when no key is configured', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'notifications-dev-secret-'));
    const secretFile = path.join(dataDir, 'dev-jwt-secret');
    const env = testServerEnvironment({
      env: { NODE_ENV: 'development', JWT_SECRET: undefined, DEV_JWT_SECRET_FILE: secretFile },
    });
    try {
      const server = await startServerProcess(env);
      let token: string;
      try {
        token = devToken(server.output());
        expect(server.output()).toContain(`GraphiQL:  ${server.url}/graphql`);
        const created = await createNotification(server.url, { userId: 'dev-user' }).catch(() => undefined);
        // The test's service token is signed with the test secret, which this server does not know...
        expect(created).toBeUndefined();
        // ...but the dev token is a service token for dev-user, signed with the development secret.
        const response = await execute(server.url, UnreadCountDocument, {}, { token });
        expect(expectData(response).unreadCount.count).toBeGreaterThanOrEqual(0);
        const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
        expect(await page.text()).toContain(token);
      } finally {
        expect(await server.stop(), server.output()).toBe(0);
      }

      // The secret is kept for the next start (and for the CLI), readable by its owner only.
      expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
      expect((await readFile(secretFile, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
      const restarted = await startServerProcess(env);
      try {
        const response = await execute(restarted.url, UnreadCountDocument, {}, { token });
        expect(response.status, 'a token from before the restart').toBe(200);
        expect(restarted.output()).toContain(`signed with the development secret in ${secretFile}`);
      } finally {
        expect(await restarted.stop(), restarted.output()).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('should stop with one clear line when the development secret file holds no usable secret', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'notifications-dev-secret-'));
    const secretFile = path.join(dataDir, 'dev-jwt-secret');
    await writeFile(secretFile, 'short\n');
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          ...testServerEnvironment({
            env: { NODE_ENV: 'development', JWT_SECRET: undefined, DEV_JWT_SECRET_FILE: secretFile },
          }),
        },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        `${secretFile} holds no usable development secret (at least 32 characters); delete it to make a new one`,
      ]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('should run on an embedded PostgreSQL with no DATABASE_URL, migrating it at start', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'notifications-embedded-'));
    const env = {
      NODE_ENV: 'development',
      EMBEDDED_POSTGRES_DIR: path.join(dataDir, 'pg'),
      DEV_JWT_SECRET_FILE: path.join(dataDir, 'dev-jwt-secret'),
    };
    // A private temporary folder, as a fresh clone in `mktemp -d` would be.
    try {
      for (const round of ['first start', 'restart']) {
        const server = await startServerProcess(env, 60_000);
        try {
          const response = await execute(server.url, NotificationsDocument, {}, { token: devToken(server.output()) });
          expect(response.status, round).toBe(200);
          expectData(response);
        } finally {
          expect(await server.stop(), round).toBe(0);
        }
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
