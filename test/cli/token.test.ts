// `npm run token -- --user alice`: a plain user's token, signed as the server verifies them (JWT_SECRET, or in
// development the secret `npm start` keeps), for a frontend in development.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { CreateNotificationDocument, NotificationsDocument } from '../generated/graphql.js';
import { runToken } from '../helpers/cli.js';
import { execute, expectData, expectError } from '../helpers/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { startTestServer, useTestServer } from '../helpers/server.js';
import { timeoutForStarts } from '../helpers/timing.js';
import { newUserId, TEST_JWT_SECRET } from '../helpers/tokens.js';

const shared = useTestServer();
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

describe('npm run token', { timeout: timeoutForStarts(3) }, () => {
  it("should print one line, a token of that user and no service's, which the server takes", async () => {
    const alice = newUserId();
    const run = await runToken(['--user', alice], { JWT_SECRET: TEST_JWT_SECRET });
    console.log(`token: exit ${run.code} in ${run.ms} ms, stderr: ${run.stderr.trim()}`);
    expect(run.code, run.stderr).toBe(0);
    const token = run.stdout.trim();
    expect(run.stdout).toBe(`${token}\n`);
    expect(token).toMatch(JWT);
    expect(run.stderr).toMatch(new RegExp(`^user "${alice}", roles \\[\\], valid 12 hours\\n$`));

    await createNotification(shared.url, { userId: alice, title: 'for alice' });
    const { notifications } = expectData(await execute(shared.url, NotificationsDocument, {}, { token }));
    expect(notifications.edges.map((edge) => edge.node.title)).toEqual(['for alice']);
    // A plain user: creating for someone else is a service's right.
    const input = { userId: newUserId(), title: 't', message: 'm', type: 'INFO' as const };
    expectError(await execute(shared.url, CreateNotificationDocument, { input }, { token }), 'FORBIDDEN');
  });

  it('should take --ttl, and refuse what is not a number of seconds', async () => {
    const short = await runToken(['--user', 'bob', '--ttl', '60'], { JWT_SECRET: TEST_JWT_SECRET });
    expect(short.stderr).toBe('user "bob", roles [], valid 1 minute\n');
    const bad = await runToken(['--user', 'bob', '--ttl', 'soon'], { JWT_SECRET: TEST_JWT_SECRET });
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([1, '', 'token: --ttl must be a whole number of seconds\n']);
    const none = await runToken([], { JWT_SECRET: TEST_JWT_SECRET });
    expect([none.code, none.stderr]).toEqual([
      1,
      'token: which user? usage: npm run token -- --user <id> [--ttl <seconds>]\n',
    ]);
  });

  describe('in development', () => {
    let dataDir: string;
    let server: RunningServer;
    const secret = 'a-development-secret-of-thirty-two-characters-or-more';
    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'token-dev-'));
      await writeFile(path.join(dataDir, 'dev-jwt-secret'), `${secret}\n`, { mode: 0o600 });
      // The server `npm start` runs verifies with the secret in that file (test/cli/notify.test.ts starts one).
      server = await startTestServer({ env: { JWT_SECRET: secret } });
    });
    afterAll(async () => {
      await server?.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('should sign with the development secret the server keeps, with no configuration', async () => {
      const user = newUserId();
      const run = await runToken(['--user', user], { DEV_JWT_SECRET_FILE: path.join(dataDir, 'dev-jwt-secret') });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/valid 12 hours, signed with the development secret in .*dev-jwt-secret\n$/);
      const { notifications } = expectData(
        await execute(server.url, NotificationsDocument, {}, { token: run.stdout.trim() }),
      );
      expect(notifications.edges).toEqual([]);
    });

    it('should tell how to get a secret when there is none', async () => {
      const run = await runToken(['--user', 'a'], { DEV_JWT_SECRET_FILE: path.join(dataDir, 'missing') });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^token: no JWT_SECRET, and no development secret in .*missing: start the server once/,
      );
    });
  });
});
