// `npm run build`: src/ to JavaScript in dist/, file for file and not bundled, so that every module keeps its
// place and what it finds relative to itself (prisma/ and client/ two folders up, the dynamic imports of
// src/dev/) is found from dist/ alike. esbuild only strips types (about a second for all of src/); type
// checking is `npm run typecheck`'s job. `node dist/main.js` runs it. The command lines are the exception: each is
// bundled into one file, so that it needs nothing installed beside it (the client package it uses is a workspace
// package, whose dist/ a production install does not build), and starts at once.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const OUT = 'dist';

const started = performance.now();
await rm(OUT, { recursive: true, force: true });
await build({
  // Generated code included: the Prisma client is part of what production runs.
  entryPoints: ['src/**/*.ts'],
  outbase: 'src',
  outdir: OUT,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Stack traces name the TypeScript source under `node --enable-source-maps`.
  sourcemap: true,
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/cli/notify.ts', 'src/cli/token.ts'],
  outbase: 'src',
  outdir: OUT,
  allowOverwrite: true,
  bundle: true,
  // The client package's sources (packages/client/package.json's exports), as everywhere in this repository.
  conditions: ['@notification-api/source'],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // A CommonJS dependency that requires a built-in module needs `require` in an ES module.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`built src/ into ${OUT}/ in ${Math.round(performance.now() - started)} ms`);
