// The delivery benchmark (issue 14): notifications with email and push on, into a real SMTP server and a real
// https push service started here (the tests' own, test/helpers/: each email parsed, each push's VAPID JWT
// checked and its payload decrypted, as a mail server and a push service would), through the app's durable
// queue. Prints deliveries per second per channel, the time from the notification's commit to its hand-off
// (p50/p99, from the rows: notification created_at → delivery sent_at), and what queueing them adds to a
// create (the same create load against an instance with channels on and one with them off, interleaved).
import { readFileSync } from 'node:fs';
import webpush from 'web-push';
import { startPushReceiver } from '../test/helpers/push-receiver.js';
import { startSmtpServer } from '../test/helpers/smtp-server.js';
import { withClient } from './lib/database.js';
import { interleaved, type Measurement, type Medians } from './lib/interleave.js';
import type { NodeProcess } from './lib/processes.js';
import { summarizeProfile } from './lib/profile.js';
import type { Report } from './lib/report.js';
import { verdict } from './lib/report.js';
import { int, ms, ratio, seconds } from './lib/stats.js';
import { signBenchToken, userIdOf } from './lib/tokens.js';
import type { LoadResult } from './workers/load.js';

export interface DeliveryBenchOptions {
  databaseUrl: string;
  jwtSecret: string;
  /** Users with an address and a device: the first `users` of the dataset. */
  users: number;
  notifications: number;
  createSeconds: number;
  createConnections: number;
  warmupSeconds: number;
  rounds: number;
  /** Where to write a CPU profile of the channels-on instance while it delivers (none without it). */
  profilePath?: string | undefined;
  startApp(env: Record<string, string>, label: string): Promise<{ process: NodeProcess; url: string }>;
  load(
    kind: 'app-create',
    url: string,
    connections: number,
    seconds: number,
    warmupSeconds: number,
  ): Promise<LoadResult>;
  log(text: string): void;
  report: Report;
}

const EMAIL = 'EMAIL';
const PUSH = 'PUSH';
const PUBLISH = `mutation Publish($input: PublishEventInput!) { publishEvent(input: $input) { tally { created } } }`;

