// Killed-instance recovery. graphile-worker leaves the jobs of a worker pool that vanished without a word
// (SIGKILL, a lost machine) locked for 4 hours. Here each instance's pool writes a heartbeat to
// queue_workers, and every live instance, at each beat, unlocks (graphile_worker.force_unlock_workers) the
// jobs locked for longer than `deadAfterMs` by a pool whose heartbeat is older than that, or that never wrote
// one. Each job then runs again on a live pool; the deliveries' own checks (deliveries.ts) make a late
// result of the dead one's change nothing.
import type { Database } from '../db.js';
import { oneLine, outageLog } from '../health/outage-log.js';
import type { Logger } from '../logger.js';

export interface HeartbeatOptions {
  intervalMs: number;
  deadAfterMs: number;
}

export interface Heartbeats {
  stop(): Promise<void>;
}

/** Writes this pool's heartbeat, and returns the pools found dead whose jobs it unlocked. */
async function beatAndRecover(db: Database, poolId: string, deadAfterMs: number): Promise<string[]> {
  await db.$executeRaw`
    INSERT INTO queue_workers (pool_id, heartbeat_at) VALUES (${poolId}, now())
    ON CONFLICT (pool_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`;
  const dead = await db.$queryRaw<Array<{ pool_id: string }>>`
    SELECT DISTINCT j.locked_by AS pool_id FROM graphile_worker.jobs AS j
    WHERE j.locked_by IS NOT NULL AND j.locked_at < now() - ${deadAfterMs} * interval '1 millisecond'
      AND NOT EXISTS (
        SELECT 1 FROM queue_workers AS w
        WHERE w.pool_id = j.locked_by AND w.heartbeat_at > now() - ${deadAfterMs} * interval '1 millisecond'
      )`;
  const pools = dead.map((row) => row.pool_id);
  if (pools.length > 0) await db.$executeRaw`SELECT graphile_worker.force_unlock_workers(${pools}::text[])`;
  await db.$executeRaw`
    DELETE FROM queue_workers WHERE heartbeat_at < now() - ${deadAfterMs} * interval '1 millisecond'`;
  return pools;
}

/** Beats for `poolId` every `intervalMs` until stopped; then its row goes, as a clean stop leaves no lock. */
export function startHeartbeats(
  db: Database,
  poolId: string,
  { intervalMs, deadAfterMs }: HeartbeatOptions,
  logger: Logger,
): Heartbeats {
  const log = logger.child({ component: 'queue-heartbeat' });
  const failure = outageLog({ subject: 'queue heartbeat', state: 'failing', logger: log });
  let running: Promise<void> | undefined;
  const beat = () => {
    // One beat at a time: a slow database must not pile them up.
    running ??= beatAndRecover(db, poolId, deadAfterMs)
      .then(
        (pools) => {
          failure.succeeded();
          if (pools.length > 0)
            log.warn({ pools, deadAfterMs }, 'jobs of silent queue workers unlocked for the others');
        },
        (error: unknown) => failure.failed(oneLine(error)),
      )
      .finally(() => {
        running = undefined;
      });
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      failure.close();
      await db.$executeRaw`DELETE FROM queue_workers WHERE pool_id = ${poolId}`.catch(() => {});
    },
  };
}
