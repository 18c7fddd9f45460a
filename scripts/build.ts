// `npm run build`: src/ to JavaScript in dist/, file for file and not bundled, so that every module keeps its
// place and what it finds relative to itself (prisma/ and client/ two folders up, the dynamic imports of
// src/dev/) is found from dist/ alike. esbuild only strips types (about a second for all of src/); type
// checking is `npm run typecheck`'s job. `node dist/main.js` runs it.
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
console.log(`built src/ into ${OUT}/ in ${Math.round(performance.now() - started)} ms`);
