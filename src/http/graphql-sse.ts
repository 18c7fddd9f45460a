// graphql-sse on GRAPHQL_STREAM_PATH: single-connection mode (PUT a reservation, GET its stream, POST
// operations into it, DELETE one) and distinct-connections mode as graphql-sse serves it there.
//
// Every operation goes through Yoga's own pipeline, the one /graphql runs after reading a request:
// `parseRequest` (the onRequestParse hooks: CSRF, the introspection switch, Yoga's parsers and checks),
// then `getResultForParams` (the onParams hooks: trusted documents; parse, validate and execute with every
// envelop plugin: operation limits, rate limits, the stream cap; the onExecutionResult hooks). Yoga's
// graphql-sse plugin parsed, validated and executed by itself instead, past the onRequestParse and onParams
// hooks, so whatever rule lived there (introspection off, PERSISTED_OPERATIONS) never applied here. Only
// graphql-sse's own part is left to it: the protocol, its reservations and streams.
//
// Reservations are the user's own (src/limits/stream-reservations.ts): someone else's token is answered
// exactly as an unknown one, and each counts against the user's stream cap until its stream closes or it
// expires unused.

import { type ExecutionResult, GraphQLError } from 'graphql';
import { createHandler, type Request as SseRequest, type Response as SseResponse, TOKEN_HEADER_KEY } from 'graphql-sse';
import { isAsyncIterable, type Plugin, type YogaServer } from 'graphql-yoga';
import { rateLimited } from '../limits/rate-limit.js';
import type { StreamLeases } from '../limits/stream-leases.js';
import { type Reservation, StreamReservations } from '../limits/stream-reservations.js';
import type { Logger } from '../logger.js';
import { viewerOf } from './authentication.js';
import { createErrorMasking } from './error-masking.js';
import { publicError, publicResult } from './public-result.js';
import { currentRequestId } from './request-id.js';

export interface SingleConnectionSseOptions {
  endpoint: string;
  logger: Logger;
  /** The stream cap's leases: each reservation holds one. */
  leases: StreamLeases;
  /** How long a reservation waits for its stream before it is dropped. */
  reservationTtlMs: number;
}

export interface SingleConnectionSse {
  plugin: Plugin;
  /** The leases the stream cap must take: a subscription posted into a reservation uses the reservation's. */
  streamLeases: StreamLeases;
}

/** What the handler is told for a token that is not one of the caller's reservations: no stream has it. */
const NO_STREAM = 'none';
/** Not a real request: the server closing an expired reservation's stream in the handler. */
type Expiry = { expiring: string };
type Raw = Request | Expiry;
type FetchAPI = { Response: typeof Response; ReadableStream: typeof ReadableStream };

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const json = (status: number, errors: unknown[], headers: Record<string, string> = {}): SseResponse => [
  JSON.stringify({ errors }),
  { status, statusText: '', headers: { ...JSON_TYPE, ...headers } },
];

/** Codes for graphql-sse's own answers ("Stream not found", "Operation ID is missing"…), which have none. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'BAD_REQUEST',
  409: 'CONFLICT',
};

function withCodes(body: string, status: number): string {
  const code = CODE_BY_STATUS[status];
  if (!code) return body;
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    if (!parsed.errors?.some((error) => !error.extensions?.code)) return body;
    const errors = parsed.errors.map((error) =>
      error.extensions?.code ? error : { ...error, extensions: { ...error.extensions, code } },
    );
    return JSON.stringify({ ...parsed, errors });
  } catch {
    return body;
  }
}

/** A result refused before it executed (no `data`), answered as /graphql answers one: JSON, with its status. */
function requestError(errors: readonly GraphQLError[]): SseResponse {
  let status = 0;
  const headers: Record<string, string> = {};
  for (const error of errors) {
    const http = error.extensions?.http as { status?: number; headers?: Record<string, string> } | undefined;
    Object.assign(headers, http?.headers);
    if (http?.status && http.status > status) status = http.status;
  }
  const unexpected = errors.some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR');
  return json(status || (unexpected ? 500 : 400), errors.map(publicError), headers);
}

async function fromFetchResponse(response: Response): Promise<SseResponse> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return [await response.text(), { status: response.status, statusText: response.statusText, headers }];
}

/** The stream graphql-sse writes, as a response body; `onEnd` runs once when it ends, however it ends. */
function streamBody(
  fetchAPI: FetchAPI,
  messages: AsyncGenerator<string, void, undefined>,
  signal: AbortSignal,
  onEnd: () => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
    void messages.return(undefined);
  };
  // The client may have gone before the stream existed: then no abort event comes any more.
  if (signal.aborted) end();
  else signal.addEventListener('abort', end, { once: true });
  return new fetchAPI.ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await messages.next();
        if (value != null) controller.enqueue(encoder.encode(value));
        if (done) {
          end();
          controller.close();
        }
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    cancel: end,
  });
}

/**
 * graphql-sse ends an operation (on DELETE, or when its stream closes or expires) only if it looks like an
 * async generator, `throw` included; the streams of this server are plain async iterators. Without this
 * they ran on, with their leases and Redis subscriptions, into a stream nobody reads.
 */
