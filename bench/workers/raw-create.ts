// The raw baseline of creation: `concurrency` loops of INSERT (pg, parameterized) then PUBLISH (ioredis)
// of the row as JSON, for `seconds`. What the engines allow for "store it, then tell the channel".
import { Redis } from 'ioredis';
import pg from 'pg';
import { newNotificationId as uuidv7 } from '../../src/notifications/ids.js';
import { summarize } from '../lib/stats.js';
import { userIdOf } from '../lib/tokens.js';

const { DATABASE_URL, REDIS_URL, DATABASE_POOL_SIZE } = process.env;
const users = Number(process.env.BENCH_USERS);

const INSERT = `INSERT INTO notifications (id, user_id, title, message, type, metadata, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING *`;

async function run({ concurrency, seconds, prefix }: { concurrency: number; seconds: number; prefix: string }) {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: Number(DATABASE_POOL_SIZE ?? 10) });
  const redis = new Redis(REDIS_URL!);
  const latencies: number[] = [];
  let errors = 0;
  const loop = async (deadline: number, record: boolean) => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const userId = userIdOf(Math.floor(Math.random() * users));
        const { rows } = await pool.query(INSERT, [
          uuidv7(),
          userId,
          'Transcription ready',
          "Your transcription 'Weekly sync' is ready to view",
          'SUCCESS',
          { actionUrl: '/sessions/42' },
        ]);
        await redis.publish(`${prefix}user:${userId}`, JSON.stringify(rows[0]));
        if (record) latencies.push(performance.now() - started);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => loop(performance.now() + 1000, false)));
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => loop(started + seconds * 1000, true)));
  const elapsed = performance.now() - started;
  await pool.end();
  redis.disconnect();
  const summary = summarize(latencies);
  return {
    perSecond: (latencies.length / elapsed) * 1000,
    p50: summary.p50,
    p99: summary.p99,
    errors,
    total: latencies.length,
  };
}

process.on('message', (message: { id: number; concurrency: number; seconds: number; prefix: string }) => {
  run(message).then(
    (value) => process.send?.({ id: message.id, value }),
    (error: Error) => process.send?.({ id: message.id, value: { error: error.message } }),
  );
});
