// The node:http listener in front of compiled reads and Yoga for GraphQL over SSE in distinct-connections
// mode on /graphql and /graphql/stream (a POST, or a GET with the CSRF header, accepting only text/event-stream). A subscription it has a plan for
// (src/compiled-streams/stream-plans.ts) is opened here: the same token check, budgets (counted in one Redis
// round trip), cost, argument checks, stream lease and token expiry as Yoga's path, then the live stream is
// written straight into the socket (src/http/sse-socket.ts) with the same frames, each event serialized by
// code made for its selection (plan.ts). What Yoga's path holds per open stream besides (envelop's and
// graphql-tools' subscribe contexts, whatwg-node's Request and response plumbing, graphql-js's iterator
// maps) is most of a stream's heap (bench/RESULTS.md, streams). Anything this path would answer other than
// with a stream (a refused token, argument, budget, cost or lease; a position out of the log) goes to Yoga
// with the body already read and the budgets already counted (src/limits/counted-requests.ts): a client
// cannot tell which of the two answered.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { executeSync, type GraphQLError, type GraphQLSchema, getArgumentValues, getVariableValues } from 'graphql';
import type { MaskError } from 'graphql-yoga';
import { acceptedViewer, type TokenVerifier } from '../auth.js';
import { type CorsOptionsFactory, corsHeaders, operationParams } from '../compiled-reads/request-params.js';
import { handToYoga, isBoundedJsonPost, readBody } from '../http/buffered-request.js';
import { CSRF_HEADER } from '../http/csrf.js';
import { GRAPHQL_PATH, GRAPHQL_STREAM_PATH } from '../http/paths.js';
import { publicResult } from '../http/public-result.js';
import { requestIdFrom } from '../http/request-id.js';
import { type Heartbeat, NO_BUFFERING, PING } from '../http/sse-heartbeat.js';
import { COMPLETE, HEADERS, SLOW_CONSUMER } from '../http/sse-result.js';
import { type SseFrames, sseWriter } from '../http/sse-socket.js';
import { markCounted } from '../limits/counted-requests.js';
import type { RateLimits } from '../limits/rate-limiter.js';
import type { Lease, StreamLeases } from '../limits/stream-leases.js';
import type { Logger } from '../logger.js';
import type { ChangeEvent, ChangeLog } from '../notifications/changelog.js';
import { checkFilter, type NotificationFilter } from '../notifications/filter.js';
import type { LiveStreams, StreamItem } from '../notifications/live-streams.js';
import { toFilter } from '../schema/filter.js';
import { resolveAfter } from '../schema/positions.js';
import { addedTo, concerns } from '../schema/subscriptions.js';
import type { SecurityConfig } from '../security/config.js';
import { withCleanup } from '../streams/with-cleanup.js';
import { checkStorableArguments } from '../validation/storable-arguments.js';
import type { StreamPlan } from './plan.js';
import type { StreamPlans } from './stream-plans.js';

export interface CompiledStreamsOptions {
  /** What answers requests that are not SSE subscriptions: compiled reads, or Yoga. */
  next: RequestListener;
  /** Yoga's own listener: what answers the subscriptions this path hands over, their body already read. */
  yoga: RequestListener;
  plans: StreamPlans;
  schema: GraphQLSchema;
  verifyToken: TokenVerifier;
  rateLimits: RateLimits;
  /** The stream cap's leases, which Yoga's path takes too (src/limits/stream-cap.ts). */
  leases: StreamLeases;
  liveStreams: LiveStreams;
  changeLog: ChangeLog;
  /** The one heartbeat of every stream (src/http/sse-heartbeat.ts). */
  heartbeat: Heartbeat;
  security: Pick<SecurityConfig, 'maxRequestBytes' | 'persistedOperations' | 'operationLimits'>;
  trustedDocuments: ReadonlyMap<string, string>;
  cors: CorsOptionsFactory;
  /** Yoga's error masking (src/http/error-masking.ts), for the error that ends a stream. */
  maskError: MaskError;
  /** Counts an error answered, by code (src/http/error-metrics.ts counts those of Yoga's streams). */
  countError: (code: string) => void;
  logger: Logger;
}

/**
 * The response headers of a stream, by path: on /graphql, Yoga's result processor's (src/http/sse-result.ts);
 * on /graphql/stream, graphql-sse's handler's, with the heartbeat's no-buffering header (src/http/graphql-sse.ts).
 */
