// A typed `execute` over real HTTP or into an app in this process (test/helpers/app.ts), and assertions that
// read like what a client sees.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, type GraphQLFormattedError, print } from 'graphql';
import { expect } from 'vitest';

export interface GraphQLResponse<TData> {
  status: number;
  headers: Headers;
  body: ExecutionResult<TData>;
}

export interface ExecuteOptions {
  token?: string | null;
  headers?: Record<string, string>;
}

type Document<TData, TVariables> = TypedDocumentNode<TData, TVariables> | string;

/** An app answering requests in this process, without a socket (Yoga's `fetch`). */
export interface InProcessApp {
  fetch(path: string, init: RequestInit): Promise<Response>;
}

/** Where requests go: a running server's base URL (e.g. http://127.0.0.1:4000), or an app in this process. */
export type Endpoint = string | InProcessApp;

const send = (endpoint: Endpoint, path: string, init: RequestInit): Promise<Response> =>
  typeof endpoint === 'string' ? fetch(`${endpoint}${path}`, init) : endpoint.fetch(path, init);

export async function execute<TData, TVariables>(
  endpoint: Endpoint,
  document: Document<TData, TVariables>,
  variables?: TVariables,
  { token, headers = {} }: ExecuteOptions = {},
): Promise<GraphQLResponse<TData>> {
  const response = await send(endpoint, '/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as ExecutionResult<TData>,
  };
}

/** The data of a response that has no errors. */
export function expectData<TData>(response: GraphQLResponse<TData>): TData {
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  expect(response.body.data).toBeTruthy();
  return response.body.data as TData;
}

/** The one error of a response, checked to carry `code`. */
export function expectError(response: GraphQLResponse<unknown>, code: string): GraphQLFormattedError {
  const errors = response.body.errors ?? [];
  expect(
    errors.map((error) => error.extensions?.code),
    JSON.stringify(errors),
  ).toEqual([code]);
  return errors[0] as GraphQLFormattedError;
}

/** A client for one user: every request carries their token. */
export interface UserClient {
  userId: string;
  token: string;
  execute<TData, TVariables>(
    document: Document<TData, TVariables>,
    variables?: TVariables,
  ): Promise<GraphQLResponse<TData>>;
  /** Executes and returns the data, failing the test on any error. */
  data<TData, TVariables>(document: Document<TData, TVariables>, variables?: TVariables): Promise<TData>;
}

export function userClient(endpoint: Endpoint, userId: string, token: string): UserClient {
  return {
    userId,
    token,
    execute: (document, variables) => execute(endpoint, document, variables, { token }),
    data: async (document, variables) => expectData(await execute(endpoint, document, variables, { token })),
  };
}
