// urql (@urql/core 6) against the notification API: queries and mutations over fetch, subscriptions over
// graphql-sse (distinct connections, on /graphql), each request with a fresh bearer token. Copy it into a
// frontend; docs/frontend.md shows it in use, and test/examples/urql.test.ts runs it against a real server.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createSseClient } from 'graphql-sse';

export interface ApiOptions {
  /** The API's origin, e.g. `https://api.example.com`. */
  url: string;
  /** A fresh token for each request and each (re)connection. */
  token: () => string | Promise<string>;
}

/** Adds the bearer token to every request urql sends over fetch. */
const withToken =
  (token: ApiOptions['token']): typeof fetch =>
  async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${await token()}`);
    return fetch(input, { ...init, headers });
  };

export function createUrqlClient({ url, token }: ApiOptions): { client: Client; dispose(): void } {
  const endpoint = `${url.replace(/\/+$/, '')}/graphql`;
  const sse = createSseClient({
    url: endpoint,
    headers: async () => ({ authorization: `Bearer ${await token()}` }),
  });
  const client = new Client({
    url: endpoint,
    fetch: withToken(token),
    // The API answers with application/graphql-response+json; POST JSON needs no CSRF header.
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const operation = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              return { unsubscribe: sse.subscribe(operation, sink) };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => sse.dispose() };
}
