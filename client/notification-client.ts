// A small typed client of the notification API for frontends (the demo inbox uses it): `request` sends one
// typed document of client/generated over fetch; `events` follows the caller's change log over graphql-sse
// and, whenever the stream ends or breaks, resumes from the last position it delivered: nothing missed,
// nothing twice (docs/api.md, "What nothing lost means").
import { createClient, type RequestParams } from 'graphql-sse';
import {
  InboxEventsDocument,
  type InboxEventsSubscription,
  type InboxEventsSubscriptionVariables,
  type TypedDocumentString,
} from './generated/graphql.js';

/** One change of the inbox: its position, kind, the notification (or ids) it touched and the counts after it. */
export type InboxEvent = InboxEventsSubscription['notificationEvents'];

export interface NotificationClientOptions {
  /** The server's origin, e.g. `https://api.example.com`; '' for the page's own. */
  url: string;
  /** The bearer token, or a function asked before each request and each (re)connection for a fresh one. */
  token: string | (() => string | Promise<string>);
  /**
   * Send each operation's hash (`documentId`) instead of its text, as a server with
   * `PERSISTED_OPERATIONS=only` requires (its manifest: client/generated/persisted-documents.json).
   * @default false
   */
  persisted?: boolean;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

interface ErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

/** An error the API answered; `code` is its `extensions.code` (UNAUTHENTICATED, NOT_FOUND, …). */
export class GraphQLRequestError extends Error {
  override name = 'GraphQLRequestError';
  constructor(
    readonly code: string,
    message: string,
    readonly errors: readonly ErrorLike[] = [],
    /** The HTTP status, when the error came with one. */
    readonly status?: number,
  ) {
    super(message);
  }

  static from(errors: readonly ErrorLike[], status?: number): GraphQLRequestError {
    const [first] = errors;
    const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
    return new GraphQLRequestError(code, first?.message ?? 'Unknown error.', errors, status);
  }
}

/** Codes after which following again from the last position can help (a fresh token, another instance, time). */
const RESUMABLE = new Set([
  'AUTH_EXPIRED',
  'SHUTTING_DOWN',
  'SLOW_CONSUMER',
  'UNAUTHENTICATED',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  'NETWORK_ERROR',
]);

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface EventsOptions {
  /** Resume after this position (or cursor); without it, from now on. */
  after?: string | undefined;
  /** Each event once, in order. */
  onEvent(event: InboxEvent): void;
  /**
   * RESYNC_REQUIRED: the log no longer reaches back to the last position. Reload what is shown and return the
   * position to follow from (undefined: from now on). Without it, the stream follows from now on.
   */
  onResync?(): Promise<string | undefined> | string | undefined;
  onStatus?(status: StreamStatus, error?: GraphQLRequestError): void;
  /** The wait before reconnecting, by attempt (0, 1, …). @default 250 ms doubling to 10 s, with jitter */
  retryDelayMs?(attempt: number): number;
}

export interface EventStream {
  /** The position of the last event delivered: where the stream resumes from. */
  readonly position: string | undefined;
  stop(): void;
}

export interface NotificationClient {
  /** Runs one query or mutation; throws GraphQLRequestError with the first error's code. */
  request<TData, TVariables>(
    document: TypedDocumentString<TData, TVariables>,
    ...variables: Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables]
  ): Promise<TData>;
  /** Follows every change of the caller's inbox from `after`, reconnecting and resuming until stopped. */
  events(options: EventsOptions): EventStream;
}

const defaultDelay = (attempt: number) => Math.min(10_000, 250 * 2 ** attempt) * (0.75 + Math.random() / 2);

/** Positions are decimal integers; a cursor (given as the first `after`) is not comparable and compares as older. */
const isAfter = (position: string, last: string | undefined) =>
  last === undefined || !/^\d+$/.test(last) || BigInt(position) > BigInt(last);

function asRequestError(error: unknown): GraphQLRequestError {
  if (error instanceof GraphQLRequestError) return error;
  // graphql-sse's NetworkError carries the response: the API answers a refused stream with a JSON error.
  const status = (error as { response?: { status?: number } } | undefined)?.response?.status;
  if (status === 401) return new GraphQLRequestError('UNAUTHENTICATED', 'Unauthenticated.', [], 401);
  if (status === 429) return new GraphQLRequestError('RATE_LIMITED', 'Too many requests.', [], 429);
  const message = error instanceof Error ? error.message : String(error);
  return new GraphQLRequestError('NETWORK_ERROR', message, [], status);
}

