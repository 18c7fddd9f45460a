// A small typed client of the notification API: `request` sends one typed document over fetch and returns its
// data or throws a GraphQLRequestError; `events` follows the caller's inbox, resuming where it left off
// (./events.ts). The demo inbox, the operators' CLI and the tests use it; so can any frontend (docs/frontend.md).
import { operationBody, type TypedDocument, type VariablesOf } from './documents.js';
import { asRequestError, GraphQLRequestError } from './errors.js';
import { type EventStream, type EventsOptions, followEvents } from './events.js';
import { postGraphQL } from './http.js';

export interface NotificationClientOptions {
  /** The server's origin, e.g. `https://api.example.com`; '' for the page's own. */
  url: string;
  /** The bearer token, or a function asked before each request and each (re)connection for a fresh one. */
  token: string | (() => string | Promise<string>);
  /**
   * Send each operation's hash (`documentId`) instead of its text, as a server with
   * `PERSISTED_OPERATIONS=only` requires (its manifest: `@notification-api/client/persisted-documents.json`).
   * @default false
   */
  persisted?: boolean;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

export interface NotificationClient {
  /** Runs one query or mutation; throws GraphQLRequestError with the first error's code. */
  request<TData, TVariables>(
    document: TypedDocument<TData, TVariables>,
    ...variables: VariablesOf<TVariables>
  ): Promise<TData>;
  /** Follows every change of the caller's inbox from `after`, reconnecting and resuming until stopped. */
  events(options: EventsOptions): EventStream;
}

/** The /graphql endpoint of a server's origin. */
export const graphqlEndpoint = (url: string) => `${url.replace(/\/+$/, '')}/graphql`;

export function createNotificationClient({
  url,
  token,
  persisted = false,
  fetch: fetchFn = globalThis.fetch.bind(globalThis),
}: NotificationClientOptions): NotificationClient {
  const endpoint = graphqlEndpoint(url);
  const authorization = async () => `Bearer ${typeof token === 'function' ? await token() : token}`;

  async function request<TData, TVariables>(
    document: TypedDocument<TData, TVariables>,
    ...[variables]: VariablesOf<TVariables>
  ): Promise<TData> {
    const body = operationBody(document, variables, persisted);
    let answer: Awaited<ReturnType<typeof postGraphQL<TData>>>;
    try {
      answer = await postGraphQL<TData>(endpoint, body, {
        fetch: fetchFn,
        headers: { authorization: await authorization() },
      });
    } catch (error) {
      throw asRequestError(error);
    }
    const { status, result } = answer;
    if (!result) throw new GraphQLRequestError('NETWORK_ERROR', `HTTP ${status}, not a GraphQL response`, [], status);
    if (result.errors?.length) throw GraphQLRequestError.from(result.errors, status);
    if (result.data == null) throw new GraphQLRequestError('INTERNAL_SERVER_ERROR', 'No data.', [], status);
    return result.data;
  }

  return {
    request,
    events: (options) => followEvents({ endpoint, authorization, persisted, fetch: fetchFn }, options),
  };
}
