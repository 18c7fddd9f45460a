// Apollo Client 4 against the notification API: queries and mutations over HttpLink, subscriptions over
// graphql-sse through a small link, each request with a fresh bearer token. Copy it into a frontend;
// docs/frontend.md shows it in use, and test/examples/apollo.test.ts runs it against a real server.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { getMainDefinition } from '@apollo/client/utilities';
import { print } from 'graphql';
import { type Client, createClient as createSseClient } from 'graphql-sse';
import { Observable } from 'rxjs';

export interface ApiOptions {
  /** The API's origin, e.g. `https://api.example.com`. */
  url: string;
  /** A fresh token for each request and each (re)connection. */
  token: () => string | Promise<string>;
}

/** Subscriptions over GraphQL-over-SSE (graphql-sse's client), as Apollo's GraphQLWsLink does over WebSocket. */
export class SseLink extends ApolloLink {
  constructor(private readonly client: Client) {
    super();
  }

  override request(operation: ApolloLink.Operation): Observable<ApolloLink.Result> {
    return new Observable((observer) =>
      this.client.subscribe(
        {
          query: print(operation.query),
          variables: operation.variables,
          ...(operation.operationName ? { operationName: operation.operationName } : {}),
        },
        {
          next: (result) => observer.next(result as ApolloLink.Result),
          complete: () => observer.complete(),
          error: (error) => observer.error(error instanceof Error ? error : new Error(JSON.stringify(error))),
        },
      ),
    );
  }
}

const isSubscription = ({ query }: ApolloLink.Operation) => {
  const definition = getMainDefinition(query);
  return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
};

export function createApolloClient({ url, token }: ApiOptions): { client: ApolloClient; dispose(): void } {
  const endpoint = `${url.replace(/\/+$/, '')}/graphql`;
  const sse = createSseClient({
    url: endpoint,
    headers: async () => ({ authorization: `Bearer ${await token()}` }),
  });
  const http = new HttpLink({
    uri: endpoint,
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${await token()}`);
      return fetch(input, { ...init, headers });
    },
  });
  const client = new ApolloClient({
    link: ApolloLink.split(isSubscription, new SseLink(sse), http),
    cache: new InMemoryCache(),
  });
  return {
    client,
    dispose: () => {
      client.stop();
      sse.dispose();
    },
  };
}
