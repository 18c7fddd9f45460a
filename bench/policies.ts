// `npx tsx bench/policies.ts [--smoke]`: what the delivery policies of issue 15 cost a notification when it is
// created: the same publishEvent, in process (no HTTP), for users with no policy (email and push QUEUED), a
// read-before-send delay, an email digest window and quiet hours, interleaved over 3 rounds (medians). The queue
// does not run, so the jobs each mode adds stay countable: a held delivery is one row and one job as a queued
// one is, and a digest's items share one job per user and window. Writes bench/POLICIES-RESULTS.md (not with --smoke).
import { writeFileSync } from 'node:fs';
import { runMigrations } from 'graphile-worker';
import webpush from 'web-push';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db.js';
import { createLogger } from '../src/logger.js';
import { createPubSub } from '../src/pubsub.js';
import { createServices } from '../src/services.js';
import { createScratchDatabase, withClient } from './lib/database.js';
import { interleaved, type Measurement } from './lib/interleave.js';

const smoke = process.argv.includes('--smoke');
const SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
const USERS = smoke ? 20 : 200;
const PER_USER = smoke ? 5 : 10;
const CONCURRENCY = 20;
const MODES = ['queued', 'delayed', 'digest', 'quiet hours'] as const;
type Mode = (typeof MODES)[number];

const scratch = await createScratchDatabase(SERVER, `bench_policies_${process.pid}`);
try {
  await runMigrations({ connectionString: scratch.url });
  const vapid = webpush.generateVAPIDKeys();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: scratch.url,
    JWT_SECRET: 'bench-policies-secret-bench-policies-secret',
    SMTP_URL: 'smtp://127.0.0.1:1',
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: 'mailto:bench@example.test',
    RATE_LIMIT_PER_RECIPIENT_PER_HOUR: '1000000',
  });
  const logger = createLogger('warn');
  const db = createDatabase(scratch.url, 30);
  const pubsub = await createPubSub({ keyPrefix: 'bench:', logger });
  const { services } = createServices({ config, db, pubsub, logger });

  // Each mode's users: an address, a device (push planned), and the mode's preferences.
  const users = new Map<Mode, string[]>();
  for (const mode of MODES) {
    const ids = Array.from({ length: USERS }, (_, i) => `${mode.replace(' ', '-')}-${i}`);
    users.set(mode, ids);
    for (const userId of ids) {
      await services.recipients.upsert({ userId, email: `${userId}@bench.test`, timeZone: 'UTC' });
      await db.pushSubscription.create({
        data: {
          id: crypto.randomUUID(),
          userId,
          endpoint: `https://push.bench.test/${userId}`,
          p256dh: 'x',
          auth: 'y',
        },
      });
      if (mode === 'delayed')
        await services.preferences.update(userId, [{ category: 'system', emailPolicy: { delaySeconds: 300 } }]);
      if (mode === 'digest')
        await services.preferences.update(userId, [{ category: 'system', emailPolicy: { digestSeconds: 900 } }]);
      if (mode === 'quiet hours')
        await services.preferences.saveSchedule(
          userId,
          services.preferences.checkSchedule({
            quietHours: { start: '00:00', end: '23:59:59', channels: ['EMAIL', 'PUSH'] },
          }),
        );
    }
  }

  const counted = () =>
    withClient(scratch.url, async (client) => {
      const { rows } = await client.query<{ jobs: number; deliveries: number }>(
        'SELECT (SELECT count(*)::int FROM graphile_worker.jobs) AS jobs, (SELECT count(*)::int FROM deliveries) AS deliveries',
      );
      return rows[0]!;
    });
  const perNotification = new Map<Mode, { jobs: number; deliveries: number }>();

  const measure = async (mode: Mode, round: number): Promise<Measurement> => {
    const before = await counted();
    const queue = users.get(mode)!.flatMap((userId) => Array.from({ length: PER_USER }, () => userId));
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let userId = queue.pop(); userId; userId = queue.pop()) {
          const t = performance.now();
          await services.publishing.publish({
            type: 'system.warning',
            data: { message: `round ${round}` },
            recipients: [userId],
          });
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = await counted();
    const created = USERS * PER_USER;
    // The first round opens each digest user's window: what a window's first and later items add.
    if (round === 1)
      perNotification.set(mode, {
        jobs: (after.jobs - before.jobs) / created,
        deliveries: (after.deliveries - before.deliveries) / created,
      });
    latencies.sort((a, b) => a - b);
    return {
      requestsPerSecond: created / seconds,
      p50: latencies[Math.floor(latencies.length / 2)]!,
      p99: latencies[Math.floor(latencies.length * 0.99)]!,
    };
  };

  const results = await interleaved(MODES, 3, measure);
  const base = results.queued.requestsPerSecond;
  const lines = [
    '# Delivery policies: what they cost a notification (bench/policies.ts)',
    '',
    `${new Date().toISOString()}; ${USERS} users per mode × ${PER_USER} publishEvent each, ${CONCURRENCY} at a time, in process (no HTTP), email and push planned for every user; 3 interleaved rounds, medians; the job queue not running, so the jobs each mode added are counted.`,
    '',
    '| mode | creates/s | vs queued | p50 ms | p99 ms | delivery rows / notification | jobs / notification |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...MODES.map((mode) => {
      const r = results[mode];
      const per = perNotification.get(mode)!;
      return `| ${mode} | ${r.requestsPerSecond.toFixed(0)} | ${(r.requestsPerSecond / base).toFixed(2)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${per.deliveries.toFixed(2)} | ${per.jobs.toFixed(2)} |`;
    }),
    '',
    'Rows and jobs are those of the first round (a digest window opened by each user in it). ' +
      'queued: email and push each a QUEUED delivery and a job. delayed: the email HELD (DELAYED), its job due 5 min later. ' +
      "digest: the email HELD (DIGEST), one job per user and window (its key keeps the first run time), so the user's " +
      'later items add none. quiet hours: decided when the job runs, so a create costs what a queued one does.',
    '',
  ];
  console.log(lines.join('\n'));
  if (!smoke) writeFileSync(new URL('./POLICIES-RESULTS.md', import.meta.url), lines.join('\n'));
  await db.$disconnect();
} finally {
  await scratch.drop();
}
