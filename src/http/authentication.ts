// Every request needs a valid bearer token, checked before anything else runs: plain GraphQL requests,
// both SSE modes (each of single-connection mode's three requests), everything but the GraphiQL page
// itself, CORS preflights and the health check. A rejected request gets HTTP 401 with a GraphQL error.
import type { Plugin } from 'graphql-yoga';
import type { TokenVerifier, Viewer } from '../auth.js';
import { ExpectedError } from '../errors.js';
import { setRequestUser } from './request-id.js';

const viewers = new WeakMap<Request, Viewer>();

/** The caller of a request that passed authentication. */
export function viewerOf(request: Request): Viewer | undefined {
  return viewers.get(request);
}

const isGraphiQLPage = (request: Request) =>
  request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');

export function useAuthentication(verify: TokenVerifier, publicPaths: readonly string[]): Plugin {
  return {
    // No promise for a token verified before: most requests carry one, and each promise is work on every request.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method === 'OPTIONS' || isGraphiQLPage(request) || publicPaths.includes(url.pathname)) return;
      const accept = (viewer: Viewer) => {
        viewers.set(request, viewer);
        setRequestUser(viewer.userId);
      };
      const refuse = (error: unknown) => {
        const { message, extensions } =
          error instanceof ExpectedError ? error : new ExpectedError('UNAUTHENTICATED', 'Unauthenticated.');
        // The code and why (extensions.reason, src/errors.ts), not the rest (extensions.http is ours).
        const { code, reason } = extensions;
        endResponse(
          fetchAPI.Response.json(
            { errors: [{ message, extensions: reason ? { code, reason } : { code } }] },
            { status: 401, headers: { 'www-authenticate': 'Bearer' } },
          ),
        );
      };
      let viewer: Viewer | Promise<Viewer>;
      try {
        viewer = verify(request.headers.get('authorization'));
      } catch (error) {
        return refuse(error);
      }
      if (viewer instanceof Promise) return viewer.then(accept, refuse);
      accept(viewer);
    },
  };
}
