// Runs jobs every so often in each instance; a run never overlaps the previous one, and a failure is
// logged and retried at the next tick. Cluster-wide exclusivity is the job's own business (cluster-lock.ts).
import type { Logger } from '../logger.js';

export interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<unknown>;
}

export interface Scheduler {
  stop(): Promise<void>;
}

/** Told of every run: `ran` when the job did its work here, `skipped` when another instance was at it. */
export type RunObserver = (job: string, result: 'ran' | 'skipped' | 'failed') => void;

export function startJobs(jobs: Job[], logger: Logger, observe: RunObserver = () => {}): Scheduler {
  const running = new Set<Promise<unknown>>();
  const timers = jobs.map((job) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const run = job
        .run()
        .then((result) => {
          observe(job.name, result === undefined ? 'skipped' : 'ran');
          logger.debug({ job: job.name, result }, 'job ran');
        })
        .catch((error: unknown) => {
          observe(job.name, 'failed');
          logger.error({ err: error, job: job.name }, 'job failed');
        })
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    }, job.intervalMs);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled(running);
    },
  };
}
