// graphql-sse's single-connection mode, with its failures answered: the Yoga plugin parses and
// validates an operation itself and lets a thrown error (a syntax error, a document past the limits)
// reject the request, which the server then answers with HTTP 500 and the error's text. Here a GraphQL
// error becomes the 400 it is, and anything else the masked 500 every other unexpected error gets.
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import { currentRequestId } from './request-id.js';

export function useSingleConnectionSse(endpoint: string, logger: Logger): Plugin {
  const plugin = useGraphQLSSE({ endpoint }) as Plugin;
  const onRequest = plugin.onRequest!;
  return {
    ...plugin,
    async onRequest(payload) {
      try {
        await onRequest(payload);
      } catch (error) {
        const requestId = currentRequestId();
        const expected = error instanceof GraphQLError && !error.originalError;
        if (!expected) logger.error({ err: error }, 'unexpected error');
        const body = expected
          ? { errors: [{ message: error.message, extensions: { code: error.extensions.code ?? 'BAD_REQUEST' } }] }
          : { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] };
        payload.endResponse(payload.fetchAPI.Response.json(body, { status: expected ? 400 : 500 }));
      }
    },
  };
}
