// After `npm ci`: generates the Prisma client and the typed documents, which are never committed, and bundles
// the command lines (scripts/cli.js), so that the first `npm run notify` starts at once. Plain
// JavaScript, as tsx may not be installed. A production install (`npm ci --omit=dev`) has neither generator
// and needs neither: it runs dist/, built beforehand with the generated code in it (`npm run build`).
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const installed = (name) => {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
};

if (installed('prisma') && installed('@graphql-codegen/cli')) {
  execSync('npm run generate && npm run codegen', { stdio: 'inherit' });
  // The packages built on the client's dist/ (their own prepare leaves this to us at install: see their build.js).
  execSync('npm run -s build --workspace @notification-api/inbox --workspace @notification-api/react', {
    stdio: 'inherit',
  });
  const { bundle, COMMANDS } = await import('./cli.js');
  for (const name of COMMANDS) await bundle(name);
} else {
  console.log('postinstall: no development dependencies (--omit=dev), nothing generated: run the build in dist/');
}
