import { describe, expect, it } from 'vitest';
import {
  ArchiveAllDocument,
  ArchiveDocument,
  CountsByDocument,
  CountsDocument,
  DeleteAllDocument,
  MarkAllReadDocument,
  MarkAllSeenDocument,
  MarkReadDocument,
  MarkSeenDocument,
  MarkUnreadDocument,
  NodeDocument,
  NotificationChangesDocument,
  NotificationsDocument,
  SnoozeDocument,
  UnarchiveDocument,
  UnreadCountDocument,
} from '../generated/graphql.js';
import { useTestApp } from '../helpers/app.js';
import { expectError } from '../helpers/graphql.js';
import { createMany, createNotification } from '../helpers/notifications.js';

const shared = useTestApp();
const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

describe('one filter everywhere', () => {
  async function seedVariety() {
    const user = await shared.newUser();
    const make = (input: Parameters<typeof createNotification>[1]) => createNotification(shared, input);
    const rows = [
      await make({
        userId: user.userId,
        title: 'a',
        type: 'ERROR',
        category: 'transcription',
        relatedSessionId: 's1',
        metadata: { plan: 'pro', n: 1 },
      }),
      await make({
        userId: user.userId,
        title: 'b',
        type: 'SUCCESS',
        category: 'transcription',
        relatedSessionId: 's1',
        metadata: { plan: 'free' },
      }),
      await make({
        userId: user.userId,
        title: 'c',
        type: 'ERROR',
        category: 'security',
        metadata: { plan: 'pro', nested: { x: [1, 2] } },
      }),
      await make({ userId: user.userId, title: 'd', type: 'INFO', category: 'system' }),
      await make({ userId: user.userId, title: 'e', type: 'WARNING', category: 'system', relatedSessionId: 's2' }),
    ];
    await user.data(MarkReadDocument, { id: rows[0]!.id });
    await user.data(MarkReadDocument, { id: rows[3]!.id });
    await user.data(MarkSeenDocument, { ids: [rows[0]!.id, rows[1]!.id] });
    await user.data(ArchiveDocument, { id: rows[4]!.id });
    return { user, rows };
  }

  it('should give the same answer from the list, the counts and a brute-force count of the rows, for combined filters', async () => {
    const { user } = await seedVariety();
    const rows = await shared.app.services.db.notification.findMany({ where: { userId: user.userId } });
    type Row = (typeof rows)[number];
    const cases: Array<[Record<string, unknown>, (row: Row) => boolean]> = [
      [{}, (r) => r.status !== 'ARCHIVED'],
      [{ types: ['ERROR'] }, (r) => r.type === 'ERROR' && r.status !== 'ARCHIVED'],
      [{ types: ['ERROR'], seen: true }, (r) => r.type === 'ERROR' && r.seenAt !== null && r.status !== 'ARCHIVED'],
      [
        { category: 'transcription', relatedSessionId: 's1' },
        (r) => r.category === 'transcription' && r.relatedSessionId === 's1',
      ],
      [{ archived: true }, (r) => r.status === 'ARCHIVED'],
      [{ statuses: ['READ', 'ARCHIVED'] }, (r) => r.status === 'READ' || r.status === 'ARCHIVED'],
      [
        { status: 'UNREAD', types: ['ERROR', 'SUCCESS'] },
        (r) => r.status === 'UNREAD' && ['ERROR', 'SUCCESS'].includes(r.type),
      ],
      [
        { metadata: [{ key: 'plan', value: 'pro' }] },
        (r) => (r.metadata as Record<string, unknown>).plan === 'pro' && r.status !== 'ARCHIVED',
      ],
      [{ metadata: [{ key: 'nested', value: { x: [1, 2] } }] }, (r) => r.title === 'c'],
      [
        {
          metadata: [
            { key: 'plan', value: 'pro' },
            { key: 'n', value: 1 },
          ],
        },
        (r) => r.title === 'a',
      ],
      [
        { seen: false, types: ['INFO', 'WARNING'] },
        (r) => r.seenAt === null && ['INFO', 'WARNING'].includes(r.type) && r.status !== 'ARCHIVED',
      ],
      [
        { createdAfter: rows[1]!.createdAt.toISOString() },
        (r) => r.createdAt > rows[1]!.createdAt && r.status !== 'ARCHIVED',
      ],
    ];
    for (const [filter, predicate] of cases) {
      const expected = rows.filter(predicate);
      const bruteForce = {
        total: expected.length,
        unread: expected.filter((r) => r.readAt === null).length,
        unseen: expected.filter((r) => r.seenAt === null).length,
      };
      const counts = (await user.data(CountsDocument, { filter })).counts;
      const list = (await user.data(NotificationsDocument, { filter, first: 100 })).notifications;
      expect(counts, JSON.stringify(filter)).toEqual(bruteForce);
      expect(list.totalCount, JSON.stringify(filter)).toBe(expected.length);
      expect(list.edges.map((edge) => edge.node.title).sort(), JSON.stringify(filter)).toEqual(
        expected.map((r) => r.title).sort(),
      );
    }
  });

  it('should answer several tabs in one round trip with countsBy', async () => {
    const { user } = await seedVariety();
    const { countsBy } = await user.data(CountsByDocument, {
      filters: [
        { key: 'all' },
        { key: 'errors', filter: { types: ['ERROR'] } },
        { key: 'archive', filter: { archived: true } },
      ],
    });
    expect(countsBy).toEqual([
      { key: 'all', counts: { total: 4, unread: 2, unseen: 2 } },
      { key: 'errors', counts: { total: 2, unread: 1, unseen: 1 } },
      { key: 'archive', counts: { total: 1, unread: 1, unseen: 1 } },
    ]);
  });
});