export function createNotificationClient({
  url,
  token,
  persisted = false,
  fetch: fetchFn = globalThis.fetch.bind(globalThis),
}: NotificationClientOptions): NotificationClient {
  const endpoint = `${url.replace(/\/+$/, '')}/graphql`;
  const bearer = async () => `Bearer ${typeof token === 'function' ? await token() : token}`;
  const params = <TData, TVariables>(document: TypedDocumentString<TData, TVariables>, variables: unknown) => {
    const hash = document.__meta__?.hash as string | undefined;
    if (persisted && !hash) throw new Error('this document has no hash: run `npm run codegen`');
    return persisted ? { documentId: hash, variables } : { query: document.toString(), variables };
  };

  async function request<TData, TVariables>(
    document: TypedDocumentString<TData, TVariables>,
    ...[variables]: [] | [TVariables]
  ): Promise<TData> {
    let response: Response;
    try {
      response = await fetchFn(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: await bearer(),
        },
        body: JSON.stringify(params(document, variables)),
      });
    } catch (error) {
      throw asRequestError(error);
    }
    const body = (await response.json().catch(() => undefined)) as
      | { data?: TData | null; errors?: ErrorLike[] }
      | undefined;
    if (!body) throw new GraphQLRequestError('NETWORK_ERROR', `HTTP ${response.status}`, [], response.status);
    if (body.errors?.length) throw GraphQLRequestError.from(body.errors, response.status);
    if (body.data == null) throw new GraphQLRequestError('INTERNAL_SERVER_ERROR', 'No data.', [], response.status);
    return body.data;
  }

  function events({ after, onEvent, onResync, onStatus, retryDelayMs = defaultDelay }: EventsOptions): EventStream {
    // Retries are ours, not graphql-sse's: each reconnection must ask again from the last position delivered.
    const sse = createClient({
      url: endpoint,
      headers: async () => ({ authorization: await bearer() }),
      retryAttempts: 0,
      fetchFn,
    });
    let position = after;
    let stopped = false;
    let unsubscribe: (() => void) | undefined;
    let wake: (() => void) | undefined;

    /** One subscription, until it ends: how it ended, as an error code, or undefined when it just completed. */
    const follow = () =>
      new Promise<GraphQLRequestError | undefined>((resolve) => {
        const variables: InboxEventsSubscriptionVariables = { after: position ?? null };
        let ending: GraphQLRequestError | undefined;
        unsubscribe = sse.subscribe<InboxEventsSubscription>(
          params(InboxEventsDocument, variables) as unknown as RequestParams,
          {
            next: (result) => {
              if (result.errors?.length) {
                ending = GraphQLRequestError.from(result.errors as readonly ErrorLike[]);
                return;
              }
              const event = result.data?.notificationEvents;
              if (!event || !isAfter(event.position, position)) return;
              position = event.position;
              onEvent(event);
            },
            error: (error) => resolve(asRequestError(error)),
            complete: () => resolve(ending),
          },
          {
            connected: () => {
              if (!stopped) onStatus?.('live');
            },
          },
        );
      });

    (async () => {
      onStatus?.('connecting');
      for (let attempt = 0; !stopped; ) {
        const startedAt = Date.now();
        const error = await follow();
        if (stopped) break;
        if (error?.code === 'RESYNC_REQUIRED') {
          position = (await onResync?.()) ?? undefined;
          attempt = 0;
          continue;
        }
        if (error && !RESUMABLE.has(error.code)) {
          stopped = true;
          onStatus?.('stopped', error);
          break;
        }
        // A stream that lived a while starts its backoff over.
        if (Date.now() - startedAt > 30_000) attempt = 0;
        onStatus?.('reconnecting', error);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryDelayMs(attempt++));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      sse.dispose();
    })();

    return {
      get position() {
        return position;
      },
      stop() {
        if (stopped) return;
        stopped = true;
        unsubscribe?.();
        wake?.();
        sse.dispose();
        onStatus?.('stopped');
      },
    };
  }

  return { request: request as NotificationClient['request'], events };
}