export async function benchDelivery(options: DeliveryBenchOptions): Promise<void> {
  const { log, report, users } = options;
  const smtp = await startSmtpServer();
  const push = await startPushReceiver();
  const vapid = webpush.generateVAPIDKeys();
  const channels = {
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Notifications <notify@bench.test>',
    UNSUBSCRIBE_SECRET: `bench-unsubscribe-${'x'.repeat(32)}`,
    PUBLIC_URL: 'http://127.0.0.1:1',
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: 'mailto:bench@bench.test',
    // The push service's self-signed certificate, trusted by the app as a real one would be by the system.
    NODE_EXTRA_CA_CERTS: push.caFile,
    // The push service here listens on 127.0.0.1, inside the network that production refuses to push into.
    PUSH_PRIVATE_ENDPOINTS: 'true',
    DELIVERY_CONCURRENCY: '20',
  };
  // With a profile, the statements the instance sends are counted too (bench/lib/probe.ts).
  const on = await options.startApp(
    options.profilePath ? { ...channels, BENCH_CAPTURE_SQL: '1' } : channels,
    'app-channels-on',
  );
  const off = await options.startApp({}, 'app-channels-off');
  try {
    log(`delivery: ${int(users)} users with an address and a device; ${int(options.notifications)} notifications`);
    await giveUsersAddressesAndDevices(options.databaseUrl, users, () => push.newSubscription());

    // Throughput and hand-off latency: every notification reaches both channels.
    const service = signBenchToken(options.jwtSecret, 'bench-service', ['service']);
    const statements = async () =>
      options.profilePath ? await on.process.request<Array<{ text: string; count: number }>>({ probe: 'sql' }) : [];
    const statementsBefore = new Map((await statements()).map((s) => [s.text, s.count]));
    if (options.profilePath) await on.process.request({ probe: 'profile-start' });
    const cpuBefore = cpuMs(on.process.pid);
    const started = Date.now();
    const perBatch = Math.min(users, 1000);
    for (let sent = 0; sent < options.notifications; sent += perBatch) {
      const recipients = Array.from({ length: Math.min(perBatch, options.notifications - sent) }, (_, i) =>
        userIdOf((sent + i) % users),
      );
      await post(on.url, service, PUBLISH, {
        input: { type: 'system.warning', data: { message: `Bench ${sent}` }, recipients },
      });
    }
    const settled = await waitForDeliveries(options.databaseUrl, started, options.notifications * 2);
    const cpu = cpuMs(on.process.pid) - cpuBefore;
    if (options.profilePath) {
      await on.process.request({ probe: 'profile-stop', path: options.profilePath });
      const summary = summarizeProfile(options.profilePath, 12);
      const list = (shares: typeof summary.packages) =>
        shares.map((share) => `${share.name} ${share.percent.toFixed(1)}%`).join('; ');
      log(`  profile (${options.profilePath}): busy ${ms(summary.busyMs)} of ${ms(summary.totalMs)}`);
      log(`  by package (self): ${list(summary.packages)}`);
      log(`  by package (inclusive): ${list(summary.inclusive)}`);
      log(`  by function (self): ${list(summary.functions)}`);
    }
    const figures = await deliveryFigures(options.databaseUrl, started);
    const delivered = [...figures.values()].reduce((sum, figure) => sum + figure.sent, 0);
    if (options.profilePath) {
      const sent = (await statements())
        .map((s) => ({ text: s.text, count: s.count - (statementsBefore.get(s.text) ?? 0) }))
        .filter((s) => s.count > 0)
        .sort((a, b) => b.count - a.count);
      const total = sent.reduce((sum, s) => sum + s.count, 0);
      log(
        `  SQL statements sent while delivering: ${int(total)}, ${(total / Math.max(1, delivered)).toFixed(1)} per delivery`,
      );
      for (const s of sent.slice(0, 15)) log(`    ${int(s.count)}× ${s.text.replace(/\s+/g, ' ').slice(0, 150)}`);
    }
    log(
      `  app CPU (user+system, all threads) while delivering: ${ms(cpu)} for ${int(delivered)} deliveries, ${(cpu / Math.max(1, delivered)).toFixed(2)} ms each; wall ${seconds(settled)}`,
    );
    for (const channel of [EMAIL, PUSH]) {
      const figure = figures.get(channel);
      if (!figure) continue;
      report.add({
        benchmark: `Delivery, ${channel.toLowerCase()}: ${int(figure.sent)} sent through the queue (real SMTP server / https push service)`,
        figure: `${int(figure.perSecond)}/s; commit → hand-off p50 ${ms(figure.p50)}, p99 ${ms(figure.p99)}`,
        baseline: '—',
        ratio: `${int(figure.failed)} failed, ${int(figure.waiting)} still waiting after ${seconds(settled)}`,
        target: '≥ 1,000/s (original documents)',
        verdict: verdict(figure.perSecond, 1000, true, '/s'),
      });
    }
    log(
      `  received: ${int(smtp.received.length)} emails, ${int(push.received.length)} pushes (${push.problems.length} refused)`,
    );

    // What queueing the deliveries adds to a create: the same load, channels on and off, interleaved.
    const results = await interleaved(['off', 'on'] as const, options.rounds, async (target, round) => {
      const app = target === 'on' ? on : off;
      const result: Measurement = await options.load(
        'app-create',
        app.url,
        options.createConnections,
        options.createSeconds,
        options.warmupSeconds,
      );
      log(`  round ${round}, channels ${target}: ${int(result.requestsPerSecond)}/s, p99 ${ms(result.p99)}`);
      return result;
    });
    const each = (medians: Medians) => medians.each.map(int).join(', ');
    report.add({
      benchmark: `Create with email and push queued in its transaction (${options.createConnections} conn., medians of ${options.rounds})`,
      figure: `${int(results.on.requestsPerSecond)}/s (${each(results.on)}), p99 ${ms(results.on.p99)}`,
      baseline: `channels off: ${int(results.off.requestsPerSecond)}/s (${each(results.off)}), p99 ${ms(results.off.p99)}`,
      ratio: ratio(results.on.requestsPerSecond, results.off.requestsPerSecond),
      target: 'what queueing costs',
      verdict: '—',
    });
  } finally {
    await on.process.stop();
    await off.process.stop();
    await smtp.close();
    await push.close();
  }
}

