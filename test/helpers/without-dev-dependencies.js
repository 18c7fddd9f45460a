// `node --import ./test/helpers/without-dev-dependencies.js dist/main.js`: runs the build as a production
// install (`npm ci --omit=dev`) would, where package.json's devDependencies are absent: importing one fails as
// a missing package does (ERR_MODULE_NOT_FOUND), without reinstalling anything. Plain JavaScript, as the build
// runs without tsx; it registers itself as the module hooks (which run on a thread of their own).
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const { devDependencies } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  // The client package is a workspace package: linked by a production install, but not built there (its
  // `prepare` needs development dependencies), so that nothing production runs may import it.
  register(import.meta.url, { data: { absent: [...Object.keys(devDependencies), '@notification-api/client'] } });
}

let absent = new Set();

export function initialize(data) {
  absent = new Set(data.absent);
}

export function resolve(specifier, context, next) {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (absent.has(name)) {
    const error = new Error(
      `Cannot find package '${name}' imported from ${context.parentURL} (a development dependency)`,
    );
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}
