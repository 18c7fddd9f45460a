import { AsyncLocalStorage } from 'node:async_hooks';
import { type Logger, pino } from 'pino';

export type { Logger };

/** What every log line written while serving one HTTP request should carry. */
export interface RequestScope {
  requestId: string;
}

// Error masking only sees the error, not the request; this is how it finds the request id to log and return.
export const requestScope = new AsyncLocalStorage<RequestScope>();

export function createLogger(level: string): Logger {
  return pino({
    level,
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { requestId: scope.requestId } : {};
    },
  });
}
