// The GraphQL app: Yoga and its plugin list, over the services (src/services.ts). No I/O here, and nothing
// listens: src/server.ts runs it, tests build it in-process with createApp.
import type { RequestListener } from 'node:http';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { TokenVerifier } from './auth.js';
import { CreatePlans, useLearntCreates } from './compiled-creates/create-plans.js';
import { compiledReadsListener } from './compiled-reads/handler.js';
import { ReadPlans, useLearntReads } from './compiled-reads/read-plans.js';
import { compiledStreamsListener } from './compiled-streams/handler.js';
import { StreamPlans, useLearntStreams } from './compiled-streams/stream-plans.js';
import type { Context, Services } from './context.js';
import type { DeliveryParts } from './delivery/setup.js';
import type { DevGraphiqlPage } from './dev/graphiql-page.js';
import type { GraphiqlTab } from './dev/graphiql-tabs.js';
import { unauthenticated } from './errors.js';
import { useAccessLog } from './http/access-log.js';
import { useAuthentication, viewerOf } from './http/authentication.js';
import { useBodyLimit } from './http/body-limit.js';
import { useCompiledExecution } from './http/compiled-execution.js';
import { corsFor } from './http/cors.js';
import { CSRF_HEADER, useCsrfPrevention } from './http/csrf.js';
import { createErrorMasking } from './http/error-masking.js';
import { useErrorMetrics } from './http/error-metrics.js';
import { useSingleConnectionSse } from './http/graphql-sse.js';
import { useMalformedJsonAsBadRequest } from './http/malformed-json.js';
import { useMetricsEndpoint } from './http/metrics-endpoint.js';
import { GRAPHQL_PATH, GRAPHQL_STREAM_PATH, HEALTH_PATH, METRICS_PATH, READY_PATH } from './http/paths.js';
import { useReadiness } from './http/readiness.js';
import { currentRequestId, useRequestId } from './http/request-id.js';
import { Heartbeat, useSseHeartbeat } from './http/sse-heartbeat.js';
import { useSseResults } from './http/sse-result.js';
import { useNoConditionalSubscriptionRoot } from './http/subscription-root.js';
import { type TrustedDocuments, useTrustedDocuments } from './http/trusted-documents.js';
import { useOperationLimits } from './limits/operation-limits.js';
import { useRateLimits } from './limits/rate-limit.js';
import { useStreamCap } from './limits/stream-cap.js';
import type { Metrics } from './metrics.js';
import { schema } from './schema/index.js';
import { type BuiltServices, createServices, type Infrastructure } from './services.js';

export interface AppDependencies extends Infrastructure {
  verifyToken: TokenVerifier;
  /** Headers GraphiQL starts with, e.g. a development token. */
  graphiqlHeaders?: Record<string, string>;
  /** The manifest PERSISTED_OPERATIONS serves from (read by the caller: no I/O here). */
  trustedDocuments?: TrustedDocuments;
  /** The tabs GraphiQL opens with (src/dev/graphiql-tabs.ts, loaded by the caller outside production). */
  graphiqlTabs?: GraphiqlTab[] | undefined;
  /** GraphiQL's page in development (src/dev/graphiql-page.ts): fresh headers at each load, kept tabs restored. */
  graphiqlPage?: DevGraphiqlPage | undefined;
  /** The demo inbox page's plugin (src/dev/demo-page.ts, loaded by the caller when DEMO is on). */
  demoPage?: Plugin | undefined;
  /** The development outbox page's plugin (src/dev/outbox/, loaded by the caller when DEV_OUTBOX is on). */
  devOutboxPage?: Plugin | undefined;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  /**
   * What the HTTP server runs: compiled streams (src/compiled-streams/) and compiled reads (src/compiled-reads/)
   * in front of Yoga, or Yoga alone.
   */
  listener: RequestListener;
  services: Services;
  metrics: Metrics;
  /** Channels outside the app: what src/server.ts needs to start their queue. */
  delivery: DeliveryParts;
}

/** The services over the infrastructure, and Yoga over them; `built` when the caller built the services. */
export function createApp(dependencies: AppDependencies, built: BuiltServices = createServices(dependencies)): App {
  const { services, metrics, delivery, limits } = built;
  const { config } = dependencies;
  const plans = config.compiledReads ? new ReadPlans(schema) : undefined;
  const streamPlans = config.compiledStreams ? new StreamPlans(schema) : undefined;
  const createPlans = config.compiledCreates ? new CreatePlans(schema) : undefined;
  const heartbeat = new Heartbeat(config.sseHeartbeatMs);
  const yoga = createYogaApp(dependencies, built, { plans, streamPlans, createPlans, heartbeat });
  const reads =
    plans || createPlans
      ? compiledReadsListener({
          yoga: yoga as unknown as RequestListener,
          plans,
          creates: createPlans && {
            plans: createPlans,
            schema,
            services,
            rateLimits: limits.rateLimits,
            maxCost: config.security.operationLimits.cost,
            maskError: createErrorMasking(dependencies.logger),
            countError: (code) => metrics.errors.inc({ code }),
            logger: dependencies.logger.child({ component: 'compiled-creates' }),
          },
          schema,
          db: dependencies.db,
          verifyToken: dependencies.verifyToken,
          rateLimits: limits.rateLimits,
          security: config.security,
          trustedDocuments: dependencies.trustedDocuments ?? new Map(),
          cors: corsFor(config.security.corsOrigins) as never,
          logger: dependencies.logger.child({ component: 'compiled-reads' }),
        })
      : (yoga as unknown as RequestListener);
  const listener = streamPlans
    ? compiledStreamsListener({
        next: reads,
        yoga: yoga as unknown as RequestListener,
        plans: streamPlans,
        schema,
        verifyToken: dependencies.verifyToken,
        rateLimits: limits.rateLimits,
        leases: limits.streamLeases,
        liveStreams: services.liveStreams,
        changeLog: services.changeLog,
        heartbeat,
        security: config.security,
        trustedDocuments: dependencies.trustedDocuments ?? new Map(),
        cors: corsFor(config.security.corsOrigins) as never,
        maskError: createErrorMasking(dependencies.logger),
        countError: (code) => metrics.errors.inc({ code }),
        logger: dependencies.logger.child({ component: 'compiled-streams' }),
      })
    : reads;
  return { yoga, listener, services, metrics, delivery };
}

