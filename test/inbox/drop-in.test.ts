// docs/frontend.md's drop-in of <notification-inbox>, followed in a project of its own in a temporary folder: the
// client and inbox packages packed and unpacked as an install would, the docs' page and script as written there,
// type-checked, bundled with esbuild, and opened in headless Chromium against a real server, where a new
// notification shows on the bell.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';
import { scaled } from '../helpers/timing.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const server = useTestServer();

/** The code blocks of docs/frontend.md marked `<!-- <kind>: <file> -->`, by file. */
async function blocks(kind: string): Promise<Map<string, string>> {
  const text = await readFile(path.join(root, 'docs/frontend.md'), 'utf8');
  const files = new Map<string, string>();
  for (const [, file, body] of text.matchAll(
    new RegExp(`<!-- ${kind}: (\\S+) -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``, 'g'),
  )) {
    files.set(file!, body!);
  }
  return files;
}

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code, `${command} ${args.join(' ')}\n${output}`).toBe(0);
  return stdout;
}

/** What the two packages need from the registry, taken from this repository's install. */
const LINKED = [
  'lit',
  'lit-html',
  'lit-element',
  '@lit',
  '@lit-labs',
  'graphql-sse',
  '@graphql-typed-document-node',
  'typescript',
];

describe('the drop-in of docs/frontend.md', { timeout: scaled(180_000) }, () => {
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'drop-in-'));
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  it('should install the packed packages, type-check, bundle, and show a notification on the bell', async () => {
    const files = await blocks('drop-in');
    expect([...files.keys()].sort()).toEqual(['index.html', 'src/main.ts']);
    const tsconfig = (await blocks('recipe')).get('tsconfig.json')!;

    const packed = JSON.parse(
      await run(
        'npm',
        [
          'pack',
          '--workspace',
          '@notification-api/client',
          '--workspace',
          '@notification-api/inbox',
          '--pack-destination',
          project,
          '--json',
        ],
        root,
      ),
    ) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
    const inbox = packed.find((entry) => entry.name === '@notification-api/inbox')!;
    expect(inbox.files.map((file) => file.path)).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/notification-inbox.js']),
    );
    for (const entry of packed) {
      const installed = path.join(project, 'node_modules', entry.name);
      await mkdir(installed, { recursive: true });
      await run('tar', ['xzf', path.join(project, entry.filename), '--strip-components=1', '-C', installed], project);
    }
    for (const name of LINKED) {
      await mkdir(path.dirname(path.join(project, 'node_modules', name)), { recursive: true });
      await symlink(path.join(root, 'node_modules', name), path.join(project, 'node_modules', name));
    }
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'my-app', type: 'module' }));
    await writeFile(path.join(project, 'tsconfig.json'), tsconfig);
    for (const [file, body] of files) {
      await mkdir(path.dirname(path.join(project, file)), { recursive: true });
      await writeFile(path.join(project, file), body);
    }
    // The app's own sign-in, which the docs leave to it: here, the token in the address's fragment.
    await writeFile(
      path.join(project, 'src/auth.ts'),
      `export const freshToken = (): string => new URLSearchParams(location.hash.slice(1)).get('token') ?? '';\n`,
    );

    await run(process.execPath, [path.join(project, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
    const bundle = await build({
      entryPoints: [path.join(project, 'src/main.ts')],
      absWorkingDir: project,
      bundle: true,
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    expect(script).not.toContain('@notification-api/source');

    // Served at the API's origin (routed by the browser), as an app behind the same host would be.
    const html = files.get('index.html')!.replace('http://127.0.0.1:4000', server.url);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.route(`${server.url}/my-app/**`, (route) =>
        route.request().url().endsWith('.js')
          ? route.fulfill({ contentType: 'text/javascript', body: script })
          : route.fulfill({
              contentType: 'text/html',
              body: `<!doctype html><html lang="en"><body>${html}</body></html>`,
            }),
      );
      const user = await server.newUser();
      await page.goto(`${server.url}/my-app/index.html#token=${user.token}`);
      await page.waitForSelector('notification-inbox[status="live"]', { timeout: 10_000 }).catch((error: Error) => {
        throw new Error(`${error.message}; page errors: ${problems.join('; ')}`);
      });
      await createNotification(server.url, { userId: user.userId, title: 'Dropped in' });
      await expect.poll(() => page.locator('notification-inbox .badge').textContent(), { timeout: 10_000 }).toBe('1');
      await page.locator('notification-inbox .bell').click();
      expect(await page.locator('notification-inbox .item .title').textContent()).toContain('Dropped in');
    } finally {
      await browser.close();
    }
  });
});
