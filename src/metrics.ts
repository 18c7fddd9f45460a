// Prometheus metrics of this instance, served at /metrics.
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  published: Counter<'outcome'>;
  jobRuns: Counter<'job' | 'result'>;
  retention: Counter<'action'>;
  intake: Counter<'result'>;
  openStreams: Gauge;
}

export function createMetrics(openStreams: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'notifications_' });
  return {
    registry,
    published: new Counter({
      name: 'notifications_published_total',
      help: 'Recipients of published events, by outcome (CREATED, UPDATED, DUPLICATE, STALE, MUTED, RATE_LIMITED).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'notifications_job_runs_total',
      help: 'Runs of the periodic jobs: ran (this instance did the work), skipped (another one was at it), failed.',
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
  };
}