/** CPU time a process has used so far (user + system, every thread), from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime, fields 14 and 15 of stat (11 and 12 after the command), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function post(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`);
}

/** A recipient profile with an address, and one device subscribed to the push service, for each user. */
async function giveUsersAddressesAndDevices(
  databaseUrl: string,
  users: number,
  newDevice: () => { endpoint: string; keys: { p256dh: string; auth: string } },
) {
  const ids = Array.from({ length: users }, (_, i) => userIdOf(i));
  const devices = ids.map(() => newDevice());
  await withClient(databaseUrl, async (client) => {
    await client.query(
      `INSERT INTO recipients (user_id, email, updated_at)
       SELECT id, id || '@bench.test', now() FROM unnest($1::varchar[]) AS id
       ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email`,
      [ids],
    );
    await client.query(
      `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, updated_at)
       SELECT gen_random_uuid(), u, e, p, a, now() FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[]) AS d (u, e, p, a)`,
      [ids, devices.map((d) => d.endpoint), devices.map((d) => d.keys.p256dh), devices.map((d) => d.keys.auth)],
    );
  });
}

/** Waits until the deliveries made since `since` are all done (none QUEUED); returns how long that took. */
async function waitForDeliveries(databaseUrl: string, since: number, expected: number): Promise<number> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const { done, total } = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ done: string; total: string }>(
        `SELECT count(*) FILTER (WHERE status <> 'QUEUED') AS done, count(*) AS total
         FROM deliveries WHERE created_at >= to_timestamp($1 / 1000.0)`,
        [since],
      );
      return { done: Number(rows[0]!.done), total: Number(rows[0]!.total) };
    });
    if (total >= expected && done === total) return Date.now() - since;
    if (Date.now() > deadline) return Date.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface ChannelFigures {
  sent: number;
  failed: number;
  waiting: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function deliveryFigures(databaseUrl: string, since: number): Promise<Map<string, ChannelFigures>> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{
      channel: string;
      sent: string;
      failed: string;
      waiting: string;
      span_ms: number | null;
      p50: number | null;
      p99: number | null;
    }>(
      `SELECT d.channel,
              count(*) FILTER (WHERE d.status = 'SENT') AS sent,
              count(*) FILTER (WHERE d.status = 'FAILED') AS failed,
              count(*) FILTER (WHERE d.status = 'QUEUED') AS waiting,
              extract(epoch FROM max(d.sent_at) - min(n.created_at)) * 1000 AS span_ms,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.sent_at - n.created_at) * 1000)
                FILTER (WHERE d.status = 'SENT') AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM d.sent_at - n.created_at) * 1000)
                FILTER (WHERE d.status = 'SENT') AS p99
       FROM deliveries d JOIN notifications n ON n.id = d.notification_id
       WHERE d.created_at >= to_timestamp($1 / 1000.0)
       GROUP BY d.channel`,
      [since],
    );
    return new Map(
      rows.map((row) => [
        row.channel,
        {
          sent: Number(row.sent),
          failed: Number(row.failed),
          waiting: Number(row.waiting),
          perSecond: row.span_ms ? (Number(row.sent) / row.span_ms) * 1000 : Number.NaN,
          p50: row.p50 ?? Number.NaN,
          p99: row.p99 ?? Number.NaN,
        },
      ]),
    );
  });
}
