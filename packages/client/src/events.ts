// The inbox's changes, followed over graphql-sse: whenever the stream ends or breaks, it resumes from the last
// position it delivered, so each change arrives once, in order, none missed (docs/api.md, "What nothing lost
// means").
import { createClient, type RequestParams } from 'graphql-sse';
import { operationBody } from './documents.js';
import { asRequestError, type GraphQLErrorLike, GraphQLRequestError } from './errors.js';
import {
  InboxEventsDocument,
  type InboxEventsSubscription,
  type InboxEventsSubscriptionVariables,
} from './generated/graphql.js';

/** One change of the inbox: its position, kind, the notification (or ids) it touched and the counts after it. */
export type InboxEvent = InboxEventsSubscription['notificationEvents'];

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

/** How the stream reaches the server: the client's settings. */
export interface StreamTarget {
  endpoint: string;
  authorization(): Promise<string>;
  persisted: boolean;
  fetch: typeof fetch;
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

const defaultDelay = (attempt: number) => Math.min(10_000, 250 * 2 ** attempt) * (0.75 + Math.random() / 2);

/** Positions are decimal integers; a cursor (given as the first `after`) is not comparable and compares as older. */
const isAfter = (position: string, last: string | undefined) =>
  last === undefined || !/^\d+$/.test(last) || BigInt(position) > BigInt(last);

/** Follows every change of the caller's inbox from `after`, reconnecting and resuming until stopped. */
export function followEvents(
  { endpoint, authorization, persisted, fetch: fetchFn }: StreamTarget,
  { after, onEvent, onResync, onStatus, retryDelayMs = defaultDelay }: EventsOptions,
): EventStream {
  // Retries are ours, not graphql-sse's: each reconnection must ask again from the last position delivered.
  const sse = createClient({
    url: endpoint,
    headers: async () => ({ authorization: await authorization() }),
    retryAttempts: 0,
    fetchFn,
  });
  let position = after;
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  let wake: (() => void) | undefined;

  /** One subscription, until it ends: how it ended, as an error, or undefined when it just completed. */
  const follow = () =>
    new Promise<GraphQLRequestError | undefined>((resolve) => {
      const variables: InboxEventsSubscriptionVariables = { after: position ?? null };
      let ending: GraphQLRequestError | undefined;
      unsubscribe = sse.subscribe<InboxEventsSubscription>(
        operationBody(InboxEventsDocument, variables, persisted) as unknown as RequestParams,
        {
          next: (result) => {
            if (result.errors?.length) {
              ending = GraphQLRequestError.from(result.errors as readonly GraphQLErrorLike[]);
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
