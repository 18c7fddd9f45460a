// An instance killed (SIGKILL) in the middle of 500 email deliveries: two server processes share one
// database and a real SMTP server slow enough that sends are in flight when one of them dies. Every delivery
// still ends SENT, through the survivor; an email is sent twice only where the crash fell between its send
// and its record, recognisable by its Message-ID.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishEventDocument } from '../generated/graphql.js';
import { freshDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/event-stream.js';
import { execute, expectData } from '../helpers/graphql.js';
import { type ServerProcess, startServerProcess, waitForLine } from '../helpers/process.js';
import { testServerEnvironment } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { scaled, startupDeadline, timeoutForStarts } from '../helpers/timing.js';
import { serviceToken } from '../helpers/tokens.js';

const DELIVERIES = 500;
const CONCURRENCY = 5;
const DEAD_AFTER_MS = 2000;

let smtp: TestSmtpServer;
let databaseUrl: string;
let db: pg.Client;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  smtp = await startSmtpServer({ delayMs: 40 });
  databaseUrl = await freshDatabase();
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const env = testServerEnvironment({
    redis: false,
    env: {
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtp.url,
      DELIVERY_CONCURRENCY: String(CONCURRENCY),
      DELIVERY_POLL_INTERVAL_MS: '100',
      DELIVERY_HEARTBEAT_MS: '250',
      DELIVERY_DEAD_AFTER_MS: String(DEAD_AFTER_MS),
    },
  });
  // One after the other: the first installs the queue's schema.
  servers.push(await startServerProcess(env, startupDeadline()));
  servers.push(await startServerProcess(env, startupDeadline()));
}, timeoutForStarts(2));
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await db?.end();
  await smtp?.close();
});

/** The queue's pool id that a server process logged at start. */
async function poolOf(server: ServerProcess): Promise<string> {
  const line = await waitForLine(server.output, /"msg":"job queue started"/, scaled(10_000));
  return (JSON.parse(line) as { poolId: string }).poolId;
}

async function lockedBy(poolId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE locked_by = $1',
    [poolId],
  );
  return rows[0]!.count;
}

describe('an instance killed mid-delivery', () => {
  it('should leave every delivery SENT through the other, none lost, duplicates only for sends in flight', async () => {
    const [victim, survivor] = servers as [ServerProcess, ServerProcess];
    const victimPool = await poolOf(victim);
    await db.query(
      `INSERT INTO recipients (user_id, email, updated_at)
       SELECT 'killed-' || i, 'killed-' || i || '@example.test', now() FROM generate_series(1, $1::int) AS i`,
      [DELIVERIES],
    );
    const recipients = Array.from({ length: DELIVERIES }, (_, i) => `killed-${i + 1}`);
    const { publishEvent } = expectData(
      await execute(
        survivor.url,
        PublishEventDocument,
        { input: { type: 'system.warning', data: { message: 'Hello' }, recipients } },
        { token: await serviceToken() },
      ),
    );
    expect(publishEvent.results.every((result) => result.outcome === 'CREATED')).toBe(true);

    // Mid-way, and while the victim holds jobs it has started.
    await waitFor(
      async () => smtp.received.length >= DELIVERIES / 4 && (await lockedBy(victimPool)) > 0,
      'a quarter sent, with sends in flight on the instance to kill',
      scaled(60_000),
    );
    const receivedAtKill = smtp.received.length;
    await victim.stop('SIGKILL');
    const killedAt = Date.now();
    // What it held when it died stays locked until the others find it dead.
    const heldAtKill = await lockedBy(victimPool);

    await waitFor(
      async () => (await lockedBy(victimPool)) === 0,
      "the killed instance's jobs unlocked",
      scaled(30_000),
    );
    const unlockedAfterMs = Date.now() - killedAt;
    const statuses = await waitFor(
      async () => {
        const { rows } = await db.query<{ status: string; count: number }>(
          'SELECT status, count(*)::int AS count FROM deliveries GROUP BY status',
        );
        const sent = rows.find((row) => row.status === 'SENT')?.count ?? 0;
        return sent === DELIVERIES ? rows : undefined;
      },
      'every delivery SENT',
      scaled(60_000),
    );
    const doneAfterMs = Date.now() - killedAt;
    expect(statuses).toEqual([{ status: 'SENT', count: DELIVERIES }]);

    const { rows: recorded } = await db.query<{ message_id: string }>('SELECT message_id FROM deliveries');
    const byMessageId = new Map<string, number>();
    for (const email of smtp.received) {
      const id = email.parsed.messageId!;
      byMessageId.set(id, (byMessageId.get(id) ?? 0) + 1);
    }
    // None lost: each delivery's recorded Message-ID was received, and nothing else was.
    expect(new Set(recorded.map((row) => row.message_id))).toEqual(new Set(byMessageId.keys()));
    const duplicates = smtp.received.length - byMessageId.size;
    console.log(
      `killed instance: ${DELIVERIES} deliveries, killed after ${receivedAtKill} received with ${heldAtKill} jobs ` +
        `locked by it; its jobs unlocked ${unlockedAfterMs} ms after the kill (dead after ${DEAD_AFTER_MS} ms), ` +
        `all SENT ${doneAfterMs} ms after it; duplicates (same Message-ID received twice): ${duplicates}`,
    );
    // Only a send in flight on the killed instance can have been received without being recorded.
    expect(duplicates).toBeLessThanOrEqual(heldAtKill);
    expect([...byMessageId.values()].every((count) => count <= 2)).toBe(true);
    expect(unlockedAfterMs).toBeLessThan(DEAD_AFTER_MS + scaled(5000));
  });
});
