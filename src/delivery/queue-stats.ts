// What waits in the job queue, per task, read at each metrics scrape: the jobs due and not taken, and how
// long the oldest of them has waited. Before the queue has installed its schema there is nothing to read.
import type { Database } from '../db.js';

export interface WaitingJobs {
  task: string;
  waiting: number;
  oldestSeconds: number;
}

export async function waitingJobs(db: Database): Promise<WaitingJobs[]> {
  const rows = await db.$queryRaw<Array<{ task: string; waiting: number; oldest_seconds: number }>>`
    SELECT task_identifier AS task, count(*)::int AS waiting,
      extract(epoch FROM now() - min(run_at))::float8 AS oldest_seconds
    FROM graphile_worker.jobs
    WHERE locked_at IS NULL AND run_at <= now() AND attempts < max_attempts
    GROUP BY task_identifier`.catch((error: unknown) => {
    // 42P01: graphile_worker.jobs does not exist yet.
    if ((error as { meta?: { code?: string } }).meta?.code === '42P01' || /42P01|does not exist/.test(String(error)))
      return [];
    throw error;
  });
  return rows.map((row) => ({ task: row.task, waiting: row.waiting, oldestSeconds: row.oldest_seconds }));
}
