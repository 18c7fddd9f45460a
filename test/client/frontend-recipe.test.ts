// docs/frontend.md followed by a frontend in a project of its own, in a temporary folder: the client package
// packed and unpacked as an install would, the docs' codegen config, operation, code and tsconfig as they are
// written there, types generated from the shipped schema and by introspection (which must agree), the type check,
// and the code run against a real server.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';
import { scaled } from '../helpers/timing.js';
import { TEST_JWT_SECRET } from '../helpers/tokens.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = useTestServer();

/** The code blocks of docs/frontend.md marked `<!-- recipe: <file> -->`, by file. */
async function recipe(): Promise<Map<string, string>> {
  const text = await readFile(path.join(root, 'docs/frontend.md'), 'utf8');
  const files = new Map<string, string>();
  for (const [, file, body] of text.matchAll(/<!-- recipe: (\S+) -->\n```\w*\n([\s\S]*?)```/g)) {
    files.set(file!, body!);
  }
  return files;
}

/** Runs a command to its end, without blocking: the test server answers from this process meanwhile. */
async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), scaled(60_000));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  expect(code, `${command} ${args.join(' ')}\n${output}`).toBe(0);
  return stdout;
}

/** The repository's installed packages the frontend needs besides the client (its dependencies and tools). */
const LINKED = ['graphql-sse', '@graphql-typed-document-node', '@graphql-codegen', 'graphql', 'typescript', 'tsx'];

describe('the frontend recipe of docs/frontend.md', { timeout: scaled(180_000) }, () => {
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'frontend-'));
  });
  afterAll(() => rm(project, { recursive: true, force: true }));

  it('should install the packed client, generate typed documents with typed scalars, type-check and run', async () => {
    const files = await recipe();
    expect([...files.keys()].sort()).toEqual(['codegen.ts', 'src/latest.graphql', 'src/latest.ts', 'tsconfig.json']);

    // The package as `npm pack` makes it (its prepare builds dist/), unpacked where an install puts it.
    const packed = JSON.parse(
      await run(
        'npm',
        ['pack', '--workspace', '@notification-api/client', '--pack-destination', project, '--json'],
        root,
      ),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    expect(packed[0]!.files.map((file) => file.path)).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/schema.graphql',
        'dist/persisted-documents.json',
      ]),
    );
    const installed = path.join(project, 'node_modules/@notification-api/client');
    await mkdir(installed, { recursive: true });
    await run(
      'tar',
      ['xzf', path.join(project, packed[0]!.filename), '--strip-components=1', '-C', installed],
      project,
    );
    for (const name of LINKED) {
      await mkdir(path.dirname(path.join(project, 'node_modules', name)), { recursive: true });
      await symlink(path.join(root, 'node_modules', name), path.join(project, 'node_modules', name));
    }

    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'frontend', type: 'module' }));
    for (const [file, body] of files) {
      await mkdir(path.dirname(path.join(project, file)), { recursive: true });
      await writeFile(path.join(project, file), body);
    }
    // What the types must be: DateTime a string and JSON a JSON value, never `unknown` or `any`.
    await writeFile(
      path.join(project, 'src/types.ts'),
      `import type { JsonValue } from '@notification-api/client';
import type { LatestQuery } from './generated/graphql.js';
type Node = LatestQuery['notifications']['edges'][number]['node'];
export const createdAt = (node: Node): string => node.createdAt;
export const metadata = (node: Node): JsonValue => node.metadata;
// @ts-expect-error a DateTime is no number
export const notANumber = (node: Node): number => node.createdAt;
// @ts-expect-error JSON is not any: it is no function
export const notAFunction = (node: Node): (() => void) => node.metadata;
`,
    );

    const codegen = path.join(project, 'node_modules/@graphql-codegen/cli/esm/bin.js');
    await run(process.execPath, [codegen, '--config', 'codegen.ts'], project);
    const fromFile = await readFile(path.join(project, 'src/generated/graphql.ts'), 'utf8');
    expect(fromFile).toContain("import type { DateTimeString, JsonValue } from '@notification-api/client';");
    const token = (
      await run('npm', ['run', '-s', 'token', '--', '--user', 'codegen'], root, {
        JWT_SECRET: TEST_JWT_SECRET,
      })
    ).trim();
    await run(process.execPath, [codegen, '--config', 'codegen.ts'], project, {
      API_URL: shared.url,
      API_TOKEN: token,
    });
    expect(await readFile(path.join(project, 'src/generated/graphql.ts'), 'utf8')).toBe(fromFile);

    await run(
      process.execPath,
      [path.join(project, 'node_modules/typescript/bin/tsc'), '-p', '.', '--skipLibCheck', 'false'],
      project,
    );

    const user = await shared.newUser();
    await createNotification(shared.url, { userId: user.userId, title: 'from the recipe' });
    await writeFile(
      path.join(project, 'src/run.ts'),
      `import { latest } from './latest.js';
console.log(JSON.stringify(await latest(process.env.API_URL!, process.env.API_TOKEN!)));
`,
    );
    const output = await run(process.execPath, ['--import', 'tsx', 'src/run.ts'], project, {
      API_URL: shared.url,
      API_TOKEN: user.token,
    });
    const [first] = JSON.parse(output) as Array<{ title: string; at: string; metadata: unknown }>;
    expect(first).toMatchObject({ title: 'from the recipe', metadata: {} });
    expect(Number.isNaN(Date.parse(first!.at))).toBe(false);
  });
});