const HEADERS_BY_PATH: Record<string, Record<string, string>> = {
  [GRAPHQL_PATH]: HEADERS,
  [GRAPHQL_STREAM_PATH]: {
    connection: 'keep-alive',
    'cache-control': 'no-cache',
    'content-encoding': 'none',
    'content-type': 'text/event-stream; charset=utf-8',
    [NO_BUFFERING.name]: NO_BUFFERING.value,
  },
};

/** The path a request is for, when it is one of the two that take distinct-connections streams. */
function streamPath(url: string): string | undefined {
  const end = url.indexOf('?');
  const path = end < 0 ? url : url.slice(0, end);
  return path in HEADERS_BY_PATH ? path : undefined;
}

/** graphql-sse's header naming a single-connection reservation: that mode is Yoga's. */
const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';

/** A distinct-connections stream of graphql-sse's client or an EventSource-like client: it accepts SSE alone. */
function acceptsOnlySse(request: IncomingMessage): boolean {
  return request.headers.accept?.trim().toLowerCase() === 'text/event-stream';
}

/** The query string of a GET, as Yoga reads it (graphql-yoga's handleURLSearchParams); undefined if it would fail. */
function getParams(url: string): unknown {
  const search = new URLSearchParams(url.slice(url.indexOf('?') + 1));
  const json = (name: string) => {
    const text = search.get(name) || undefined;
    return text === undefined ? undefined : JSON.parse(text);
  };
  try {
    return {
      ...(search.get('operationName') ? { operationName: search.get('operationName') } : {}),
      ...(search.get('query') ? { query: search.get('query') } : {}),
      ...(json('variables') !== undefined ? { variables: json('variables') } : {}),
      ...(json('extensions') !== undefined ? { extensions: json('extensions') } : {}),
    };
  } catch {
    return undefined;
  }
}

export function compiledStreamsListener(options: CompiledStreamsOptions): RequestListener {
  const { next, yoga, plans, security } = options;

  const candidate = (request: IncomingMessage): boolean => {
    const { headers, method, url = '' } = request;
    if (plans.size === 0 || headers.authorization === undefined || headers[STREAM_TOKEN_HEADER] !== undefined) {
      return false;
    }
    if (!acceptsOnlySse(request)) return false;
    const path = streamPath(url);
    if (path === undefined) return false;
    if (method === 'GET') {
      // Yoga's CSRF prevention refuses a GET without its header: that refusal is Yoga's to answer.
      return url.startsWith(`${path}?`) && headers[CSRF_HEADER] !== undefined;
    }
    return url === path && isBoundedJsonPost(request, security.maxRequestBytes);
  };

  return (request, response) => {
    if (!candidate(request)) return next(request, response);
    // Listening from the start: the client may leave during any step below, and its stream must then
    // hold nothing (no lease, no Redis channel), as on Yoga's path.
    const leaving = new AbortController();
    // Bound, not a closure: a closure would keep this scope (the request's body) for as long as the stream.
    const leave = leaving.abort.bind(leaving, undefined);
    response.once('close', leave);
    const serve = (parsed: unknown, body?: Buffer) => {
      const handOver = () => {
        response.off('close', leave);
        handToYoga(yoga, request, response, body);
      };
      open(options, request, response, parsed, leaving.signal, performance.now()).then(
        (outcome) => {
          if (outcome === 'yoga' && !leaving.signal.aborted) handOver();
        },
        (error: unknown) => {
          options.logger.error({ err: error }, 'compiled stream failed to open; handed to Yoga');
          if (!leaving.signal.aborted) handOver();
        },
      );
    };
    if (request.method === 'GET') return serve(getParams(request.url!));
    readBody(request, response, (body) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      serve(parsed, body);
    });
  };
}

/** The stream, giving its lease back when it ends. (Made out here: a closure in `open` would keep all of it.) */
const holding = (items: AsyncIterator<StreamItem>, lease: Lease) => withCleanup(items, () => lease.release());

/** notificationEvents' rule for this view. */
const concerning = (view: NotificationFilter) => (event: ChangeEvent) => concerns(event, view);

/** What a stream's subscribe step checks before it opens (src/schema/subscriptions.ts); undefined if it throws. */
function argumentsOf(options: CompiledStreamsOptions, plan: StreamPlan, rawVariables: Record<string, unknown>) {
  const variables = getVariableValues(options.schema, plan.operation.variableDefinitions ?? [], rawVariables);
  if (variables.errors) return undefined;
  try {
    const args = getArgumentValues(plan.definition, plan.node, variables.coerced) as {
      after?: string | null;
      filter?: Parameters<typeof toFilter>[0];
    };
    // The storableArguments rule (src/validation/storable-arguments.ts), as its Pothos plugin checks them.
    checkStorableArguments(plan.definition, args);
    const view = checkFilter(toFilter(args.filter));
    const include = plan.field === 'notificationAdded' ? addedTo(view) : concerning(view);
    return { after: args.after, include };
  } catch {
    return undefined;
  }
}

