// Prometheus metrics of this instance, served at /metrics.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { WaitingJobs } from './delivery/queue-stats.js';
import type { DependencyChecks, DependencyReport } from './health/dependencies.js';

export interface Metrics {
  registry: Registry;
  published: Counter<'outcome'>;
  created: Counter<'type' | 'category'>;
  deliveryLatency: Histogram;
  replayed: Counter;
  errors: Counter<'code'>;
  jobRuns: Counter<'job' | 'result'>;
  retention: Counter<'action'>;
  intake: Counter<'result'>;
  openStreams: Gauge;
  deliveries: Counter<'channel' | 'outcome'>;
  deliveryHandoff: Histogram<'channel'>;
}

export interface MetricsSources {
  /** How many live streams are open. */
  openStreams: () => number;
  /** Checked at each scrape. */
  dependencies: DependencyChecks;
  /** What waits in the job queue, read at each scrape within `timeoutMs`. */
  waitingJobs?: { read: () => Promise<WaitingJobs[]>; timeoutMs: number };
}

/** Live delivery is a matter of milliseconds; the top buckets catch a stream stuck behind a slow client. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** From a commit to an SMTP server's or a push service's answer: milliseconds to minutes (retries). */
const HANDOFF_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export function createMetrics({ openStreams, dependencies, waitingJobs }: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'notifications_' });
  registerDependencyGauges(registry, dependencies);
  if (waitingJobs) registerQueueGauges(registry, waitingJobs.read, waitingJobs.timeoutMs);
  return {
    registry,
    published: new Counter({
      name: 'notifications_published_total',
      help: 'Recipients of published events, by outcome (CREATED, UPDATED, DUPLICATE, STALE, MUTED, RATE_LIMITED).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    created: new Counter({
      name: 'notifications_created_total',
      help: 'Notifications created (not updated by a collapse, not found again by an idempotency key), by type and category (empty when none).',
      labelNames: ['type', 'category'],
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'notifications_delivery_latency_seconds',
      help: 'From the commit of a change to its live stream handing it to the SSE response (replayed events are not observed).',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    replayed: new Counter({
      name: 'notifications_replayed_events_total',
      help: 'Events streams sent from the change log rather than live: replay on resume, and gap fills.',
      registers: [registry],
    }),
    errors: new Counter({
      name: 'notifications_errors_total',
      help: 'GraphQL errors answered to clients, by extensions.code (401s of the authentication included).',
      labelNames: ['code'],
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'notifications_job_runs_total',
      help: 'Runs of our own jobs of the queue on this instance (due_notifications, retention, prune_change_log): ran, failed.',
      labelNames: ['job', 'result'],
      registers: [registry],
    }),
    retention: new Counter({
      name: 'notifications_retention_total',
      help: 'Notifications the retention job archived (old), deleted (over the per-user cap) or expired.',
      labelNames: ['action'],
      registers: [registry],
    }),
    intake: new Counter({
      name: 'notifications_intake_events_total',
      help: 'Deliveries of stream events by how they ended: published, retried (failed, left for a retry), dead_lettered.',
      labelNames: ['result'],
      registers: [registry],
    }),
    openStreams: new Gauge({
      name: 'notifications_open_streams',
      help: 'Live SSE streams open on this instance.',
      registers: [registry],
      collect() {
        this.set(openStreams());
      },
    }),
    deliveries: new Counter({
      name: 'notifications_deliveries_total',
      help: 'Delivery attempts outside the app by channel and outcome: sent, retried (a temporary failure, tried again later), failed, skipped (muted, no address, or read before a held delivery went), stale (a job run again after its delivery moved on), held (put off to the end of quiet hours), digested (sent as an item of a digest).',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    deliveryHandoff: new Histogram({
      name: 'notifications_delivery_handoff_seconds',
      help: "From the commit of a notification's delivery to its hand-off to the channel's service (the SMTP server accepted it, the push service answered), by channel; retries included.",
      labelNames: ['channel'],
      buckets: HANDOFF_BUCKETS,
      registers: [registry],
    }),
  };
}

/** The job queue's gauges, per task, read by each scrape in one query. */
function registerQueueGauges(registry: Registry, waitingJobs: () => Promise<WaitingJobs[]>, timeoutMs: number): void {
  let pending: Promise<WaitingJobs[]> | undefined;
  // A scrape must answer while PostgreSQL does not (notifications_postgres_up says so): the queue's gauges are
  // then left without values rather than failing or holding up the whole scrape.
  const read = () => {
    pending ??= withinOrNothing(waitingJobs(), timeoutMs).finally(() => {
      pending = undefined;
    });
    return pending;
  };
  new Gauge({
    name: 'notifications_queue_waiting_jobs',
    help: 'Jobs of the queue that are due and not taken by any worker yet, by task (deliver_email, due_notifications…).',
    labelNames: ['task'],
    registers: [registry],
    async collect() {
      const rows = await read();
      this.reset();
      for (const row of rows) this.set({ task: row.task }, row.waiting);
    },
  });
  new Gauge({
    name: 'notifications_queue_oldest_waiting_seconds',
    help: 'How long the oldest due job not taken yet has waited since it fell due, by task.',
    labelNames: ['task'],
    registers: [registry],
    async collect() {
      const rows = await read();
      this.reset();
      for (const row of rows) this.set({ task: row.task }, row.oldestSeconds);
    },
  });
}

async function withinOrNothing(rows: Promise<WaitingJobs[]>, timeoutMs: number): Promise<WaitingJobs[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<WaitingJobs[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  try {
    return await Promise.race([rows.catch(() => []), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The dependency gauges, set by each scrape; Redis's only when it is configured. */
function registerDependencyGauges(registry: Registry, dependencies: DependencyChecks): void {
  // One check per scrape for both gauges.
  let pending: Promise<DependencyReport> | undefined;
  const checked = () => {
    pending ??= dependencies.check().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  new Gauge({
    name: 'notifications_postgres_up',
    help: 'Whether PostgreSQL answered SELECT 1 within READY_TIMEOUT_MS at this scrape (1) or not (0).',
    registers: [registry],
    async collect() {
      this.set((await checked()).postgres.up ? 1 : 0);
    },
  });
  if (!dependencies.redis) return;
  new Gauge({
    name: 'notifications_redis_up',
    help: 'Whether Redis answered PING within READY_TIMEOUT_MS at this scrape (1) or not (0).',
    registers: [registry],
    async collect() {
      this.set((await checked()).redis?.up ? 1 : 0);
    },
  });
}
