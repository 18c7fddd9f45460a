// Runs jobs every so often in each instance, and between ticks at the times a job asks for; a run never
// overlaps the previous one, and a failure is retried at the next tick, logged when it starts, every 30 s
// while it lasts, and when it ends (a job of every second would otherwise log each failure with its stack).
// Cluster-wide exclusivity is the job's own business (cluster-lock.ts).
import { oneLine, outageLog } from '../health/outage-log.js';
import type { Logger } from '../logger.js';

export interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<unknown>;
  /**
   * For work that falls due at known times: called once at start with `runAt`, which runs the job at that
   * time when it comes before the next tick (should a run be in progress then, the job asks again after
   * it). Returns what to undo at stop.
   */
  wakeUps?(runAt: (at: Date) => void): () => void;
}

export interface Scheduler {
  stop(): Promise<void>;
}

/** Told of every run: `ran` when the job did its work here, `skipped` when another instance was at it. */
export type RunObserver = (job: string, result: 'ran' | 'skipped' | 'failed') => void;

export function startJobs(jobs: Job[], logger: Logger, observe: RunObserver = () => {}): Scheduler {
  const running = new Set<Promise<unknown>>();
  const failures = jobs.map((job) => outageLog({ subject: `job ${job.name}`, state: 'failing', logger }));
  const stops = jobs.map((job, index) => {
    const failure = failures[index]!;
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      const run = job
        .run()
        .then((result) => {
          observe(job.name, result === undefined ? 'skipped' : 'ran');
          logger.debug({ job: job.name, result }, 'job ran');
          failure.succeeded();
        })
        .catch((error: unknown) => {
          observe(job.name, 'failed');
          logger.debug({ err: error, job: job.name }, 'job failed');
          failure.failed(oneLine(error), { job: job.name, err: error });
        })
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    const timer = setInterval(tick, job.intervalMs);
    timer.unref();

    // One wake-up at a time: the earliest asked for.
    let wake: { at: number; timer: NodeJS.Timeout } | undefined;
    let stopped = false;
    const runAt = (at: Date) => {
      const delay = Math.max(0, at.getTime() - Date.now());
      if (stopped || delay >= job.intervalMs || (wake && wake.at <= at.getTime())) return;
      if (wake) clearTimeout(wake.timer);
      const wakeTimer = setTimeout(() => {
        wake = undefined;
        tick();
      }, delay);
      wakeTimer.unref();
      wake = { at: at.getTime(), timer: wakeTimer };
    };
    const detach = job.wakeUps?.(runAt);
    return () => {
      stopped = true;
      clearInterval(timer);
      if (wake) clearTimeout(wake.timer);
      detach?.();
    };
  });
  return {
    async stop() {
      for (const stop of stops) stop();
      await Promise.allSettled(running);
      for (const failure of failures) failure.close();
    },
  };
}
