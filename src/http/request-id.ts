// Gives every request an id: taken from a well-formed `x-request-id` header (so a proxy's id carries
// through) or made anew, kept in `requestScope` for the whole handling, and echoed in the response.
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { requestScope } from '../logger.js';

const WELL_FORMED = /^[\w.:-]{1,64}$/;

/** A well-formed `x-request-id` as it was given; a new id for any other. */
export const requestIdFrom = (given: string | null | undefined): string =>
  given && WELL_FORMED.test(given) ? given : randomUUID();

export function useRequestId(): Plugin {
  return {
    instrumentation: {
      request: ({ request }, wrapped) => {
        return requestScope.run({ requestId: requestIdFrom(request.headers.get('x-request-id')) }, wrapped);
      },
    },
    onResponse: ({ response }) => {
      const scope = requestScope.getStore();
      if (scope) response.headers.set('x-request-id', scope.requestId);
    },
  };
}

/** The id of the request being handled; only defined while one is. */
export const currentRequestId = (): string | undefined => requestScope.getStore()?.requestId;

/** Marks the request being handled as the user's: its log lines carry the user id from here on. */
export function setRequestUser(userId: string): void {
  const scope = requestScope.getStore();
  if (scope) scope.userId = userId;
}