describe('bulk actions', () => {
  it('should leave alone a notification that arrives between reading the list and the bulk action (upTo)', async () => {
    const user = await shared.newUser();
    await createMany(shared, user.userId, 3, 'seen');
    const page = await user.data(NotificationsDocument, { first: 20 });
    const newestSeen = page.notifications.edges[0]!.cursor;
    const late = await createNotification(shared, { userId: user.userId, title: 'arrived meanwhile' });

    const result = (await user.data(MarkAllReadDocument, { upTo: newestSeen })).markAllRead;
    expect(result.count).toBe(3);
    expect(result.notificationIds).not.toContain(late.id);
    expect(result.counts).toEqual({ total: 4, unread: 1, unseen: 4 });
    expect((await user.data(NodeDocument, { id: late.id })).node).toMatchObject({ status: 'UNREAD' });
  });

  it('should honour a change-log position as upTo too, and the filter, for every bulk action, each as one change', async () => {
    const user = await shared.newUser();
    await createNotification(shared, { userId: user.userId, type: 'ERROR', title: 'e1' });
    await createNotification(shared, { userId: user.userId, type: 'INFO', title: 'i1' });
    const position = (await user.data(NotificationChangesDocument, {})).notificationChanges.position;
    await createNotification(shared, { userId: user.userId, type: 'ERROR', title: 'e2 (later)' });
    const before = Number(position);

    const seen = (await user.data(MarkAllSeenDocument, { filter: { types: ['ERROR'] }, upTo: position })).markAllSeen;
    expect(seen).toMatchObject({ count: 1, counts: { total: 3, unread: 3, unseen: 2 } });
    const archived = (await user.data(ArchiveAllDocument, { upTo: position })).archiveAll;
    expect(archived).toMatchObject({ count: 2, counts: { total: 1, unread: 1, unseen: 1 } });
    const deleted = (await user.data(DeleteAllDocument, { filter: { archived: true }, upTo: position })).deleteAll;
    expect(deleted).toMatchObject({ count: 2, counts: { total: 1, unread: 1, unseen: 1 } });
    const remaining = await user.data(NotificationsDocument, { filter: { statuses: ['UNREAD', 'READ', 'ARCHIVED'] } });
    expect(remaining.notifications.edges.map((edge) => edge.node.title)).toEqual(['e2 (later)']);

    const log = (await user.data(NotificationChangesDocument, { after: String(before + 1) })).notificationChanges
      .events;
    expect(log.map((event) => [event.kind, event.count])).toEqual([
      ['ALL_SEEN', 1],
      ['ALL_ARCHIVED', 2],
      ['ALL_DELETED', 2],
    ]);
  });
});