function asAsyncGenerator<T>(iterable: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const iterator = iterable[Symbol.asyncIterator]();
  const generator = {
    next: () => iterator.next(),
    async return() {
      await iterator.return?.();
      return { done: true as const, value: undefined };
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => generator,
  };
  return generator as unknown as AsyncGenerator<T, void, undefined>;
}

export function useSingleConnectionSse({
  endpoint,
  logger,
  leases,
  reservationTtlMs,
}: SingleConnectionSseOptions): SingleConnectionSse {
  const maskError = createErrorMasking(logger);
  // biome-ignore lint/suspicious/noExplicitAny: Yoga's contexts are the app's; this plugin only passes them on.
  let yoga: YogaServer<Record<string, any>, Record<string, any>>;
  const serverContexts = new WeakMap<Request, Record<string, unknown>>();
  /** The caller's reservation each request named (by token) or made (PUT). */
  const reservationOf = new WeakMap<Request, Reservation>();
  const reservations = new StreamReservations(leases, reservationTtlMs, closeStream);

  /** Runs an operation through Yoga's pipeline: a result for the stream, or the answer to its POST/GET. */
  async function run(request: Request): Promise<SseResponse | ExecutionResult | AsyncIterable<ExecutionResult>> {
    const reservation = reservationOf.get(request);
    // An operation posted into a reservation lives as long as the reservation's stream, not its short POST.
    const serverContext = {
      ...serverContexts.get(request),
      ...(reservation ? { streamSignal: reservation.signal } : {}),
    };
    let result: ExecutionResult | AsyncIterable<ExecutionResult> | undefined;
    try {
      const parsed = await yoga.parseRequest(request, serverContext as never);
      if (parsed.response) return await fromFetchResponse(parsed.response);
      const params = parsed.requestParserResult;
      if (Array.isArray(params))
        throw new GraphQLError('Batching is not supported.', { extensions: { code: 'BAD_REQUEST' } });
      result = await reservations.postingInto(reservation, () =>
        yoga.getResultForParams({ params, request }, serverContext),
      );
    } catch (error) {
      result = { errors: [maskError(error, 'Unexpected error.', false) as GraphQLError] };
    }
    if (result && isAsyncIterable(result)) return asAsyncGenerator(result);
    if (result && 'data' in result) return result;
    return requestError(
      (result?.errors ?? [maskError(new Error('no result'), 'Unexpected error.', false)]) as GraphQLError[],
    );
  }

  const handler = createHandler<Raw>({
    authenticate: async (req: SseRequest<Raw>) => {
      const { raw } = req;
      if ('expiring' in raw) return raw.expiring;
      const viewer = viewerOf(raw);
      if (!viewer) return NO_STREAM;
      if (req.method === 'PUT') {
        // Always a token of ours, never one the client names: that would tell which tokens exist.
        const reservation = await reservations.reserve(viewer.userId);
        if (!reservation) {
          const { message, extensions } = rateLimited(
            5,
            'Too many open streams: close one, or retry after retryAfter seconds.',
          );
          return json(429, [{ message, extensions: { code: extensions.code, retryAfter: extensions.retryAfter } }], {
            'retry-after': '5',
          });
        }
        reservationOf.set(raw, reservation);
        return reservation.token;
      }
      // The header only, never graphql-sse's `?token=`: a query string ends up in access logs and proxies'
      // logs, and nothing needs it here, since every request needs an Authorization header anyway, which
      // EventSource (the one client that cannot send headers) cannot send either.
      const reservation = reservations.ownedBy(req.headers.get(TOKEN_HEADER_KEY), viewer.userId);
      if (!reservation) return NO_STREAM;
      reservationOf.set(raw, reservation);
      return reservation.token;
    },
    onSubscribe: (req) => run(req.raw as Request) as never,
    onNext: (_context, _req, result) => publicResult(result),
  });

  /** Closes the stream of a reservation that expired unused, with whatever was posted into it. */
  async function closeStream(token: string): Promise<void> {
    const [body] = await handler({
      method: 'GET',
      url: endpoint,
      headers: new Headers({ accept: 'text/event-stream' }),
      body: null,
      raw: { expiring: token },
      context: undefined,
    });
    if (body && typeof body !== 'string') await body.return(undefined);
  }

  async function respond(request: Request, fetchAPI: FetchAPI): Promise<Response> {
    const [body, init] = await handler({
      method: request.method,
      url: request.url,
      headers: request.headers,
      // A copy: Yoga's own parser reads the request itself when it runs the operation.
      body: () => request.clone().text(),
      raw: request,
      context: undefined,
    });
    const reservation = reservationOf.get(request);
    if (request.method === 'PUT' && reservation && init.status !== 201) reservations.end(reservation);
    if (body === null || typeof body === 'string') {
      return new fetchAPI.Response(body === null ? null : withCodes(body, init.status ?? 200), init);
    }
    // An event stream: a reservation's, or one operation's in distinct-connections mode.
    if (reservation) reservations.connected(reservation);
    const stream = streamBody(fetchAPI, body, request.signal, () => {
      if (reservation) reservations.end(reservation);
    });
    return new fetchAPI.Response(stream, init);
  }

  const plugin: Plugin = {
    onYogaInit({ yoga: server }) {
      yoga = server;
    },
    async onRequest({ request, url, endResponse, serverContext, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      // Authentication lets a GET that accepts HTML through (the GraphiQL page); nothing here is a page.
      if (!viewerOf(request)) {
        const [body, init] = json(
          401,
          [{ message: 'A valid bearer token is required.', extensions: { code: 'UNAUTHENTICATED' } }],
          {
            'www-authenticate': 'Bearer',
          },
        );
        return endResponse(new fetchAPI.Response(body as string, init));
      }
      serverContexts.set(request, serverContext as Record<string, unknown>);
      try {
        endResponse(await respond(request, fetchAPI));
      } catch (error) {
        // graphql-sse lets a thrown error reject the request; it is answered like any unexpected error.
        const requestId = currentRequestId();
        logger.error({ err: error }, 'unexpected error');
        const [body, init] = json(500, [
          { message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } },
        ]);
        endResponse(new fetchAPI.Response(body as string, init));
      }
    },
    onDispose: () => reservations.close(),
  };

  return { plugin, streamLeases: reservations.streamLeases };
}
