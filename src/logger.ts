import { AsyncLocalStorage } from 'node:async_hooks';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** What every log line written while serving one HTTP request should carry. */
export interface RequestScope {
  requestId: string;
  /** Set once the request's token is verified. */
  userId?: string;
}

// Error masking only sees the error, not the request; this is how it finds the request id to log and return.
export const requestScope = new AsyncLocalStorage<RequestScope>();

/**
 * Anything that may hold a credential, wherever it is nested in a logged object, is censored. Nothing logs
 * headers or variables today; this keeps a future `logger.info({ request })` from leaking a token.
 */
const REDACTED = [
  'authorization',
  'token',
  'headers.authorization',
  '*.authorization',
  '*.token',
  '*.headers.authorization',
];

/** JSON lines to stdout, or to `destination`; each line of a request carries its id and, once known, its user. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: REDACTED,
    mixin: () => {
      const scope = requestScope.getStore();
      if (!scope) return {};
      return scope.userId ? { requestId: scope.requestId, userId: scope.userId } : { requestId: scope.requestId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
