// One line per request, at info level, when its response starts: method, path, status and time taken,
// under the request's id and (once authenticated) user id. A stream's line comes when it opens.
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';

export function useAccessLog(logger: Logger): Plugin {
  const started = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      if (logger.isLevelEnabled('info')) started.set(request, performance.now());
    },
    onResponse({ request, response }) {
      if (!logger.isLevelEnabled('info')) return;
      const since = started.get(request);
      logger.info(
        {
          method: request.method,
          // The path only: a query string may carry a GET operation's variables.
          path: new URL(request.url, 'http://localhost').pathname,
          status: response.status,
          durationMs: since === undefined ? undefined : Math.round((performance.now() - since) * 10) / 10,
        },
        'request',
      );
    },
  };
}
