// `npm run build` (and `prepare`, which `npm pack` runs; at `npm ci` the root's postinstall runs it): src/
// compiled into dist/ with its types, after the client package's dist/ it is typed against (built first when
// missing). Plain JavaScript, as it runs at install; `--unless-production` skips it in an install without TypeScript.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// At install, npm runs the workspaces' `prepare` scripts side by side: the client's dist/ may be half-built
// then. The root's postinstall, which runs after them all, builds this package instead.
if (process.argv.includes('--unless-production') && ['ci', 'install'].includes(process.env.npm_command ?? '')) {
  process.exit(0);
}

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);
const name = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')).name;
let tsc;
try {
  const manifest = require.resolve('typescript/package.json');
  tsc = path.join(path.dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin.tsc);
} catch {
  if (process.argv.includes('--unless-production')) {
    console.log(`${name}: no development dependencies here, dist/ not built`);
    process.exit(0);
  }
  throw new Error(`building ${name} needs typescript: npm ci first`);
}

const client = path.join(here, '../client');
if (!existsSync(path.join(client, 'dist/index.d.ts'))) {
  execFileSync(process.execPath, ['build.js'], { cwd: client, stdio: 'inherit' });
}
rmSync(new URL('dist', import.meta.url), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: here, stdio: 'inherit' });
