import { AsyncLocalStorage } from 'node:async_hooks';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** What every log line written while serving one HTTP request should carry. */
export interface RequestScope {
  requestId: string;
}

// Error masking only sees the error, not the request; this is how it finds the request id to log and return.
export const requestScope = new AsyncLocalStorage<RequestScope>();

/** JSON lines to stdout, or to `destination`; each line of a request carries its id. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { requestId: scope.requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
