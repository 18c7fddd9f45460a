// A typed `execute` over real HTTP or into an app in this process (test/helpers/app.ts), sent by the shared
// client's `postGraphQL` (@notification-api/client), and assertions that read like what a client sees.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { postGraphQL } from '@notification-api/client';
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

/** The origin requests to an in-process app are addressed to; its `fetch` is given their path. */
const IN_PROCESS = 'http://in-process';

export async function execute<TData, TVariables>(
  endpoint: Endpoint,
  document: Document<TData, TVariables>,
  variables?: TVariables,
  { token, headers = {} }: ExecuteOptions = {},
): Promise<GraphQLResponse<TData>> {
  const inProcess = typeof endpoint === 'string' ? undefined : endpoint;
  const {
    status,
    headers: responseHeaders,
    result,
  } = await postGraphQL<TData>(
    `${inProcess ? IN_PROCESS : endpoint}/graphql`,
    { query: typeof document === 'string' ? document : print(document), variables },
    {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(inProcess ? { fetch: (url, init) => inProcess.fetch(new URL(String(url)).pathname, init ?? {}) } : {}),
    },
  );
  if (!result) throw new Error(`HTTP ${status} without a GraphQL body`);
  return { status, headers: responseHeaders, body: result as ExecutionResult<TData> };
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
