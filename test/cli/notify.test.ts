// `npm run notify`: a GraphQL client of the running server that calls publishEvent (or broadcast) with a
// service token, so that it takes exactly the path producers take.
import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/free-port.js';
import type { RunningServer } from '../../src/server.js';
import { NotificationsDocument } from '../generated/graphql.js';
import { runNotify } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/database.js';
import { userClient } from '../helpers/graphql.js';
import { startServerProcess } from '../helpers/process.js';
import { startTestServer, testServerEnvironment, useTestServer } from '../helpers/server.js';
import { startupDeadline, timeoutForStarts } from '../helpers/timing.js';
import { newUserId, TEST_JWT_SECRET, tokenFor } from '../helpers/tokens.js';

const shared = useTestServer();
const cliEnv = () => ({ API_URL: shared.url, JWT_SECRET: TEST_JWT_SECRET });
const completedData = (sessionId: string) =>
  JSON.stringify({ sessionId, sessionTitle: 'Weekly sync', durationSeconds: 95, segmentsCount: 12 });

// Each run of the CLI is a process start; the longest test runs five of them one after another.
describe('npm run notify', { timeout: timeoutForStarts(5) }, () => {
  it('should publish an event to every --user and print each outcome', async () => {
    const [alice, bob] = [newUserId(), newUserId()];
    const args = ['transcription.completed', '--user', alice, '--user', bob, '--data', completedData('session-9')];
    const run = await runNotify(args, cliEnv());
    console.log(`notify: exit ${run.code}\n${run.stdout}`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('transcription.completed → 2 recipients: 2 created');
    expect(lines[1]).toMatch(new RegExp(`^  ${alice} +CREATED +\\S+ +Transcription ready$`));
    expect(lines[2]).toMatch(new RegExp(`^  ${bob} +CREATED `));

    const client = userClient(shared.url, alice, await tokenFor(alice));
    const { notifications } = await client.data(NotificationsDocument, {});
    expect(notifications.edges.map((edge) => edge.node.message)).toEqual([
      "Your transcription 'Weekly sync' is ready to view (2 min, 12 segments).",
    ]);
    expect(lines[1]).toContain(notifications.edges[0]!.node.id);

    // The same event again: the event type's default key (type + session) makes it a duplicate.
    const again = await runNotify(args, cliEnv());
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[0]).toBe('transcription.completed → 2 recipients: 2 duplicate');
  });

  it('should pass --key and --collapse through', async () => {
    const user = newUserId();
    const warn = (key: string) =>
      runNotify(
        [
          'system.warning',
          '--user',
          user,
          '--data',
          '{"message":"Disk almost full"}',
          '--key',
          key,
          '--collapse',
          'disk',
        ],
        cliEnv(),
      );
    expect((await warn('disk-1')).stdout).toContain('1 created');
    expect((await warn('disk-1')).stdout).toContain('1 duplicate');
    expect((await warn('disk-2')).stdout).toContain('1 updated');
  });

  it("should print the server's BAD_USER_INPUT as one line and exit 1", async () => {
    const unknown = await runNotify(['transcription.exploded', '--user', 'alice'], cliEnv());
    console.log(`notify with an unknown event type: exit ${unknown.code}, stderr: ${unknown.stderr.trim()}`);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe('notify: BAD_USER_INPUT type: is not a known event type: transcription.exploded\n');

    const missing = await runNotify(
      ['transcription.completed', '--user', 'alice', '--data', '{"sessionId":"s","sessionTitle":"t"}'],
      cliEnv(),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^notify: BAD_USER_INPUT data\.durationSeconds: .+\n$/);
  });

  it('should refuse bad arguments before calling anyone, in one line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['system.warning', '--user', 'a', '--data', '{nope'], /^notify: --data is not valid JSON/],
      [['system.warning'], /^notify: give at least one --user, or --broadcast/],
      [['system.warning', '--user', 'a', '--broadcast'], /^notify: --broadcast goes to every user: no --user with it/],
      [['--user', 'a'], /^notify: which event type\? usage: npm run notify -- <event-type>/],
      [['system.warning', '--usr', 'a'], /^notify: Unknown option '--usr'/],
    ];
    for (const [args, message] of cases) {
      const run = await runNotify(args, { API_URL: 'http://127.0.0.1:9', JWT_SECRET: TEST_JWT_SECRET });
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('should say in one line that the server cannot be reached, and exit 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await runNotify(['system.warning', '--user', 'a', '--data', '{"message":"m"}'], {
      API_URL: url,
      JWT_SECRET: TEST_JWT_SECRET,
    });
    console.log(`notify with no server: exit ${run.code}, stderr: ${run.stderr.trim()}`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`notify: cannot reach the notification service at ${url} (ECONNREFUSED); is it running?\n`);
  });

  it('should say so when the server does not accept its token', async () => {
    const run = await runNotify(['system.warning', '--user', 'a', '--data', '{"message":"m"}'], {
      API_URL: shared.url,
      JWT_SECRET: 'another-secret-of-at-least-thirty-two-characters',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^notify: UNAUTHENTICATED The token is not signed with a key this server accepts\..*JWT_SECRET/,
    );
  });
});

