// The job queue runs on every instance, channels or not: our own jobs (src/jobs/) are its jobs too; and a
// live instance hands the jobs of one that went silent to the others.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/event-stream.js';
import { captureLog } from '../helpers/log-capture.js';
import { startTestServer } from '../helpers/server.js';
import { scaled } from '../helpers/timing.js';

describe('the job queue at start', () => {
  it('should run with no channel configured, only the housekeeping tasks, and say which channels are off and why', async () => {
    const log = captureLog();
    const server = await startTestServer({ redis: false, logger: log.logger, env: { SMTP_URL: undefined } });
    try {
      const started = log.entries.find((entry) => entry.msg === 'job queue started');
      expect(started).toMatchObject({ channels: { EMAIL: 'off (SMTP_URL not set)' } });
      expect(started!.poolId).toMatch(/^pool-/);
      expect(started!.tasks).toEqual(['due_notifications', 'retention', 'prune_change_log']);
    } finally {
      await server.stop();
    }
  });

  it('should unlock the jobs of a pool that never beat once they are held longer than DELIVERY_DEAD_AFTER_MS, and no live one', async () => {
    const databaseUrl = await freshDatabase();
    const log = captureLog();
    const server = await startTestServer({
      redis: false,
      logger: log.logger,
      env: { DATABASE_URL: databaseUrl, DELIVERY_HEARTBEAT_MS: '100', DELIVERY_DEAD_AFTER_MS: '1000' },
    });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const livePool = (log.entries.find((entry) => entry.msg === 'job queue started') as { poolId: string }).poolId;
      // Jobs of a task no instance runs, locked as a vanished pool and as this live one would leave them.
      await db.query(`SELECT graphile_worker.add_job('nobody_runs_this', json_build_object('n', n), job_key => 'held-' || n)
        FROM generate_series(1, 2) AS n`);
      await db.query(
        `UPDATE graphile_worker._private_jobs SET locked_at = now() - interval '1 hour',
        locked_by = CASE WHEN key = 'held-1' THEN 'pool-vanished' ELSE $1 END WHERE key LIKE 'held-%'`,
        [livePool],
      );
      const lockedBy = async () =>
        (
          await db.query<{ key: string; locked_by: string | null }>(
            `SELECT key, locked_by FROM graphile_worker.jobs WHERE key LIKE 'held-%' ORDER BY key`,
          )
        ).rows;
      const rows = await waitFor(
        async () => ((await lockedBy())[0]!.locked_by === null ? lockedBy() : undefined),
        "the vanished pool's job unlocked",
        scaled(10_000),
      );
      expect(rows).toEqual([
        { key: 'held-1', locked_by: null },
        { key: 'held-2', locked_by: livePool },
      ]);
      expect(
        log.entries.find((entry) => entry.msg === 'jobs of silent queue workers unlocked for the others'),
      ).toMatchObject({ pools: ['pool-vanished'] });
    } finally {
      await db.query(`SELECT graphile_worker.remove_job('held-' || n) FROM generate_series(1, 2) AS n`).catch(() => {});
      await db.end();
      await server.stop();
    }
  });
});