/**
 * Opens the stream: 'opened'; 'yoga' for Yoga to answer the request; 'gone' when the client left meanwhile
 * (whatever was taken for it given back).
 */
async function open(
  options: CompiledStreamsOptions,
  request: IncomingMessage,
  response: ServerResponse,
  parsed: unknown,
  signal: AbortSignal,
  started: number,
): Promise<'opened' | 'yoga' | 'gone'> {
  const params = operationParams(parsed, options.security.persistedOperations.mode, options.trustedDocuments);
  const plan = params && options.plans.get(params.text, params.operationName);
  if (!plan) return 'yoga';

  const viewer = await acceptedViewer(options.verifyToken, request.headers.authorization ?? null);
  if (!viewer) return 'yoga';
  if (viewer.roles.includes('service')) return 'yoga';

  const cost = plan.cost.with(params.variables);
  if (cost === undefined || cost > options.security.operationLimits.cost) return 'yoga';
  const args = argumentsOf(options, plan, params.variables);
  if (!args) return 'yoga';

  const verdicts = await options.rateLimits.requestAndOperation(viewer, plan.rootFields, cost);
  // From here on, Yoga must not count them again: marked only when handed over, so that no open stream
  // keeps its verdicts (a WeakMap entry lives as long as its request).
  const counted = () => {
    markCounted(request, verdicts);
    return 'yoga' as const;
  };
  if (!verdicts.request.allowed || !verdicts.operation?.allowed) return counted();
  if (signal.aborted) return 'gone';
  const lease = await options.leases.acquire(viewer.userId);
  if (!lease) return counted();
  if (signal.aborted) {
    lease.release();
    return 'gone';
  }

  let items: AsyncIterableIterator<StreamItem>;
  try {
    const userId = viewer.userId;
    const after = await resolveAfter(args.after, userId, options.changeLog);
    // It ends the stream, releasing all it holds at once, when the client leaves (src/notifications/live-streams.ts).
    items = await options.liveStreams.open(userId, { after, endsAt: viewer.expiresAt, include: args.include, signal });
  } catch {
    // Yoga answers it as it answers any failed subscribe (an unknown cursor, RESYNC_REQUIRED…), counted already.
    lease.release();
    return counted();
  }
  const held = holding(items, lease);
  if (signal.aborted) {
    void held.return?.();
    return 'gone';
  }
  const requestId = requestIdFrom(request.headers['x-request-id'] as string | undefined);
  const path = streamPath(request.url!)!;
  response.writeHead(200, {
    ...HEADERS_BY_PATH[path],
    'x-request-id': requestId,
    ...corsHeaders(request, options.cors),
  });
  sseWriter(held, framesOf(options, plan, params.variables), options.heartbeat, signal).start(response);
  if (options.logger.isLevelEnabled('info')) {
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const { method } = request;
    options.logger.info({ requestId, userId: viewer.userId, method, path, status: 200, durationMs }, 'request');
  }
  return 'opened';
}

/** The frames of a stream, as src/http/sse-result.ts writes Yoga's. */
function framesOf(options: CompiledStreamsOptions, plan: StreamPlan, rawVariables: Record<string, unknown>): SseFrames {
  return {
    ping: PING,
    complete: COMPLETE,
    slowConsumer: SLOW_CONSUMER,
    next: (value) => {
      const item = value as StreamItem;
      if (item.type === 'event') return `event: next\ndata: {"data":${plan.data(item.event)}}\n\n`;
      return `event: next\ndata: ${JSON.stringify(endResult(options, plan, rawVariables, item))}\n\n`;
    },
  };
}

/**
 * The last result of a stream that must end (its token expired, the server is stopping): its resolver
 * throws the reason, so graphql-js runs it, once, as Yoga's path does for every event, and the result goes
 * through the same masking, counting and public shape as there.
 */
function endResult(
  { schema, maskError, countError }: CompiledStreamsOptions,
  plan: StreamPlan,
  rawVariables: Record<string, unknown>,
  item: StreamItem,
) {
  const result = executeSync({
    schema,
    document: plan.document,
    operationName: plan.operationName,
    variableValues: rawVariables,
    rootValue: item,
    contextValue: {},
  });
  const errors = result.errors?.map((error) => maskError(error, 'Unexpected error.', false) as GraphQLError);
  for (const error of errors ?? []) {
    countError(typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN');
  }
  return publicResult(errors ? { ...result, errors } : result);
}
