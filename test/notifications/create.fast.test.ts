import { describe, expect, it } from 'vitest';
import {
  CreateNotificationDocument,
  type CreateNotificationInput,
  NotificationsDocument,
} from '../generated/graphql.js';
import { useTestApp } from '../helpers/app.js';
import { execute, expectData, expectError, userClient } from '../helpers/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

const app = useTestApp();

async function notificationCount(userId: string): Promise<number> {
  const client = userClient(app, userId, await tokenFor(userId));
  return (await client.data(NotificationsDocument, { status: null })).notifications.totalCount;
}

describe('createNotification', () => {
  it('should store every field and return the notification with a global id', async () => {
    const userId = newUserId();
    const created = await createNotification(app, {
      userId,
      title: 'Transcription completed',
      message: "Your transcription 'Weekly sync' is ready to view",
      type: 'SUCCESS',
      metadata: { actionUrl: '/sessions/42', durationSeconds: 1834, nested: { ok: true } },
      relatedSessionId: 'session-42',
    });
    expect(created).toMatchObject({
      title: 'Transcription completed',
      message: "Your transcription 'Weekly sync' is ready to view",
      type: 'SUCCESS',
      status: 'UNREAD',
      metadata: { actionUrl: '/sessions/42', durationSeconds: 1834, nested: { ok: true } },
      relatedSessionId: 'session-42',
      readAt: null,
    });
    expect(Buffer.from(created.id, 'base64').toString()).toMatch(/^Notification:[0-9a-f-]{36}$/);
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
  });

  it('should default metadata to an empty object', async () => {
    const created = await createNotification(app, { userId: newUserId() });
    expect(created.metadata).toEqual({});
  });

  it('should keep markup as inert text', async () => {
    const title = '<script>alert("x")</script> & <b>bold</b>';
    const created = await createNotification(app, { userId: newUserId(), title });
    expect(created.title).toBe(title);
  });

  it('should give ids in creation order', async () => {
    const userId = newUserId();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createNotification(app, { userId })).id);
    const uuids = ids.map((id) => Buffer.from(id, 'base64').toString().slice('Notification:'.length));
    expect([...uuids].sort()).toEqual(uuids);
  });

  const badInputs: Array<[string, Partial<CreateNotificationInput>, string]> = [
    ['a title of 256 characters', { title: 't'.repeat(256) }, 'title'],
    ['an empty title', { title: '' }, 'title'],
    ['an empty message', { message: '' }, 'message'],
    ['a blank message', { message: '   ' }, 'message'],
    ['a message of 1001 characters', { message: 'm'.repeat(1001) }, 'message'],
    ['metadata that is a list', { metadata: [1, 2] }, 'metadata'],
    ['metadata that is a string', { metadata: 'text' }, 'metadata'],
    ['metadata that is a number', { metadata: 5 }, 'metadata'],
    ['a title with a NUL character', { title: 'a\u0000b' }, 'title'],
    ['metadata with a NUL character', { metadata: { a: 'x\u0000' } }, 'metadata.a'],
    ['metadata over 16 KiB', { metadata: { blob: 'x'.repeat(17_000) } }, 'metadata'],
    ['an idempotency key of 256 characters', { idempotencyKey: 'k'.repeat(256) }, 'idempotencyKey'],
  ];

  it.each(badInputs)(
    'should refuse %s with BAD_USER_INPUT naming the field, writing nothing',
    async (_name, bad, field) => {
      const userId = newUserId();
      const input = { userId, title: 'ok', message: 'ok', type: 'INFO' as const, ...bad };
      const response = await execute(app, CreateNotificationDocument, { input }, { token: await serviceToken() });
      const error = expectError(response, 'BAD_USER_INPUT');
      expect(error.extensions?.field).toBe(field);
      expect(error.message).toContain(field);
      expect(await notificationCount(userId)).toBe(0);
    },
  );

  it('should accept exactly 255 and 1000 characters, counting characters rather than bytes', async () => {
    const created = await createNotification(app, {
      userId: newUserId(),
      title: '🔔'.repeat(255),
      message: 'é'.repeat(1000),
    });
    expect([...created.title]).toHaveLength(255);
    expect(created.message).toHaveLength(1000);
  });

  it('should reject an unknown enum value in GraphQL validation, before any resolver (HTTP 400)', async () => {
    const response = await execute(
      app,
      'mutation { createNotification(input: { userId: "u", title: "t", message: "m", type: LOUD }) { id } }',
      {},
      { token: await serviceToken() },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.message).toMatch(/LOUD/);
  });

  it('should reject a wrong variable type with HTTP 400', async () => {
    const response = await execute(
      app,
      CreateNotificationDocument,
      { input: { userId: 'u', title: 5, message: 'm', type: 'INFO' } } as never,
      { token: await serviceToken() },
    );
    expect(response.status).toBe(400);
  });

  describe('idempotency', () => {
    it('should return the first notification for a repeated key and create nothing', async () => {
      const userId = newUserId();
      const first = await createNotification(app, { userId, title: 'First', idempotencyKey: 'job-1:completed' });
      const again = await createNotification(app, {
        userId,
        title: 'Second',
        idempotencyKey: 'job-1:completed',
      });
      expect(again).toEqual(first);
      expect(await notificationCount(userId)).toBe(1);
    });

    it('should create one notification from many concurrent retries', async () => {
      const userId = newUserId();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => createNotification(app, { userId, idempotencyKey: 'burst' })),
      );
      expect(new Set(results.map((result) => result.id)).size).toBe(1);
      expect(await notificationCount(userId)).toBe(1);
    });

    it('should scope keys to the recipient', async () => {
      const [alice, bob] = [newUserId(), newUserId()];
      const a = await createNotification(app, { userId: alice, idempotencyKey: 'same' });
      const b = await createNotification(app, { userId: bob, idempotencyKey: 'same' });
      expect(a.id).not.toBe(b.id);
    });
  });
});

describe('createNotification response', () => {
  it('should be usable by the recipient right away', async () => {
    const userId = newUserId();
    const created = await createNotification(app, { userId });
    const list = await execute(app, NotificationsDocument, {}, { token: await tokenFor(userId) });
    expect(expectData(list).notifications.edges.map((edge) => edge.node.id)).toEqual([created.id]);
  });
});
