// The GraphQL app: Yoga with its plugins, over services built once. No I/O here, and nothing listens:
// tests build it in-process, src/server.ts runs it.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import type { Context, Services } from './context.js';
import type { Database } from './db.js';
import { type DeliveryParts, deliveryParts } from './delivery/setup.js';
import type { GraphiqlTab } from './dev/graphiql-tabs.js';
import { unauthenticated } from './errors.js';
import { dependencyChecks } from './health/dependencies.js';
import { useAccessLog } from './http/access-log.js';
import { useAuthentication, viewerOf } from './http/authentication.js';
import { useBodyLimit } from './http/body-limit.js';
import { corsFor } from './http/cors.js';
import { createErrorMasking } from './http/error-masking.js';
import { useErrorMetrics } from './http/error-metrics.js';
import { useSingleConnectionSse } from './http/graphql-sse.js';
import { useMalformedJsonAsBadRequest } from './http/malformed-json.js';
import { useMetricsEndpoint } from './http/metrics-endpoint.js';
import { GRAPHQL_PATH, GRAPHQL_STREAM_PATH, HEALTH_PATH, METRICS_PATH, READY_PATH } from './http/paths.js';
import { useRateLimits } from './http/rate-limit.js';
import { useReadiness } from './http/readiness.js';
import { currentRequestId, useRequestId } from './http/request-id.js';
import { Heartbeat, useSseHeartbeat } from './http/sse-heartbeat.js';
import { useSseResults } from './http/sse-result.js';
import { useStreamCap } from './http/stream-cap.js';
import { StreamSignals } from './http/stream-signals.js';
import { useNoConditionalSubscriptionRoot } from './http/subscription-root.js';
import { type TrustedDocuments, useTrustedDocuments } from './http/trusted-documents.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { ChangeLog } from './notifications/changelog.js';
import { ChangePublisher } from './notifications/events.js';
import { LiveStreams } from './notifications/live-streams.js';
import { NotificationService } from './notifications/service.js';
import { Preferences } from './producers/preferences.js';
import { EventPublishing } from './producers/publishing.js';
import { memoryRateLimiter, redisRateLimiter } from './producers/recipient-rate-limit.js';
import type { PubSubBus } from './pubsub.js';
import { schema } from './schema/index.js';
import { useOperationLimits } from './security/operation-limits.js';
import { RateLimits } from './security/rate-limiter.js';
import { createStreamLeases } from './security/stream-leases.js';

export interface AppDependencies {
  config: Config;
  db: Database;
  pubsub: PubSubBus;
  /** For counters shared by every instance; without it they are kept in memory. */
  redis?: Redis | undefined;
  logger: Logger;
  verifyToken: TokenVerifier;
  /** Headers GraphiQL starts with, e.g. a development token. */
  graphiqlHeaders?: Record<string, string>;
  /** The tabs GraphiQL opens with (src/dev/graphiql-tabs.ts, loaded by the caller outside production). */
  graphiqlTabs?: GraphiqlTab[] | undefined;
  /** The manifest PERSISTED_OPERATIONS serves from (read by the caller: no I/O here). */
  trustedDocuments?: TrustedDocuments;
  /** Where rate limits and stream leases are counted across instances; in memory without it. */
  limitsRedis?: Redis;
  /** The demo inbox page's plugin (src/dev/demo-page.ts, loaded by the caller when DEMO is on). */
  demoPage?: Plugin | undefined;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  services: Services;
  metrics: Metrics;
  /** Channels outside the app: what src/server.ts needs to start their queue. */
  delivery: DeliveryParts;
}

/** How many events may wait for one slow stream before it is ended. */
const STREAM_QUEUE_CAPACITY = 1000;
/** How many changes one replay query reads. */
const REPLAY_BATCH = 500;

