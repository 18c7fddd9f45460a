// The view rule is written twice: once in SQL (filterSql over the database's notification_in_view, the
// counts of notification_counts and notification_create) and once in memory (matchesFilter, for events on
// their way to a stream). These properties hold them together over every state a notification can be in.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../src/db.js';
import type { Notification } from '../../src/generated/prisma/client.js';
import { countView, type NotificationCounts } from '../../src/notifications/counts.js';
import { checkFilter, filterSql, matchesFilter, type NotificationFilter } from '../../src/notifications/filter.js';

const db = createDatabase(inject('databaseUrl'), 2);
afterAll(() => db.$disconnect());

const HOUR = 3600_000;
// Times an hour or more from the test's own: the database's now() and the test's agree on which side of
// them they are, however slow the machine.
const aroundNow = (now: number) => fc.constantFrom<number | null>(null, now - 2 * HOUR, now - HOUR, now + HOUR);
const STATUSES = ['UNREAD', 'READ', 'ARCHIVED'] as const;
const TYPES = ['SUCCESS', 'ERROR', 'INFO', 'WARNING'] as const;
const PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
const METADATA = [{}, { k: 1 }, { k: '1' }, { k: { a: 1 } }, { k: [1] }, { j: true, k: 1 }];
const VALUES = [1, '1', { a: 1 }, [1], true];

const row = (now: number) =>
  fc.record({
    status: fc.constantFrom(...STATUSES),
    type: fc.constantFrom(...TYPES),
    priority: fc.constantFrom(...PRIORITIES),
    readAt: aroundNow(now),
    seenAt: aroundNow(now),
    snoozedUntil: aroundNow(now),
    expiresAt: aroundNow(now),
    createdAt: fc.constantFrom(now - 3 * HOUR, now - 2 * HOUR, now - HOUR),
    category: fc.constantFrom(null, 'billing', 'security'),
    relatedSessionId: fc.constantFrom(null, 's1', 's2'),
    metadata: fc.constantFrom(...METADATA),
  });

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const filter = (now: number): fc.Arbitrary<NotificationFilter> =>
  fc
    .record(
      {
        status: maybe(fc.constantFrom(...STATUSES)),
        statuses: maybe(fc.uniqueArray(fc.constantFrom(...STATUSES), { minLength: 1 })),
        types: maybe(fc.uniqueArray(fc.constantFrom(...TYPES), { minLength: 1 })),
        priorities: maybe(fc.uniqueArray(fc.constantFrom(...PRIORITIES), { minLength: 1 })),
        seen: maybe(fc.boolean()),
        archived: maybe(fc.boolean()),
        snoozed: maybe(fc.boolean()),
        relatedSessionId: maybe(fc.constantFrom('s1', 's2')),
        category: maybe(fc.constantFrom('billing', 'security')),
        createdAfter: maybe(fc.constantFrom(new Date(now - 2.5 * HOUR), new Date(now - 1.5 * HOUR))),
        createdBefore: maybe(fc.constantFrom(new Date(now - 1.5 * HOUR), new Date(now - 0.5 * HOUR))),
        metadata: maybe(
          fc.array(fc.record({ key: fc.constantFrom('k', 'j'), value: fc.constantFrom(...VALUES) }), { maxLength: 2 }),
        ),
      },
      { requiredKeys: [] },
    )
    .filter((candidate) => {
      try {
        checkFilter(candidate);
        return true;
      } catch {
        return false;
      }
    });

const date = (time: number | null) => (time === null ? null : new Date(time));

type Row = ReturnType<typeof row> extends fc.Arbitrary<infer T> ? T : never;

/** Inserts the rows for a new user; returns them as Prisma reads them. */
async function insert(rows: Row[]): Promise<Notification[]> {
  const userId = `view-rule-${randomUUID()}`;
  await db.notification.createMany({
    data: rows.map((r) => ({
      ...r,
      id: randomUUID(),
      userId,
      title: 't',
      message: 'm',
      readAt: date(r.readAt),
      seenAt: date(r.seenAt),
      snoozedUntil: date(r.snoozedUntil),
      expiresAt: date(r.expiresAt),
      createdAt: new Date(r.createdAt),
      archivedAt: r.status === 'ARCHIVED' ? new Date(r.createdAt) : null,
    })),
  });
  return db.notification.findMany({ where: { userId } });
}

