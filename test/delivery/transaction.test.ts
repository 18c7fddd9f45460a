// A notification and its deliveries commit together or not at all: the queue's jobs are rows written by
// delivery_enqueue in the notification's own transaction.
import { randomUUID } from 'node:crypto';
import { runMigrations } from 'graphile-worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db.js';
import { DeliveryPlanner } from '../../src/delivery/planner.js';
import { createLogger } from '../../src/logger.js';
import { deliverBatch } from '../../src/notifications/delivery.js';
import { ChangePublisher } from '../../src/notifications/events.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createPubSub, type PubSubBus } from '../../src/pubsub.js';
import { freshDatabase } from '../helpers/database.js';
import { newUserId } from '../helpers/tokens.js';

let url: string;
let db: Database;
let pubsub: PubSubBus;
let service: NotificationService;
const planner = () => new DeliveryPlanner(db, ['EMAIL']);

const content = {
  title: 'Hello',
  message: 'World',
  type: 'INFO' as const,
  metadata: {},
  relatedSessionId: null,
  category: 'system',
  eventType: 'system.warning',
  expiresAt: null,
  priority: 'NORMAL' as const,
};

beforeAll(async () => {
  url = await freshDatabase();
  // The queue's schema, as a worker installs it at start; no worker runs here, so the jobs stay to be seen.
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  await runMigrations({ pgPool: pool });
  await pool.end();
  db = createDatabase(url, 4);
  pubsub = await createPubSub({ keyPrefix: 'tx:', logger: createLogger('silent') });
  service = new NotificationService(db, new ChangePublisher(pubsub, createLogger('silent')));
});
afterAll(async () => {
  await pubsub?.close();
  await db?.$disconnect();
});

async function withAddress(userId: string) {
  await db.recipient.create({ data: { userId, email: `${userId}@example.test` } });
}

async function jobsFor(notificationIds: string[]) {
  const deliveries = await db.delivery.findMany({ where: { notificationId: { in: notificationIds } } });
  const jobs = await db.$queryRaw<Array<{ task: string; payload: { id: string; attempt: number } }>>`
    SELECT t.identifier AS task, j.payload FROM graphile_worker._private_jobs AS j
    JOIN graphile_worker._private_tasks AS t ON t.id = j.task_id
    WHERE j.payload->>'id' = ANY(${deliveries.map((d) => d.id)}::text[])`;
  return { deliveries, jobs };
}

describe('delivery jobs and their notification', () => {
  it('should queue the job of a committed notification created in one round trip', async () => {
    const userId = newUserId();
    await withAddress(userId);
    const plan = await planner().plan([userId], undefined, 'system', { message: 'World' });
    const [outcome] = await service.deliver(content, [userId], {
      idempotencyKey: null,
      collapseKey: null,
      supersedes: [],
      plan,
    });
    const { deliveries, jobs } = await jobsFor([outcome!.notification!.id]);
    expect(deliveries).toMatchObject([{ channel: 'EMAIL', status: 'QUEUED', attempts: 0, data: { message: 'World' } }]);
    expect(jobs).toEqual([{ task: 'deliver_email', payload: { id: deliveries[0]!.id, attempt: 0 } }]);
  });

  it('should queue one job per delivery of a committed batch, and none for a skipped one', async () => {
    const [reachable, unreachable] = [newUserId(), newUserId()];
    await withAddress(reachable);
    const plan = await planner().plan([reachable, unreachable], undefined, 'system', {});
    const outcomes = await service.deliver(content, [reachable, unreachable], {
      idempotencyKey: null,
      collapseKey: 'subject-1',
      supersedes: [],
      plan,
    });
    const { deliveries, jobs } = await jobsFor(outcomes.map((o) => o.notification!.id));
    expect(deliveries.map((d) => [d.status, d.reason]).sort()).toEqual([
      ['QUEUED', null],
      ['SKIPPED', 'NO_ADDRESS'],
    ]);
    expect(jobs).toHaveLength(1);
  });

  it('should queue one push job per notification for a user with devices, and none for one without', async () => {
    const [subscribed, unsubscribed] = [newUserId(), newUserId()];
    for (const [i, endpoint] of ['https://push.example.test/a', 'https://push.example.test/b'].entries()) {
      await db.pushSubscription.create({
        data: {
          id: randomUUID(),
          userId: subscribed,
          endpoint: `${endpoint}-${subscribed}`,
          p256dh: `k${i}`,
          auth: 'a',
        },
      });
    }
    const plan = await new DeliveryPlanner(db, ['EMAIL', 'PUSH']).plan(
      [subscribed, unsubscribed],
      undefined,
      'system',
      {},
    );
    const outcomes = await service.deliver(content, [subscribed, unsubscribed], {
      idempotencyKey: null,
      collapseKey: null,
      supersedes: [],
      plan,
    });
    const { deliveries, jobs } = await jobsFor(outcomes.map((o) => o.notification!.id));
    const push = deliveries.filter((d) => d.channel === 'PUSH').map((d) => [d.status, d.reason]);
    expect(push.sort()).toEqual([
      ['QUEUED', null],
      ['SKIPPED', 'NO_SUBSCRIPTION'],
    ]);
    expect(jobs.map((job) => job.task)).toEqual(['deliver_push']);
  });

  it('should queue nothing for a notification whose transaction rolled back', async () => {
    const userId = newUserId();
    await withAddress(userId);
    const plan = await planner().plan([userId], undefined, 'system', {});
    let created: string[] = [];
    await expect(
      db.$transaction(async (tx) => {
        const { outcomes } = await deliverBatch(tx, content, [userId], {
          idempotencyKey: null,
          collapseKey: null,
          supersedes: [],
          plan,
        });
        created = outcomes.map((o) => o.notification!.id);
        const queued = await tx.delivery.count({ where: { notificationId: { in: created } } });
        expect(queued).toBe(1);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(created).toHaveLength(1);
    const { deliveries, jobs } = await jobsFor(created);
    expect(deliveries).toEqual([]);
    expect(jobs).toEqual([]);
    const [row] = await db.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count FROM graphile_worker._private_jobs WHERE payload->>'id' IS NULL`;
    expect(row?.count).toBe(0);
  });

  it('should queue nothing for a duplicate (an idempotency key used before)', async () => {
    const userId = newUserId();
    await withAddress(userId);
    const options = { idempotencyKey: 'once', collapseKey: null, supersedes: [] };
    const plan = await planner().plan([userId], undefined, 'system', {});
    const [first] = await service.deliver(content, [userId], { ...options, plan });
    const [second] = await service.deliver(content, [userId], { ...options, plan });
    expect(second!.outcome).toBe('DUPLICATE');
    const { jobs } = await jobsFor([first!.notification!.id]);
    expect(jobs).toHaveLength(1);
  });
});