describe('bad input changes nothing', () => {
  it.each([
    ['an unknown filter field', MarkAllReadDocument, { filter: { bogus: true } }, 'filter'],
    [
      'status and statuses together',
      MarkAllReadDocument,
      { filter: { status: 'READ', statuses: ['UNREAD'] } },
      'filter.statuses',
    ],
    ['an upTo position ahead of the log', MarkAllReadDocument, { upTo: '999999' }, 'upTo'],
    [
      'a metadata condition without a key',
      ArchiveAllDocument,
      { filter: { metadata: [{ key: '', value: 1 }] } },
      'filter.metadata.0.key',
    ],
  ] as const)('should refuse %s with BAD_USER_INPUT', async (_name, document, variables, field) => {
    const user = await shared.newUser();
    await createMany(shared, user.userId, 2);
    const error = expectError(
      await user.execute(document as typeof MarkAllReadDocument, variables as never),
      'BAD_USER_INPUT',
    );
    expect(error.extensions?.field).toBe(field);
    expect((await user.data(CountsDocument, {})).counts).toEqual({ total: 2, unread: 2, unseen: 2 });
  });

  it('should refuse a snooze into the past, and an upTo from another user, changing nothing', async () => {
    const [alice, bob] = [await shared.newUser(), await shared.newUser()];
    const [mine] = await createMany(shared, alice.userId, 1);
    const [bobs] = await createMany(shared, bob.userId, 1);
    const past = expectError(
      await alice.execute(SnoozeDocument, { id: mine!.id, until: inSeconds(-60) }),
      'BAD_USER_INPUT',
    );
    expect(past.extensions?.field).toBe('until');
    const foreign = expectError(await alice.execute(MarkAllReadDocument, { upTo: bobs!.id }), 'BAD_USER_INPUT');
    expect(foreign.extensions?.field).toBe('upTo');
    expect((await alice.data(UnreadCountDocument)).unreadCount.count).toBe(1);
    expect((await alice.data(NodeDocument, { id: mine!.id })).node).toMatchObject({
      snoozedUntil: null,
      status: 'UNREAD',
    });
  });
});

describe('isolation of the inbox actions', () => {
  it("should answer NOT_FOUND for someone else's notification in every single action, and never touch theirs in bulk", async () => {
    const [alice, bob] = [await shared.newUser(), await shared.newUser()];
    const [bobs] = await createMany(shared, bob.userId, 1);
    await createMany(shared, alice.userId, 1);
    const missing = Buffer.from('Notification:01900000-0000-7000-8000-000000000000').toString('base64');
    for (const [document, variables] of [
      [MarkUnreadDocument, (id: string) => ({ id })],
      [ArchiveDocument, (id: string) => ({ id })],
      [UnarchiveDocument, (id: string) => ({ id })],
      [SnoozeDocument, (id: string) => ({ id, until: inSeconds(60) })],
      [MarkSeenDocument, (id: string) => ({ ids: [id] })],
    ] as const) {
      const foreign = await alice.execute(document as typeof MarkUnreadDocument, variables(bobs!.id) as never);
      const absent = await alice.execute(document as typeof MarkUnreadDocument, variables(missing) as never);
      expectError(foreign, 'NOT_FOUND');
      expect(foreign.body).toEqual(absent.body);
    }
    await alice.data(MarkAllSeenDocument, {});
    await alice.data(ArchiveAllDocument, {});
    await alice.data(DeleteAllDocument, { filter: { archived: true } });
    expect((await bob.data(CountsDocument, {})).counts).toEqual({ total: 1, unread: 1, unseen: 1 });
    expect(
      (await alice.data(CountsByDocument, { filters: [{ key: 'x', filter: { archived: true } }] })).countsBy[0]!.counts
        .total,
    ).toBe(0);
  });
});
