// The one error type of the client: an error the API answered, or why no answer came.

/** An error in a GraphQL response, as the API sends it. */
export interface GraphQLErrorLike {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/**
 * An error the API answered; `code` is its `extensions.code` (UNAUTHENTICATED, NOT_FOUND, …), or the
 * client's own: NETWORK_ERROR (no answer, or an answer that is not GraphQL; `cause` says why) and
 * INTERNAL_SERVER_ERROR (an answer without data).
 */
export class GraphQLRequestError extends Error {
  override name = 'GraphQLRequestError';
  constructor(
    readonly code: string,
    message: string,
    readonly errors: readonly GraphQLErrorLike[] = [],
    /** The HTTP status, when the error came with one. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The first error's code and message; all of them in `errors`. */
  static from(errors: readonly GraphQLErrorLike[], status?: number): GraphQLRequestError {
    const [first] = errors;
    const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
    return new GraphQLRequestError(code, first?.message ?? 'Unknown error.', errors, status);
  }
}

/** Any failure as a GraphQLRequestError: graphql-sse's and fetch's errors become NETWORK_ERROR (or the status's code). */
export function asRequestError(error: unknown): GraphQLRequestError {
  if (error instanceof GraphQLRequestError) return error;
  // graphql-sse's NetworkError carries the response: the API answers a refused stream with a JSON error.
  const status = (error as { response?: { status?: number } } | undefined)?.response?.status;
  if (status === 401) return new GraphQLRequestError('UNAUTHENTICATED', 'Unauthenticated.', [], 401, { cause: error });
  if (status === 429) return new GraphQLRequestError('RATE_LIMITED', 'Too many requests.', [], 429, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new GraphQLRequestError('NETWORK_ERROR', message, [], status, { cause: error });
}