function createYogaApp(
  {
    config,
    logger,
    verifyToken,
    graphiqlHeaders,
    graphiqlTabs,
    graphiqlPage,
    trustedDocuments = new Map(),
    demoPage,
    devOutboxPage,
  }: AppDependencies,
  { services, limits, metrics, dependencies, delivery }: BuiltServices,
  {
    plans,
    streamPlans,
    createPlans,
    heartbeat,
  }: { plans?: ReadPlans; streamPlans?: StreamPlans; createPlans?: CreatePlans; heartbeat: Heartbeat },
): App['yoga'] {
  const { security } = config;
  const { rateLimits, streamLeases } = limits;
  const singleConnection = useSingleConnectionSse({
    endpoint: GRAPHQL_STREAM_PATH,
    logger,
    leases: streamLeases,
    reservationTtlMs: security.streams.reservationTtlMs,
  });
  const yogaLogger = logger.child({ component: 'yoga' });

  const graphiqlOptions = {
    title: 'Notification API',
    headers: JSON.stringify(graphiqlHeaders ?? {}, null, 2),
    defaultTabs: graphiqlTabs,
    // GraphiQL runs subscriptions as GETs of an event stream, which the CSRF prevention refuses without it.
    additionalHeaders: { [CSRF_HEADER]: 'graphiql' },
  };
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: HEALTH_PATH,
    landingPage: false,
    logging: {
      debug: (...args) => yogaLogger.debug(args),
      info: (...args) => yogaLogger.info(args),
      warn: (...args) => yogaLogger.warn(args),
      // Yoga logs at error level every GraphQL error it answers: the unexpected ones are already logged, with
      // their request id, by the error masking, and a client's bad request (an aborted body) is no server error.
      // Only its code and path: the message of a refused variable quotes the value (a title, a message…).
      error: (...args) =>
        args[0] instanceof GraphQLError
          ? yogaLogger.debug({ code: args[0].extensions.code, path: args[0].path }, 'graphql error answered')
          : yogaLogger.error(args),
    },
    maskedErrors: { maskError: createErrorMasking(logger), isDev: false },
    graphiql: config.graphiql && (graphiqlPage ? () => graphiqlPage.options(graphiqlOptions) : graphiqlOptions),
    renderGraphiQL: graphiqlPage?.render ?? renderGraphiQL,
    cors: corsFor(security.corsOrigins),
    batching: false,
    // Bounded by useBodyLimit alone, before anything reads a body: a declared length over the limit is refused
    // unread, a chunked body is read up to the limit into a new request. Yoga's own check would pipe every body
    // through a TransformStream into yet another Request, which an open stream then holds (bench/FINDINGS.md).
    maxRequestBodySize: false,
    extraParamNames: security.persistedOperations.mode === 'off' ? [] : ['documentId'],
    context: ({ request, streamSignal }: { request: Request; streamSignal?: AbortSignal }) => {
      const viewer = viewerOf(request);
      if (!viewer) throw unauthenticated();
      return {
        viewer,
        requestId: currentRequestId() ?? '',
        services,
        request,
        // Single-connection operations get their reservation's (src/http/graphql-sse.ts).
        streamSignal: streamSignal ?? request.signal,
      };
    },
    plugins: [
      useRequestId(),
      useAccessLog(logger.child({ component: 'http' })),
      useErrorMetrics((code) => metrics.errors.inc({ code })),
      useMetricsEndpoint(metrics.registry, METRICS_PATH),
      useReadiness(dependencies, READY_PATH),
      // Before authentication: a chunked body is read into a new request, which must be the one authenticated.
      useBodyLimit(security.maxRequestBytes),
      useMalformedJsonAsBadRequest(),
      // Before authentication: the page and its assets are public; the page sends the token itself.
      ...(demoPage ? [demoPage] : []),
      ...(devOutboxPage ? [devOutboxPage] : []),
      // Before authentication too: an unsubscribe link carries its own signed token.
      ...delivery.plugins,
      useAuthentication(verifyToken, [HEALTH_PATH, READY_PATH, METRICS_PATH]),
      useRateLimits(rateLimits),
      useSseHeartbeat(heartbeat),
      useSseResults(heartbeat),
      useCsrfPrevention(),
      useNoConditionalSubscriptionRoot(),
      ...(security.introspection ? [] : [useDisableIntrospection()]),
      ...useTrustedDocuments(security.persistedOperations, trustedDocuments),
      ...useOperationLimits(security.operationLimits, !security.introspection, rateLimits),
      // After the rate limits, so that a refused subscription holds no lease.
      useStreamCap(singleConnection.streamLeases, security.streams.perUser),
      ...useCompiledExecution(config.compileAfter),
      ...(plans ? [useLearntReads(plans)] : []),
      ...(streamPlans ? [useLearntStreams(streamPlans)] : []),
      ...(createPlans ? [useLearntCreates(createPlans)] : []),
      // Last: it answers its requests in onRequest, so every other plugin's onRequest must have run; the
      // operations it runs go through every plugin's later hooks (it runs them through Yoga's pipeline).
      singleConnection.plugin,
    ],
  });
}