describe('npm run notify --broadcast', { timeout: timeoutForStarts(4) }, () => {
  // Broadcast reaches every user the database knows: on the run's shared database it would reach the users
  // of every other test, so this server has a database of its own.
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DATABASE_URL: await freshDatabase() } });
  });
  afterAll(() => server?.stop());

  it('should publish to every known user and print the tally', async () => {
    const env = { API_URL: server.url, JWT_SECRET: TEST_JWT_SECRET };
    const users = [newUserId(), newUserId(), newUserId()];
    await runNotify(
      ['system.warning', ...users.flatMap((user) => ['--user', user]), '--data', '{"message":"hi"}'],
      env,
    );
    const data = '{"version":"2.1","summary":"Faster exports"}';

    const run = await runNotify(['system.update', '--broadcast', '--data', data, '--key', 'release-2.1'], env);
    console.log(`notify --broadcast: exit ${run.code}, ${run.stdout.trim()}`);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('system.update → broadcast to 3 users: 3 created\n');

    const again = await runNotify(['system.update', '--broadcast', '--data', data, '--key', 'release-2.1'], env);
    expect(again.stdout).toBe('system.update → broadcast to 3 users: 3 duplicate\n');
    const bad = await runNotify(['system.update', '--broadcast', '--data', '{"version":"2.1"}'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^notify: BAD_USER_INPUT data\.summary: /);
  });
});

describe('npm run notify against `npm start` in development', { timeout: timeoutForStarts(2) }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'notify-dev-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('should sign with the development secret the server keeps, with no configuration', async () => {
    const secretFile = path.join(dataDir, 'dev-jwt-secret');
    const env = testServerEnvironment({
      env: { NODE_ENV: 'development', JWT_SECRET: undefined, DEV_JWT_SECRET_FILE: secretFile },
    });
    const server = await startServerProcess(env, startupDeadline());
    try {
      expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
      const user = newUserId();
      const run = await runNotify(['system.warning', '--user', user, '--data', '{"message":"Hello from the CLI"}'], {
        API_URL: server.url,
        DEV_JWT_SECRET_FILE: secretFile,
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(new RegExp(`^system\\.warning → 1 recipient: 1 created\\n  ${user} +CREATED`));
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
    }
  });

  it('should tell how to get a secret when there is none', async () => {
    const run = await runNotify(['system.warning', '--user', 'a'], {
      API_URL: 'http://127.0.0.1:9',
      DEV_JWT_SECRET_FILE: path.join(dataDir, 'missing'),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^notify: no JWT_SECRET, and no development secret in .*missing: start the server once/);
  });
});

describe('npm run notify, from its bundle', { timeout: timeoutForStarts(1) }, () => {
  it('should make the bundle again when a source changed since, so that it never runs stale code', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const source = path.join(root, 'src/cli/arguments.ts');
    const bundle = path.join(root, 'node_modules/.cache/notification-api/cli/notify.js');
    const now = new Date();
    await utimes(source, now, now);

    const run = await runNotify(['--help'], {});
    console.log(`notify --help after a source changed (bundled again first): ${run.ms} ms`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run notify -- <event-type>/);
    expect((await stat(bundle)).mtimeMs).toBeGreaterThanOrEqual((await stat(source)).mtimeMs);

    const again = await runNotify(['--help'], {});
    console.log(`notify --help from the bundle: ${again.ms} ms`);
    expect(again.code).toBe(0);
  });
});
