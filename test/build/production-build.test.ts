// The production build as an operator runs it: `npm run build`, then `node dist/main.js` with NODE_ENV=production,
// as after `npm ci --omit=dev` (test/helpers/without-dev-dependencies.js makes every devDependency missing).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { UnreadCountDocument } from '../generated/graphql.js';
import { execute, expectData } from '../helpers/graphql.js';
import { runNode, runServerToExit, startServerProcess } from '../helpers/process.js';
import { testServerEnvironment } from '../helpers/server.js';
import { scaled, startupDeadline, timeoutForStarts } from '../helpers/timing.js';
import { TEST_JWT_SECRET, tokenFor } from '../helpers/tokens.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BUILT = ['--import', './test/helpers/without-dev-dependencies.js', '--enable-source-maps', 'dist/main.js'];

const production = (env: Record<string, string | undefined> = {}) =>
  testServerEnvironment({ env: { NODE_ENV: 'production', ...env } });

beforeAll(() => {
  const started = performance.now();
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', timeout: scaled(60_000) });
  expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
  console.log(`npm run build: ${Math.round(performance.now() - started)} ms`);
}, scaled(60_000));

describe('the production build', () => {
  it('should serve /ready and GraphQL from node dist/main.js, without any development dependency', {
    timeout: timeoutForStarts(1),
  }, async () => {
    const started = performance.now();
    const server = await startServerProcess(production(), startupDeadline(), BUILT);
    try {
      console.log(`node dist/main.js listening after ${Math.round(performance.now() - started)} ms`);
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      const response = await execute(server.url, UnreadCountDocument, {}, { token: await tokenFor('built-reader') });
      expect(expectData(response).unreadCount.count).toBe(0);
      // No demo page in production: its bundler is a development dependency.
      expect((await fetch(`${server.url}/demo`)).status).not.toBe(200);

      const notify = await runNode(
        ['dist/cli/notify.js', 'system.warning', '--user', 'built-reader', '--data', '{"message":"built"}'],
        { API_URL: server.url, JWT_SECRET: TEST_JWT_SECRET },
        scaled(30_000),
      );
      console.log(`node dist/cli/notify.js answered in ${notify.ms} ms`);
      expect(notify, notify.stderr).toMatchObject({ code: 0 });
      expect(notify.stdout).toMatch(/^system\.warning → 1 recipient: 1 created$/m);
      const after = await execute(server.url, UnreadCountDocument, {}, { token: await tokenFor('built-reader') });
      expect(expectData(after).unreadCount.count).toBe(1);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).not.toMatch(/development dependency/);
  });

  it('should report a bad setting in one line, before loading the server', async () => {
    const started = performance.now();
    const run = await runServerToExit(production({ PORT: 'x' }), scaled(30_000), BUILT);
    console.log(`bad setting reported by node dist/main.js in ${Math.round(performance.now() - started)} ms`);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'invalid configuration: PORT Invalid input: expected number, received NaN',
    ]);
    expect(run.stdout).toBe('');
  });

  it('should say, in one line, that production needs DATABASE_URL, as it has no embedded PostgreSQL', {
    timeout: timeoutForStarts(1),
  }, async () => {
    const run = await runServerToExit(production({ DATABASE_URL: undefined }), startupDeadline(), BUILT);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'DATABASE_URL is not set, and the embedded PostgreSQL used without it is a development dependency, not installed here: set DATABASE_URL',
    ]);
  });
});
