import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MarkReadDocument,
  NotificationChangesDocument,
  NotificationEventsDocument,
  PublishEventDocument,
  UnreadCountDocument,
} from '../generated/graphql.js';
import { execute, expectData, expectError } from '../helpers/graphql.js';
import { moved, scrape } from '../helpers/metrics.js';
import { createMany, createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

const missingId = () => Buffer.from(`Notification:${randomUUID()}`).toString('base64');

const server = useTestServer();

async function publish(type: string, recipients: string[], sessionId: string) {
  const data = { sessionId, sessionTitle: 'Weekly sync', durationSeconds: 60, segmentsCount: 3 };
  const response = await execute(
    server.url,
    PublishEventDocument,
    { input: { type, recipients, data: type === 'transcription.completed' ? data : { sessionId, sessionTitle: 'x' } } },
    { token: await serviceToken() },
  );
  return expectData(response).publishEvent;
}

describe('notifications_created_total', () => {
  it('should count a createNotification under its type and category', async () => {
    const delta = await moved(server.url, () =>
      createNotification(server.url, { userId: newUserId(), type: 'SUCCESS', category: 'observability' }),
    );
    expect(delta('notifications_created_total', { type: 'SUCCESS', category: 'observability' })).toBe(1);
    expect(delta('notifications_created_total')).toBe(1);
  });

  it('should count each recipient a published event created for, and no duplicate', async () => {
    const recipients = [newUserId(), newUserId()];
    const sessionId = randomUUID();
    const first = await moved(server.url, () => publish('transcription.completed', recipients, sessionId));
    expect(first('notifications_created_total', { type: 'SUCCESS', category: 'transcription' })).toBe(2);
    // The same event again: the default idempotency key makes it a duplicate for both.
    const again = await moved(server.url, () => publish('transcription.completed', recipients, sessionId));
    expect(again('notifications_published_total', { outcome: 'DUPLICATE' })).toBe(2);
    expect(again('notifications_created_total')).toBe(0);
  });

  it('should not count a notification an event collapsed onto (an update)', async () => {
    const recipient = newUserId();
    const sessionId = randomUUID();
    const started = await moved(server.url, () => publish('transcription.started', [recipient], sessionId));
    expect(started('notifications_created_total', { type: 'INFO', category: 'transcription' })).toBe(1);
    const completed = await moved(server.url, () => publish('transcription.completed', [recipient], sessionId));
    expect(completed('notifications_published_total', { outcome: 'UPDATED' })).toBe(1);
    expect(completed('notifications_created_total')).toBe(0);
  });
});

describe('notifications_delivery_latency_seconds', () => {
  it('should observe each live event handed to a subscriber, and not the replayed ones', async () => {
    const user = await server.newUser();
    const stream = subscribe(server.url, NotificationEventsDocument, {}, { token: user.token });
    await stream.ready;
    const delta = await moved(server.url, async () => {
      await createNotification(server.url, { userId: user.userId, title: 'live' });
      await stream.next();
    });
    expect(delta('notifications_delivery_latency_seconds_count')).toBe(1);
    expect(delta('notifications_delivery_latency_seconds_sum')).toBeGreaterThan(0);
    expect(delta('notifications_delivery_latency_seconds_bucket', { le: '+Inf' })).toBe(1);
    await stream.dispose();
  });
});

describe('notifications_replayed_events_total', () => {
  it('should count the events a resumed stream sends from the change log', async () => {
    const user = await server.newUser();
    const { notificationChanges } = await user.data(NotificationChangesDocument, {});
    await createMany(server.url, user.userId, 3, 'missed');
    const delta = await moved(server.url, async () => {
      const stream = subscribe(
        server.url,
        NotificationEventsDocument,
        { after: notificationChanges.position },
        { token: user.token },
      );
      await stream.take(3);
      await stream.dispose();
    });
    expect(delta('notifications_replayed_events_total')).toBe(3);
    expect(delta('notifications_delivery_latency_seconds_count')).toBe(0);
  });
});

describe('notifications_open_streams', () => {
  it('should count a stream while it is open', async () => {
    const user = await server.newUser();
    const before = await scrape(server.url);
    const stream = subscribe(server.url, NotificationEventsDocument, {}, { token: user.token });
    await stream.ready;
    const during = await scrape(server.url);
    expect(during.value('notifications_open_streams') - before.value('notifications_open_streams')).toBe(1);
    await stream.dispose();
  });
});

describe('notifications_errors_total', () => {
  it('should count a NOT_FOUND and a BAD_USER_INPUT answered to a client', async () => {
    const user = await server.newUser();
    const delta = await moved(server.url, async () => {
      expectError(await user.execute(MarkReadDocument, { id: missingId() }), 'NOT_FOUND');
      expectError(await user.execute(MarkReadDocument, { id: 'not-an-id' }), 'BAD_USER_INPUT');
    });
    expect(delta('notifications_errors_total', { code: 'NOT_FOUND' })).toBe(1);
    expect(delta('notifications_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(delta('notifications_errors_total')).toBe(2);
  });

  it('should count the 401 answered to a request without a token as UNAUTHENTICATED', async () => {
    const delta = await moved(server.url, async () => {
      const response = await execute(server.url, UnreadCountDocument, {}, { token: null });
      expect(response.status).toBe(401);
      expectError(response, 'UNAUTHENTICATED');
    });
    expect(delta('notifications_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
    expect(delta('notifications_errors_total')).toBe(1);
  });

  it('should count nothing for an answer without errors', async () => {
    const user = await server.newUser();
    const delta = await moved(server.url, () => user.data(UnreadCountDocument, {}));
    expect(delta('notifications_errors_total')).toBe(0);
  });
});

describe('dependency health', () => {
  it('should report PostgreSQL and Redis up', async () => {
    const metrics = await scrape(server.url);
    expect(metrics.has('notifications_postgres_up')).toBe(true);
    expect(metrics.value('notifications_postgres_up')).toBe(1);
    expect(metrics.value('notifications_redis_up')).toBe(1);
  });
});

describe('notifications_errors_total codes', () => {
  it('should count validation and variable errors under the codes the client sees, never UNKNOWN', async () => {
    const user = await server.newUser();
    const delta = await moved(server.url, async () => {
      const unknownField = await user.execute('{ unreadCount { nope } }');
      const badVariable = await user.execute(MarkReadDocument, { id: 42 as unknown as string });
      const codes = [...(unknownField.body.errors ?? []), ...(badVariable.body.errors ?? [])].map(
        (error) => error.extensions?.code,
      );
      expect(codes).toEqual(['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);
    });
    expect(delta('notifications_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(delta('notifications_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(delta('notifications_errors_total', { code: 'UNKNOWN' })).toBe(0);
  });

  it('should count the error that ends a stream (AUTH_EXPIRED)', async () => {
    const userId = newUserId();
    const stream = subscribe(server.url, NotificationEventsDocument, {}, { token: await tokenFor(userId, { ttl: 2 }) });
    await stream.ready;
    const delta = await moved(server.url, async () => {
      const ending = await stream.next(5000);
      expect(ending.errors?.map((error) => error.extensions?.code)).toEqual(['AUTH_EXPIRED']);
    });
    expect(delta('notifications_errors_total', { code: 'AUTH_EXPIRED' })).toBe(1);
  });
});
