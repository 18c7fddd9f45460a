// What a client may see of a result sent on a stream: no `http` or `unexpected` extensions, which are the
// server's own (an HTTP status means nothing inside an event that has already been answered 200).
import type { GraphQLFormattedError } from 'graphql';

interface ResultLike {
  errors?: readonly unknown[];
  extensions?: Record<string, unknown>;
}

/** An error as it goes out: the formatted error without the server's extensions. */
export function publicError(error: unknown): GraphQLFormattedError {
  const json = (
    typeof (error as { toJSON?: unknown }).toJSON === 'function'
      ? (error as { toJSON(): GraphQLFormattedError }).toJSON()
      : error
  ) as GraphQLFormattedError;
  const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions ?? {};
  const { extensions: _all, ...rest } = json;
  return Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest;
}

/** The result without the server's extensions, on its errors and on itself. */
export function publicResult<T extends ResultLike>(result: T): T {
  if (!result.errors?.length && !result.extensions?.http) return result;
  const { http: _http, ...extensions } = result.extensions ?? {};
  const { extensions: _all, errors, ...rest } = result;
  return {
    ...rest,
    ...(errors ? { errors: errors.map(publicError) } : {}),
    ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
  } as unknown as T;
}