export function createApp({
  config,
  db,
  pubsub,
  redis,
  logger,
  verifyToken,
  graphiqlHeaders,
  graphiqlTabs,
  trustedDocuments = new Map(),
  limitsRedis,
  demoPage,
}: AppDependencies): App {
  const { security } = config;
  const limits = { redis: limitsRedis, keyPrefix: config.redis.keyPrefix, logger };
  const rateLimits = new RateLimits({ ...limits, limits: security.rateLimits });
  const streamLeases = createStreamLeases({
    ...limits,
    perUser: security.streams.perUser,
    ttlMs: security.streams.leaseTtlMs,
  });
  const singleConnection = useSingleConnectionSse({
    endpoint: GRAPHQL_STREAM_PATH,
    logger,
    leases: streamLeases,
    reservationTtlMs: security.streams.reservationTtlMs,
  });
  const dependencies = dependencyChecks(db, redis, config.readyTimeoutMs);
  // Read by its gauges only at a scrape, when the streams below exist.
  const metrics = createMetrics({ openStreams: () => liveStreams.size, dependencies });
  const changeLog = new ChangeLog(db);
  const notifications = new NotificationService(db, new ChangePublisher(pubsub, logger), (content, count) =>
    metrics.created.inc({ type: content.type, category: content.category ?? '' }, count),
  );
  const preferences = new Preferences(db);
  const delivery = deliveryParts(config, db, preferences);
  const perHour = config.recipientRateLimitPerHour;
  const rateLimiter = redis
    ? redisRateLimiter(redis, config.redis.keyPrefix, perHour, logger)
    : memoryRateLimiter(perHour);
  const liveStreams = new LiveStreams(pubsub, changeLog, {
    queueCapacity: STREAM_QUEUE_CAPACITY,
    replayBatch: REPLAY_BATCH,
    observer: {
      delivered: (latencyMs) => metrics.deliveryLatency.observe(Math.max(0, latencyMs) / 1000),
      replayed: (count) => metrics.replayed.inc(count),
    },
  });
  const publishing = new EventPublishing(
    db,
    notifications,
    preferences,
    rateLimiter,
    (tally) => {
      for (const [outcome, count] of Object.entries(tally)) if (count) metrics.published.inc({ outcome }, count);
    },
    delivery.planner,
  );
  const streamSignals = new StreamSignals(GRAPHQL_PATH, GRAPHQL_STREAM_PATH);
  const services: Services = {
    ...{ db, changeLog, notifications, preferences, publishing, liveStreams, streamSignals },
    recipients: delivery.recipients,
  };
  const yogaLogger = logger.child({ component: 'yoga' });
  const heartbeat = new Heartbeat(config.sseHeartbeatMs);

  const yoga = createYoga<Record<string, unknown>, Context>({
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
    graphiql: config.graphiql && {
      title: 'Notification API',
      headers: JSON.stringify(graphiqlHeaders ?? {}, null, 2),
      defaultTabs: graphiqlTabs,
      // GraphiQL runs subscriptions as GETs of an event stream, which the CSRF prevention refuses without it.
      additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
    },
    renderGraphiQL,
    cors: corsFor(security.corsOrigins),
    batching: false,
    // Also bounded by useBodyLimit, which covers the single-connection SSE requests Yoga does not parse itself.
    maxRequestBodySize: security.maxRequestBytes,
    extraParamNames: security.persistedOperations.mode === 'off' ? [] : ['documentId'],
    context: ({ request }) => {
      const viewer = viewerOf(request);
      if (!viewer) throw unauthenticated();
      return { viewer, requestId: currentRequestId() ?? '', services, request };
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
      // Before authentication too: an unsubscribe link carries its own signed token.
      ...delivery.plugins,
      useAuthentication(verifyToken, [HEALTH_PATH, READY_PATH, METRICS_PATH]),
      useRateLimits(rateLimits),
      streamSignals.plugin(),
      useSseHeartbeat(heartbeat),
      useSseResults(heartbeat),
      useCSRFPrevention(),
      useNoConditionalSubscriptionRoot(),
      ...(security.introspection ? [] : [useDisableIntrospection()]),
      ...useTrustedDocuments(security.persistedOperations, trustedDocuments),
      ...useOperationLimits(security.operationLimits, !security.introspection, rateLimits),
      // After the rate limits, so that a refused subscription holds no lease.
      useStreamCap(singleConnection.streamLeases, security.streams.perUser),
      // Last: it answers its requests in onRequest, so every other plugin's onRequest must have run; the
      // operations it runs go through every plugin's later hooks (it runs them through Yoga's pipeline).
      singleConnection.plugin,
    ],
  });

  return { yoga, services, metrics, delivery };
}
