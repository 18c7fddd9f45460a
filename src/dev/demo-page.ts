// The demo inbox (client/demo/) at /demo when DEMO is on: bundled by esbuild into memory when the server
// starts (about 100 ms; nothing is written, nothing is fetched), and served before authentication, since the
// page itself carries no secret: it takes the token from its address's fragment, which never reaches us.
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'graphql-yoga';
import { DEMO_PATH } from '../http/paths.js';
import type { PersistedOperationsMode } from '../security/config.js';
import { StartupError } from '../startup-error.js';

const CLIENT_DIR = new URL('../../client/', import.meta.url);

interface Asset {
  type: string;
  body: string;
}

/** The page's files by path, ready to serve. */
export type DemoPage = ReadonlyMap<string, Asset>;

/**
 * Bundles the demo page. `persisted` is the server's PERSISTED_OPERATIONS: with it on, the page sends
 * hashes (packages/client/src/generated/persisted-documents.json must then be the server's manifest).
 */
export async function buildDemoPage(persisted: PersistedOperationsMode): Promise<DemoPage> {
  const { build } = await import('esbuild').catch((error: unknown) => {
    // A production install (`npm ci --omit=dev`) has no esbuild.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new StartupError('DEMO needs esbuild, a development dependency not installed here: set DEMO=false');
  });
  let outputs: Awaited<ReturnType<typeof build>>['outputFiles'];
  try {
    ({ outputFiles: outputs } = await build({
      entryPoints: {
        app: new URL('demo/main.ts', CLIENT_DIR).pathname,
        style: new URL('demo/style.css', CLIENT_DIR).pathname,
        // Served at /demo/sw.js: a service worker's scope is its folder, /demo/.
        sw: new URL('demo/sw.ts', CLIENT_DIR).pathname,
      },
      bundle: true,
      // The client package's sources (packages/client/package.json's exports), as everywhere in this repository.
      conditions: ['@notification-api/source'],
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
      outdir: '/demo',
      logLevel: 'silent',
    }));
  } catch (error) {
    throw new Error(
      `cannot build the demo page (run \`npm run codegen\`, or set DEMO=false): ${(error as Error).message}`,
    );
  }
  const html = (await readFile(new URL('demo/index.html', CLIENT_DIR), 'utf8')).replace(
    '<meta name="persisted-operations" content="off" />',
    `<meta name="persisted-operations" content="${persisted}" />`,
  );
  const assets = new Map<string, Asset>([
    [DEMO_PATH, { type: 'text/html; charset=utf-8', body: html }],
    [`${DEMO_PATH}/`, { type: 'text/html; charset=utf-8', body: html }],
  ]);
  for (const output of outputs ?? []) {
    const type = output.path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    assets.set(`${DEMO_PATH}/${output.path.split('/').pop()}`, { type, body: output.text });
  }
  return assets;
}

/** Only our own scripts and styles, and requests to this origin: a notification's text can never run. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function useDemoPage(page: DemoPage): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const asset = page.get(url.pathname);
      if (!asset) return;
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : asset.body, {
          headers: {
            'content-type': asset.type,
            'cache-control': 'no-cache',
            'content-security-policy': CONTENT_SECURITY_POLICY,
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
          },
        }),
      );
    },
  };
}
