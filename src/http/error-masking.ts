// Clients see expected errors as they are and a generic one for anything else; we log the original,
// under the request id the client also gets. Yoga's development mode would copy the original error and
// its stack into the response: this replaces that in every mode.
import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { MaskError } from 'graphql-yoga';
import { notFound } from '../errors.js';
import type { Logger } from '../logger.js';
import { currentRequestId } from './request-id.js';

const isRecordNotFound = (error: unknown) =>
  (error as { name?: string; code?: string } | null)?.name === 'PrismaClientKnownRequestError' &&
  (error as { code?: string }).code === 'P2025';

/**
 * Yoga describes the error under some request errors (the JSON parser's message on a malformed body) in
 * `extensions.originalError`: its own message says enough.
 */
function withoutOriginalError(error: GraphQLError): GraphQLError {
  if (!('originalError' in error.extensions)) return error;
  const { originalError: _, ...extensions } = error.extensions;
  const { nodes, source, positions, path } = error;
  return new GraphQLError(error.message, { nodes, source, positions, path, extensions });
}

export function createErrorMasking(logger: Logger): MaskError {
  return (error, message) => {
    const located = error instanceof GraphQLError ? error : undefined;
    const original = located ? located.originalError : error;
    // Source and positions too: compiled execution's errors have their locations but no nodes.
    const at = { nodes: located?.nodes, source: located?.source, positions: located?.positions, path: located?.path };
    // Pothos's own input errors (a malformed global id, say) are GraphQLErrors without a code.
    if (original instanceof PothosValidationError) {
      return new GraphQLError(original.message, { ...at, extensions: { code: 'BAD_USER_INPUT' } });
    }
    // graphql-js reports variables that do not fit their type (an unknown filter field, a wrong type)
    // without a code; to a client they are bad input like any other.
    const variable = located && !located.extensions.code ? /^Variable "\$(\w+)"/.exec(located.message)?.[1] : undefined;
    if (located && variable) {
      return new GraphQLError(located.message, {
        nodes: located.nodes,
        extensions: { ...located.extensions, code: 'BAD_USER_INPUT', field: variable },
      });
    }
    if (located && (!original || original instanceof GraphQLError)) return withoutOriginalError(located);
    if (isRecordNotFound(original))
      return new GraphQLError(notFound().message, { ...at, extensions: notFound().extensions });
    const requestId = currentRequestId();
    logger.error({ err: original, path: located?.path }, 'unexpected error');
    return new GraphQLError(message, { ...at, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } });
  };
}
