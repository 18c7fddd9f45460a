// `npm run build` (and `prepare`, which `npm ci` runs): the typed documents from ../../schema.graphql and
// ./operations/, then src/ compiled into dist/ with its types, and the manifest and the schema beside them.
// Plain JavaScript, as it runs at install. `--unless-production` skips it in an install without development
// dependencies (`npm ci --omit=dev`), which has neither codegen nor TypeScript and needs no dist/ of this package.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);
/** The script of a package's command, or undefined when the package is not installed. */
const resolveBin = (pkg, bin) => {
  let manifest;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    return undefined;
  }
  return path.join(path.dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin[bin]);
};
const codegen = resolveBin('@graphql-codegen/cli', 'graphql-codegen');
const tsc = resolveBin('typescript', 'tsc');

if (!codegen || !tsc) {
  if (process.argv.includes('--unless-production')) {
    console.log('@notification-api/client: no development dependencies here, dist/ not built');
    process.exit(0);
  }
  throw new Error('building @notification-api/client needs @graphql-codegen/cli and typescript: npm ci first');
}

const run = (script, args) => execFileSync(process.execPath, [script, ...args], { cwd: here, stdio: 'inherit' });
run(codegen, ['--config', 'codegen.ts']);
rmSync(new URL('dist', import.meta.url), { recursive: true, force: true });
run(tsc, ['-p', 'tsconfig.build.json']);
copyFileSync(
  new URL('src/generated/persisted-documents.json', import.meta.url),
  new URL('dist/persisted-documents.json', import.meta.url),
);
copyFileSync(new URL('../../schema.graphql', import.meta.url), new URL('dist/schema.graphql', import.meta.url));
