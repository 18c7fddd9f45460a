import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NotificationsDocument, PushPublicKeyDocument, UnreadCountDocument } from '../generated/graphql.js';
import { execute, expectData } from '../helpers/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { runServerToExit, startServerProcess } from '../helpers/process.js';
import { testServerEnvironment } from '../helpers/server.js';
import { startupDeadline, timeoutForStarts } from '../helpers/timing.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Whether a process with this id is running. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function devToken(output: string): string {
  const token = /Dev token: (\S+)/.exec(output)?.[1];
  expect(token, output).toBeDefined();
  return token as string;
}

describe('starting the server', () => {
  it('should stop with one clear line, not a stack trace, on a bad setting', { timeout: timeoutForStarts(1) }, () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: 'eighty', DATABASE_URL: 'mysql://x' },
      encoding: 'utf8',
      timeout: startupDeadline(),
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^invalid configuration: .*PORT.*DATABASE_URL/);
    expect(run.stderr).not.toMatch(/\s+at\s/);
  });

  it('should print a working dev token in development when no key is configured', {
    timeout: timeoutForStarts(2),
  }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'notifications-dev-secret-'));
    const secretFile = path.join(dataDir, 'dev-jwt-secret');
    const env = testServerEnvironment({
      env: { NODE_ENV: 'development', JWT_SECRET: undefined, DEV_JWT_SECRET_FILE: secretFile },
    });
    try {
      const server = await startServerProcess(env, startupDeadline());
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
        // GraphiQL's page carries a dev token signed for it when it loads (src/dev/graphiql-page.ts), which works too.
        const page = await (await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } })).text();
        const pageToken = /Bearer (eyJ[\w-]+\.[\w-]+\.[\w-]+)/.exec(page)?.[1];
        expect(pageToken).toBeDefined();
        const fromPage = await execute(server.url, UnreadCountDocument, {}, { token: pageToken });
        expect(expectData(fromPage).unreadCount.count).toBeGreaterThanOrEqual(0);
      } finally {
        expect(await server.stop(), server.output()).toBe(0);
      }

      // The secret is kept for the next start (and for the CLI), readable by its owner only; so is the VAPID key
      // pair push runs with, beside it.
      expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
      const vapidFile = path.join(dataDir, 'dev-vapid-keys.json');
      expect((await stat(vapidFile)).mode & 0o777).toBe(0o600);
      const { publicKey } = JSON.parse(await readFile(vapidFile, 'utf8')) as { publicKey: string };
      expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);
      expect((await readFile(secretFile, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
      const restarted = await startServerProcess(env, startupDeadline());
      try {
        const response = await execute(restarted.url, UnreadCountDocument, {}, { token });
        expect(response.status, 'a token from before the restart').toBe(200);
        // Browsers subscribed before the restart keep the same key.
        const key = await execute(restarted.url, PushPublicKeyDocument, {}, { token });
        expect(expectData(key).pushPublicKey).toBe(publicKey);
        expect(restarted.output()).toMatch(/"channels":\{[^}]*"PUSH":"on"/);
        expect(restarted.output()).toContain(`signed with the development secret in ${secretFile}`);
      } finally {
        expect(await restarted.stop(), restarted.output()).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('should stop with one clear line when the development secret file holds no usable secret', {
    timeout: timeoutForStarts(1),
  }, async () => {
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
        timeout: startupDeadline(),
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        `${secretFile} holds no usable development secret (at least 32 characters); delete it to make a new one`,
      ]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('should run on an embedded PostgreSQL with no DATABASE_URL, migrating it at start, and stop it with itself', {
    timeout: timeoutForStarts(3),
  }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'notifications-embedded-'));
    const pgDir = path.join(dataDir, 'pg');
    const env = {
      NODE_ENV: 'development',
      EMBEDDED_POSTGRES_DIR: pgDir,
      DEV_JWT_SECRET_FILE: path.join(dataDir, 'dev-jwt-secret'),
    };
    // A private temporary folder, as a fresh clone in `mktemp -d` would be.
    try {
      for (const round of ['first start', 'restart']) {
        const server = await startServerProcess(env, Math.max(60_000, startupDeadline()));
        const postgres = Number((await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
        try {
          const response = await execute(server.url, NotificationsDocument, {}, { token: devToken(server.output()) });
          expect(response.status, round).toBe(200);
          expectData(response);
          if (round === 'first start') {
            // `npm start` a second time in the same clone: the data folder is taken.
            const second = await runServerToExit({ ...env, PORT: '0' }, startupDeadline());
            console.log(`a second start on the same embedded data folder: ${second.stderr.trim()}`);
            expect(second.code).toBe(1);
            expect(second.stdout).not.toMatch(/listening|Dev token/);
            expect(second.stderr.trim().split('\n')).toHaveLength(1);
            expect(second.stderr).toMatch(/data folder .*pg is in use by another PostgreSQL \(pid \d+\).*npm start/);
          }
        } finally {
          expect(await server.stop(), `${round}\n${server.output()}`).toBe(0);
        }
        // No PostgreSQL outlives the server that started it.
        expect(running(postgres), `${round}: PostgreSQL (pid ${postgres}) still running after the server exited`).toBe(
          false,
        );
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
