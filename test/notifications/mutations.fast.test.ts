import { describe, expect, it } from 'vitest';
import {
  DeleteNotificationDocument,
  MarkAllReadDocument,
  MarkReadDocument,
  NodeDocument,
  NotificationsDocument,
  UnreadCountDocument,
} from '../generated/graphql.js';
import { useTestApp } from '../helpers/app.js';
import { expectError } from '../helpers/graphql.js';
import { createMany, createNotification } from '../helpers/notifications.js';

const app = useTestApp();
const newUser = () => app.newUser();

const globalId = (uuid: string) => Buffer.from(`Notification:${uuid}`).toString('base64');
const MISSING_ID = globalId('01900000-0000-7000-8000-000000000000');

describe('unreadCount', () => {
  it("should count unread notifications and give the newest one's creation time", async () => {
    const user = await newUser();
    expect((await user.data(UnreadCountDocument)).unreadCount).toEqual({ count: 0, lastNotificationAt: null });
    const [, newest] = await createMany(app, user.userId, 2);
    expect((await user.data(UnreadCountDocument)).unreadCount).toEqual({
      count: 2,
      lastNotificationAt: newest!.createdAt,
    });
  });
});

describe('markRead', () => {
  it('should set READ and readAt, and lower the unread count', async () => {
    const user = await newUser();
    const [older, newer] = await createMany(app, user.userId, 2);
    const { markRead } = await user.data(MarkReadDocument, { id: newer!.id });
    expect(markRead.status).toBe('READ');
    expect(markRead.readAt).not.toBeNull();
    expect((await user.data(UnreadCountDocument)).unreadCount).toEqual({
      count: 1,
      lastNotificationAt: older!.createdAt,
    });
  });

  it('should be idempotent: marking again keeps the first readAt', async () => {
    const user = await newUser();
    const created = await createNotification(app, { userId: user.userId });
    const first = (await user.data(MarkReadDocument, { id: created.id })).markRead;
    const again = (await user.data(MarkReadDocument, { id: created.id })).markRead;
    expect(again).toEqual(first);
  });

  it('should answer NOT_FOUND for a well-formed id that does not exist', async () => {
    const user = await newUser();
    expectError(await user.execute(MarkReadDocument, { id: MISSING_ID }), 'NOT_FOUND');
  });

  it.each([
    ['not base64 at all', '%%%'],
    ["another type's id", Buffer.from('User:123').toString('base64')],
    ['a notification id that is no UUID', globalId('12345')],
    ['an empty id', ''],
  ])('should answer BAD_USER_INPUT for %s', async (_name, id) => {
    const user = await newUser();
    const error = expectError(await user.execute(MarkReadDocument, { id }), 'BAD_USER_INPUT');
    expect(error.extensions?.field).toBe('id');
  });
});

describe('markAllRead', () => {
  it('should mark every unread one read and say how many changed', async () => {
    const user = await newUser();
    const [first] = await createMany(app, user.userId, 3);
    await user.data(MarkReadDocument, { id: first!.id });
    expect((await user.data(MarkAllReadDocument)).markAllRead.count).toBe(2);
    expect((await user.data(MarkAllReadDocument)).markAllRead.count).toBe(0);
    expect((await user.data(UnreadCountDocument)).unreadCount.count).toBe(0);
    const page = await user.data(NotificationsDocument, {});
    expect(page.notifications.edges.every((edge) => edge.node.status === 'READ' && edge.node.readAt)).toBe(true);
  });
});

describe('deleteNotification', () => {
  it('should delete it for good and return its id', async () => {
    const user = await newUser();
    const [keep, drop] = await createMany(app, user.userId, 2);
    expect((await user.data(DeleteNotificationDocument, { id: drop!.id })).deleteNotification.deletedId).toBe(drop!.id);
    const page = await user.data(NotificationsDocument, {});
    expect(page.notifications.edges.map((edge) => edge.node.id)).toEqual([keep!.id]);
    expect((await user.data(UnreadCountDocument)).unreadCount.count).toBe(1);
    expectError(await user.execute(DeleteNotificationDocument, { id: drop!.id }), 'NOT_FOUND');
  });
});

describe('node', () => {
  it("should return the caller's notification by its global id", async () => {
    const user = await newUser();
    const created = await createNotification(app, { userId: user.userId, title: 'by node' });
    const { node } = await user.data(NodeDocument, { id: created.id });
    expect(node).toMatchObject({ id: created.id, title: 'by node' });
  });

  // node(id:) takes any type's id: answering a malformed one differently would tell which types exist.
  it('should answer NOT_FOUND, worded as for a missing id, for a malformed one too', async () => {
    const user = await newUser();
    const missing = expectError(await user.execute(NodeDocument, { id: MISSING_ID }), 'NOT_FOUND');
    for (const id of ['%%%', globalId('nope')]) {
      expect(expectError(await user.execute(NodeDocument, { id }), 'NOT_FOUND').message).toBe(missing.message);
    }
  });
});

describe('isolation between two users', () => {
  it("should never show or change one user's notifications for another, and answer as if they did not exist", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const [bobs] = await createMany(app, bob.userId, 1);
    await createMany(app, alice.userId, 2);

    const alicesView = await alice.data(NotificationsDocument, { first: 100, status: null });
    expect(alicesView.notifications.totalCount).toBe(2);
    expect(alicesView.notifications.edges.map((edge) => edge.node.id)).not.toContain(bobs!.id);

    const foreign = [
      await alice.execute(NodeDocument, { id: bobs!.id }),
      await alice.execute(MarkReadDocument, { id: bobs!.id }),
      await alice.execute(DeleteNotificationDocument, { id: bobs!.id }),
    ];
    const missing = [
      await alice.execute(NodeDocument, { id: MISSING_ID }),
      await alice.execute(MarkReadDocument, { id: MISSING_ID }),
      await alice.execute(DeleteNotificationDocument, { id: MISSING_ID }),
    ];
    // Byte for byte the same answer as for an id that does not exist.
    expect(foreign.map((response) => [response.status, response.body])).toEqual(
      missing.map((response) => [response.status, response.body]),
    );
    for (const response of foreign) expectError(response, 'NOT_FOUND');

    expect((await alice.data(MarkAllReadDocument)).markAllRead.count).toBe(2);
    const bobsView = await bob.data(NotificationsDocument, {});
    expect(bobsView.notifications.edges.map((edge) => [edge.node.id, edge.node.status])).toEqual([
      [bobs!.id, 'UNREAD'],
    ]);
    expect((await bob.data(UnreadCountDocument)).unreadCount.count).toBe(1);
  });

  it("should not let a cursor from one user's list reveal another's notifications", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    await createMany(app, bob.userId, 3);
    const bobsPage = await bob.data(NotificationsDocument, { first: 1 });
    const alicesPage = await alice.data(NotificationsDocument, { after: bobsPage.notifications.pageInfo.endCursor });
    expect(alicesPage.notifications.edges).toEqual([]);
  });
});
