// Why an event failed, and whether trying again can help. An expected error (BAD_USER_INPUT and the like)
// is the event's own fault and permanent; anything else (PostgreSQL away, a bug) may pass, and is retried.
import { ExpectedError } from '../errors.js';

export interface Failure {
  permanent: boolean;
  /** The expected error's code, or the underlying one (ECONNREFUSED, a Prisma code…), or INTERNAL. */
  code: string;
  reason: string;
  /** The input field at fault, for BAD_USER_INPUT. */
  field?: string;
}

export function failureOf(error: unknown): Failure {
  if (error instanceof ExpectedError) {
    const field = error.extensions.field;
    return {
      permanent: true,
      code: error.code,
      reason: error.message,
      ...(typeof field === 'string' ? { field } : {}),
    };
  }
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return {
    permanent: false,
    code: typeof code === 'string' && code ? code : 'INTERNAL',
    reason: (typeof message === 'string' && message.trim()) || String(error),
  };
}
