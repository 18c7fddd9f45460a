// One GraphQL operation over HTTP POST, and what came back, unjudged: the status, the headers and the result
// when the body was one. The typed `request` (./client.ts), the operators' CLI and the tests all send through it.
import type { GraphQLErrorLike } from './errors.js';

/** What a GraphQL response body holds. */
export interface GraphQLResult<TData> {
  data?: TData | null;
  errors?: GraphQLErrorLike[];
  extensions?: Record<string, unknown>;
}

/** The request body: a document, or the hash of a trusted one (`documentId`). */
export interface OperationBody {
  query?: string;
  documentId?: string;
  variables?: unknown;
  operationName?: string;
  extensions?: Record<string, unknown>;
}

export interface HttpResult<TData> {
  status: number;
  headers: Headers;
  /** Undefined when the body was not a JSON object (a proxy's error page, an empty body). */
  result: GraphQLResult<TData> | undefined;
}

export interface PostOptions {
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Sent after the defaults (content type, accept), so they can be replaced. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const ACCEPT = 'application/graphql-response+json, application/json';

/** POSTs one operation to `endpoint` (the full /graphql URL). Rejects only when no answer came (fetch's error). */
export async function postGraphQL<TData>(
  endpoint: string,
  body: OperationBody,
  { fetch: fetchFn = globalThis.fetch.bind(globalThis), headers = {}, signal }: PostOptions = {},
): Promise<HttpResult<TData>> {
  const response = await fetchFn(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  let result: unknown;
  try {
    result = JSON.parse(await response.text());
  } catch {
    result = undefined;
  }
  const isObject = typeof result === 'object' && result !== null && !Array.isArray(result);
  return {
    status: response.status,
    headers: response.headers,
    result: isObject ? (result as GraphQLResult<TData>) : undefined,
  };
}
