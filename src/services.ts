// The domain services and the limits, built once from the infrastructure (database, pub/sub, Redis): what
// GraphQL, the event intake and the jobs share. No I/O here, and nothing starts: src/server.ts builds these
// between the infrastructure and the app, tests through createApp (src/app.ts).
import type { Config } from './config.js';
import type { Services } from './context.js';
import type { Database } from './db.js';
import { waitingJobs } from './delivery/queue-stats.js';
import { type DeliveryParts, deliveryParts } from './delivery/setup.js';
import { type DependencyChecks, dependencyChecks } from './health/dependencies.js';
import { createLimits, type Limits } from './limits/limits.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { ChangeLog } from './notifications/changelog.js';
import { ChangePublisher } from './notifications/events.js';
import { LiveStreams } from './notifications/live-streams.js';
import { NotificationService } from './notifications/service.js';
import { Preferences } from './producers/preferences.js';
import { EventPublishing } from './producers/publishing.js';
import type { PubSubBus } from './pubsub.js';
import type { RedisConnections } from './redis.js';

/** What the services are built on: opened (and closed) by src/server.ts, or by a test. */
export interface Infrastructure {
  config: Config;
  db: Database;
  pubsub: PubSubBus;
  /** Where the limits are counted across instances, by role (src/redis.ts); in memory without it. */
  redis?: RedisConnections | undefined;
  logger: Logger;
}

export interface BuiltServices {
  services: Services;
  limits: Limits;
  /** The delivery channels' parts: the planner the publishing asks, and what src/server.ts starts. */
  delivery: DeliveryParts;
  metrics: Metrics;
  /** The checks /ready, the metrics and the dependency watch share. */
  dependencies: DependencyChecks;
}

/** How many events may wait for one slow stream before it is ended. */
const STREAM_QUEUE_CAPACITY = 1000;
/** How many changes one replay query reads. */
const REPLAY_BATCH = 500;

export function createServices({ config, db, pubsub, redis, logger }: Infrastructure): BuiltServices {
  const limits = createLimits(config, redis?.get('limits'), logger);
  const dependencies = dependencyChecks(db, redis?.get('readiness'), config.readyTimeoutMs);
  // Read by its gauges only at a scrape, when the streams below exist.
  const metrics = createMetrics({
    openStreams: () => liveStreams.size,
    dependencies,
    waitingJobs: { read: () => waitingJobs(db), timeoutMs: config.readyTimeoutMs },
  });
  const changeLog = new ChangeLog(db);
  const notifications = new NotificationService(db, new ChangePublisher(pubsub, logger), (content, count) =>
    metrics.created.inc({ type: content.type, category: content.category ?? '' }, count),
  );
  const preferences = new Preferences(db);
  const delivery = deliveryParts(config, db, preferences, (channel, outcome, handoffMs) => {
    metrics.deliveries.inc({ channel, outcome });
    if (handoffMs !== undefined) metrics.deliveryHandoff.observe({ channel }, Math.max(0, handoffMs) / 1000);
  });
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
    limits.recipients,
    {
      published: (tally) => {
        for (const [outcome, count] of Object.entries(tally)) if (count) metrics.published.inc({ outcome }, count);
      },
      skipped: (channel) => metrics.deliveries.inc({ channel, outcome: 'skipped' }),
    },
    delivery.planner,
  );
  const services: Services = {
    ...{ db, changeLog, notifications, preferences, publishing, liveStreams },
    recipients: delivery.recipients,
    push: { subscriptions: delivery.pushSubscriptions, publicKey: delivery.pushPublicKey },
  };
  return { services, limits, metrics, dependencies, delivery };
}