const countsOf = (notifications: Notification[]): NotificationCounts => ({
  total: notifications.length,
  unread: notifications.filter((n) => n.readAt === null).length,
  unseen: notifications.filter((n) => n.seenAt === null).length,
});

const RUNS = 40;

describe('the view rule', () => {
  it('should select in SQL exactly the notifications matchesFilter accepts, and count them alike', async () => {
    const now = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.array(row(now), { minLength: 1, maxLength: 12 }),
        fc.array(filter(now), { minLength: 1, maxLength: 5 }),
        async (rows, filters) => {
          const notifications = await insert(rows);
          const userId = notifications[0]!.userId;
          for (const f of [{}, ...filters]) {
            const view = filterSql(userId, f, new Date(now));
            const selected = await db.$queryRaw<
              Array<{ id: string }>
            >`SELECT n.id FROM notifications AS n WHERE ${view}`;
            const matching = notifications.filter((n) => matchesFilter(n, f, new Date(now)));
            expect(selected.map(({ id }) => id).sort(), JSON.stringify(f)).toEqual(matching.map(({ id }) => id).sort());
            expect(await countView(db, view)).toEqual(countsOf(matching));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('should count the default view in the database (notification_counts) as the counts query does', async () => {
    const now = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(row(now), { minLength: 1, maxLength: 12 }), async (rows) => {
        const notifications = await insert(rows);
        const userId = notifications[0]!.userId;
        const at = new Date(now);
        const [counted] = await db.$queryRaw<Array<NotificationCounts & { user_id: string }>>`
          SELECT * FROM notification_counts(${[userId, 'view-rule-nobody']}::varchar[], ${at}::timestamptz)
          ORDER BY user_id = 'view-rule-nobody'`;
        expect(counted).toEqual({ user_id: userId, ...(await countView(db, filterSql(userId, {}, at))) });
      }),
      { numRuns: RUNS },
    );
  });

  it('should log with each notification notification_create makes the counts the counts query reports', async () => {
    const now = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(row(now), { maxLength: 12 }), async (rows) => {
        const userId = rows.length > 0 ? (await insert(rows))[0]!.userId : `view-rule-${randomUUID()}`;
        const [created] = await db.$queryRaw<NotificationCounts[]>`
          SELECT total, unread, unseen FROM notification_create(${randomUUID()}::uuid, ${userId}, 't', 'm',
            'INFO'::"NotificationType", '{}'::jsonb, NULL, NULL, NULL, NULL, NULL)`;
        const logged = await db.notificationChange.findFirst({ where: { userId }, orderBy: { position: 'desc' } });
        const counts = await countView(db, filterSql(userId, {}, new Date()));
        expect(created).toEqual(counts);
        expect(logged).toMatchObject({ kind: 'ADDED', totalCount: counts.total, unreadCount: counts.unread });
        expect(logged!.unseenCount).toBe(counts.unseen);
      }),
      { numRuns: RUNS },
    );
  });

  it('should put a notification in the default view exactly as filterSql with no filter does', async () => {
    const now = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(row(now), { minLength: 1, maxLength: 12 }), async (rows) => {
        const notifications = await insert(rows);
        const userId = notifications[0]!.userId;
        const at = new Date(now);
        const inView = await db.$queryRaw<Array<{ id: string }>>`
          SELECT n.id FROM notifications AS n WHERE n.user_id = ${userId} AND notification_in_default_view(n, ${at}::timestamptz)`;
        const filtered = await db.$queryRaw<Array<{ id: string }>>`
          SELECT n.id FROM notifications AS n WHERE ${filterSql(userId, {}, at)}`;
        expect(inView.map(({ id }) => id).sort()).toEqual(filtered.map(({ id }) => id).sort());
      }),
      { numRuns: RUNS },
    );
  });
});
