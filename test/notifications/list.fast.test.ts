import { describe, expect, it } from 'vitest';
import { MarkReadDocument, NotificationsDocument, type NotificationsQuery } from '../generated/graphql.js';
import { useTestApp } from '../helpers/app.js';
import { expectError } from '../helpers/graphql.js';
import { createMany, createNotification } from '../helpers/notifications.js';

const app = useTestApp();
const newUser = () => app.newUser();

const titles = (page: NotificationsQuery) => page.notifications.edges.map((edge) => edge.node.title);

describe('notifications connection', () => {
  it('should page 25 notifications by 10 forwards and backwards with stable cursors while new ones arrive', async () => {
    const user = await newUser();
    await createMany(app, user.userId, 25);
    const newestFirst = Array.from({ length: 25 }, (_, i) => `n ${24 - i}`);

    const page1 = await user.data(NotificationsDocument, { first: 10 });
    expect(titles(page1)).toEqual(newestFirst.slice(0, 10));
    expect(page1.notifications.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(page1.notifications.totalCount).toBe(25);

    // New notifications arrive between pages: the next pages neither shift nor repeat.
    await createMany(app, user.userId, 3, 'late');

    const page2 = await user.data(NotificationsDocument, { first: 10, after: page1.notifications.pageInfo.endCursor });
    expect(titles(page2)).toEqual(newestFirst.slice(10, 20));
    expect(page2.notifications.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const page3 = await user.data(NotificationsDocument, { first: 10, after: page2.notifications.pageInfo.endCursor });
    expect(titles(page3)).toEqual(newestFirst.slice(20, 25));
    expect(page3.notifications.pageInfo.hasNextPage).toBe(false);
    expect(page3.notifications.totalCount).toBe(28);

    // Backwards from the end of page 3 returns what came before it, in the same order.
    const back2 = await user.data(NotificationsDocument, {
      last: 10,
      before: page3.notifications.pageInfo.startCursor,
    });
    expect(titles(back2)).toEqual(titles(page2));
    expect(back2.notifications.edges.map((edge) => edge.cursor)).toEqual(
      page2.notifications.edges.map((edge) => edge.cursor),
    );
    expect(back2.notifications.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });

    const back1 = await user.data(NotificationsDocument, {
      last: 10,
      before: back2.notifications.pageInfo.startCursor,
    });
    expect(titles(back1)).toEqual(newestFirst.slice(0, 10));
    // Before page 1's first item come the three that arrived later.
    const newest = await user.data(NotificationsDocument, {
      last: 10,
      before: back1.notifications.pageInfo.startCursor,
    });
    expect(titles(newest)).toEqual(['late 2', 'late 1', 'late 0']);
    expect(newest.notifications.pageInfo.hasPreviousPage).toBe(false);
  });

  it('should return the oldest ones with `last` alone', async () => {
    const user = await newUser();
    await createMany(app, user.userId, 5);
    const page = await user.data(NotificationsDocument, { last: 2 });
    expect(titles(page)).toEqual(['n 1', 'n 0']);
    expect(page.notifications.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });

  it('should give 20 by default and at most 100', async () => {
    const user = await newUser();
    await createMany(app, user.userId, 21);
    expect(titles(await user.data(NotificationsDocument, {}))).toHaveLength(20);
    expect(titles(await user.data(NotificationsDocument, { first: 100 }))).toHaveLength(21);
  });

  it.each([
    ['first: 101', { first: 101 }, 'first'],
    ['last: 101', { last: 101 }, 'last'],
    ['first: -1', { first: -1 }, 'first'],
    ['first with last', { first: 5, last: 5 }, 'last'],
    ['a cursor that is not ours', { after: 'bm90LWEtY3Vyc29y' }, 'after'],
    ['garbage as a cursor', { before: '%%%' }, 'before'],
  ])('should refuse %s with BAD_USER_INPUT', async (_name, variables, field) => {
    const user = await newUser();
    const error = expectError(await user.execute(NotificationsDocument, variables), 'BAD_USER_INPUT');
    expect(error.extensions?.field).toBe(field);
  });

  it('should list UNREAD and READ but not ARCHIVED by default, and filter by status and type', async () => {
    const user = await newUser();
    const info = await createNotification(app, { userId: user.userId, title: 'info', type: 'INFO' });
    await createNotification(app, { userId: user.userId, title: 'error', type: 'ERROR' });
    await user.data(MarkReadDocument, { id: info.id });

    expect(titles(await user.data(NotificationsDocument, {}))).toEqual(['error', 'info']);
    expect(titles(await user.data(NotificationsDocument, { status: 'READ' }))).toEqual(['info']);
    expect(titles(await user.data(NotificationsDocument, { status: 'UNREAD' }))).toEqual(['error']);
    expect(titles(await user.data(NotificationsDocument, { status: 'ARCHIVED' }))).toEqual([]);
    const errors = await user.data(NotificationsDocument, { type: 'ERROR' });
    expect(titles(errors)).toEqual(['error']);
    expect(errors.notifications.totalCount).toBe(1);
  });

  it('should answer an empty page for a user with nothing', async () => {
    const user = await newUser();
    const page = await user.data(NotificationsDocument, { first: 10 });
    expect(page.notifications).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });
});
