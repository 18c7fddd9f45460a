// `npm run notify` and `npm run token`: runs a command line of src/cli/ from a bundle of it (one file with its
// dependencies inside), which node starts in tens of milliseconds where tsx would first compile the sources for
// a second or more. The bundle is made at install (scripts/postinstall.js) and made again whenever one of the
// files it was made from has changed since, so it never runs stale code. Where esbuild is absent (a production
// install), the production build's dist/cli/<name>.js runs instead. Plain JavaScript: node runs it as it is.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = path.join(ROOT, 'node_modules/.cache/notification-api/cli');
/** The command lines there are: their sources in src/cli/. */
export const COMMANDS = ['notify', 'token'];

const bundleOf = (name) => path.join(CACHE, `${name}.js`);
const inputsOf = (name) => path.join(CACHE, `${name}.inputs.json`);

/** Whether the bundle exists and is newer than each of the repository's files it was made from. */
function isFresh(name) {
  let made;
  let inputs;
  try {
    made = statSync(bundleOf(name)).mtimeMs;
    inputs = JSON.parse(readFileSync(inputsOf(name), 'utf8'));
  } catch {
    return false;
  }
  return inputs.every((input) => {
    try {
      return statSync(path.join(ROOT, input)).mtimeMs <= made;
    } catch {
      return false;
    }
  });
}

/** Bundles src/cli/<name>.ts; false when esbuild is not installed. */
export async function bundle(name) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return false;
  }
  const { outputFiles, metafile } = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [`src/cli/${name}.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // The client package's sources, as everywhere in this repository.
    conditions: ['@notification-api/source'],
    // A CommonJS dependency that requires a built-in module needs `require` in an ES module.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    minify: true,
    legalComments: 'none',
    metafile: true,
    write: false,
    outfile: bundleOf(name),
    logLevel: 'error',
  });
  // Dependencies change only with an install, which makes the bundle again.
  const inputs = Object.keys(metafile.inputs).filter((input) => !input.includes('node_modules/'));
  mkdirSync(CACHE, { recursive: true });
  // Written aside, then renamed: two commands started at once never read half a file.
  const temporary = `${bundleOf(name)}.${process.pid}`;
  writeFileSync(temporary, outputFiles[0].contents);
  writeFileSync(inputsOf(name), JSON.stringify(inputs));
  renameSync(temporary, bundleOf(name));
  return true;
}

/** The file to run for `name`: the bundle, made first when missing or stale, or the production build's. */
async function entryOf(name) {
  if (isFresh(name) || (await bundle(name))) return bundleOf(name);
  const built = path.join(ROOT, `dist/cli/${name}.js`);
  if (existsSync(built)) return built;
  throw new Error(`no esbuild to bundle src/cli/${name}.ts, and no ${built}: run npm ci, or npm run build`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, ...args] = process.argv.slice(2);
  if (!COMMANDS.includes(name)) {
    console.error(`usage: node scripts/cli.js (${COMMANDS.join(' | ')}) [arguments…]`);
    process.exit(2);
  }
  // The command reads its own arguments, as if it had been started directly.
  process.argv = [process.argv[0], bundleOf(name), ...args];
  await import(pathToFileURL(await entryOf(name)).href);
}
