// Expected failures: each carries an `extensions.code` a client can branch on. Anything else thrown
// is unexpected, and the error masking in app.ts hides it from clients.
import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'RATE_LIMITED'
  /** cancelScheduled on a notification that was sent already. */
  | 'ALREADY_SENT'
  /** A live stream fell too far behind its events and was ended; the client resumes from its position. */
  | 'SLOW_CONSUMER'
  /** The position asked for is no longer in the change log: reload, then follow from the current position. */
  | 'RESYNC_REQUIRED'
  /** The token of a live stream expired; the client resumes with a fresh token from its position. */
  | 'AUTH_EXPIRED'
  /** The server is stopping; the client resumes from its position, on another instance or this one later. */
  | 'SHUTTING_DOWN';

/** An error the client caused or may handle; its message and extensions are shown as they are. */
export class ExpectedError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }

  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

/**
 * Why a request's token was refused (`extensions.reason` of UNAUTHENTICATED): enough to know what to fix, never
 * which key, issuer or claim the server expected.
 */
export type UnauthenticatedReason =
  /** No `Authorization` header. */
  | 'MISSING'
  /** Not `Bearer <JWT>`, or not a JWT. */
  | 'MALFORMED'
  | 'EXPIRED'
  /** Not signed by a key this server trusts, or with an algorithm it does not accept. */
  | 'BAD_SIGNATURE'
  /** Well signed, but its issuer, audience, subject or validity period are not accepted here. */
  | 'CLAIMS_REJECTED';

export const unauthenticated = (message = 'A valid bearer token is required.', reason?: UnauthenticatedReason) =>
  new ExpectedError('UNAUTHENTICATED', message, { ...(reason ? { reason } : {}), http: { status: 401 } });

export const forbidden = (message = 'You are not allowed to do this.') => new ExpectedError('FORBIDDEN', message);

// One message for missing and foreign notifications alike, so that ids of other users reveal nothing.
export const notFound = () => new ExpectedError('NOT_FOUND', 'Notification not found.');

export const badUserInput = (field: string, message: string) =>
  new ExpectedError('BAD_USER_INPUT', `${field}: ${message}`, { field });
