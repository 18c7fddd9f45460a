import { describe, expect, it } from 'vitest';
import {
  CountsDocument,
  NotificationChangesDocument,
  NotificationEventTypesDocument,
  NotificationPreferencesDocument,
  NotificationsDocument,
  PublishEventDocument,
  type PublishEventInput,
  UpdateNotificationPreferencesDocument,
} from '../generated/graphql.js';
import { createTestApp, useTestApp } from '../helpers/app.js';
import { type Endpoint, execute, expectData, expectError } from '../helpers/graphql.js';
import { serviceToken } from '../helpers/tokens.js';

const shared = useTestApp();

async function publish(input: PublishEventInput, endpoint: Endpoint = shared) {
  return execute(endpoint, PublishEventDocument, { input }, { token: await serviceToken() });
}
async function published(input: PublishEventInput, endpoint: Endpoint = shared) {
  return expectData(await publish(input, endpoint)).publishEvent;
}

describe('event types and templates', () => {
  it('should list every event type with its category, tone and criticality', async () => {
    const user = await shared.newUser();
    const { notificationEventTypes } = await user.data(NotificationEventTypesDocument);
    expect(notificationEventTypes.map((t) => t.name)).toEqual([
      'transcription.started',
      'transcription.completed',
      'transcription.failed',
      'system.maintenance',
      'system.update',
      'system.warning',
      'user.quota_warning',
      'user.session_expiry',
      'user.security_alert',
    ]);
    expect(notificationEventTypes.filter((t) => t.critical).map((t) => t.name)).toEqual(['user.security_alert']);
  });

  const session = { sessionId: 'session-42', sessionTitle: 'Weekly sync' };
  it.each([
    [
      'transcription.started',
      session,
      { type: 'INFO', category: 'transcription', relatedSessionId: 'session-42', title: 'Transcription started' },
      "We're transcribing 'Weekly sync'. We'll let you know when it's ready.",
      { sessionId: 'session-42', actionUrl: '/sessions/session-42' },
    ],
    [
      'transcription.completed',
      { ...session, durationSeconds: 1834, segmentsCount: 212, actionUrl: '/s/42' },
      { type: 'SUCCESS', category: 'transcription', title: 'Transcription ready' },
      "Your transcription 'Weekly sync' is ready to view (31 min, 212 segments).",
      { sessionId: 'session-42', actionUrl: '/s/42', durationSeconds: 1834, segmentsCount: 212 },
    ],
    [
      'transcription.failed',
      { ...session, error: 'The audio file is empty.' },
      { type: 'ERROR', category: 'transcription', title: 'Transcription failed' },
      "We couldn't transcribe 'Weekly sync': The audio file is empty. You can try again.",
      {
        sessionId: 'session-42',
        actionUrl: '/sessions/session-42',
        error: 'The audio file is empty.',
        retryAvailable: true,
      },
    ],
    [
      'system.maintenance',
      { startsAt: '2026-12-01T02:00:00Z', endsAt: '2026-12-01T03:00:00Z' },
      { type: 'WARNING', category: 'system', title: 'Scheduled maintenance' },
      'The service will be unavailable from 2026-12-01 02:00 UTC to 2026-12-01 03:00 UTC.',
      { startsAt: '2026-12-01T02:00:00.000Z', endsAt: '2026-12-01T03:00:00.000Z' },
    ],
    [
      'system.update',
      { version: '2.4', summary: 'Speaker labels are here.' },
      { type: 'INFO', category: 'system', title: "What's new in 2.4" },
      'Speaker labels are here.',
      { version: '2.4' },
    ],
    [
      'system.warning',
      { message: 'Transcriptions are slower than usual.' },
      { type: 'WARNING', category: 'system', title: 'System warning' },
      'Transcriptions are slower than usual.',
      {},
    ],
    [
      'user.quota_warning',
      { usedPercent: 90 },
      { type: 'WARNING', category: 'account', title: "You've used 90% of your quota" },
      "You've used 90% of your transcription quota.",
      { usedPercent: 90 },
    ],
    [
      'user.session_expiry',
      { expiresAt: '2026-11-22T18:00:00Z' },
      { type: 'INFO', category: 'account', title: 'Your session is about to expire' },
      'Your session expires at 2026-11-22 18:00 UTC. Sign in again to keep working.',
      { expiresAt: '2026-11-22T18:00:00.000Z' },
    ],
    [
      'user.security_alert',
      { event: 'New sign-in', location: 'Lisbon', ipAddress: '203.0.113.9' },
      { type: 'ERROR', category: 'security', title: 'Security alert' },
      "New sign-in from Lisbon, 203.0.113.9. If this wasn't you, change your password.",
      { event: 'New sign-in', location: 'Lisbon', ipAddress: '203.0.113.9' },
    ],
  ])('should render %s', async (type, data, fields, message, metadata) => {
    const user = await shared.newUser();
    const { results } = await published({ type, data, recipients: [user.userId] });
    expect(results[0]).toMatchObject({ userId: user.userId, outcome: 'CREATED', error: null });
    expect(results[0]!.notification).toMatchObject({ ...fields, message, metadata, status: 'UNREAD' });
    const list = await user.data(NotificationsDocument, {});
    expect(list.notifications.edges[0]!.node.message).toBe(message);
  });

  it('should keep markup in event data as plain text', async () => {
    const user = await shared.newUser();
    const sessionTitle = '<img src=x onerror=alert(1)> & "quotes"';
    const { results } = await published({
      type: 'transcription.started',
      data: { sessionId: 's', sessionTitle },
      recipients: [user.userId],
    });
    expect(results[0]!.notification!.message).toContain(sessionTitle);
  });
});

describe('dedup', () => {
  it('should create one notification from 50 parallel identical events sent through two instances', async () => {
    const other = await createTestApp();
    try {
      const user = await shared.newUser();
      const input = {
        type: 'transcription.completed',
        data: { sessionId: 'dup-1', sessionTitle: 'Retry storm', durationSeconds: 60, segmentsCount: 3 },
        recipients: [user.userId],
      };
      const reports = await Promise.all(Array.from({ length: 50 }, (_, i) => published(input, i % 2 ? other : shared)));
      const outcomes = reports.map((report) => report.results[0]!.outcome);
      const ids = new Set(reports.map((report) => report.results[0]!.notification!.id));
      const stored = (await user.data(CountsDocument, {})).counts.total;
      console.log(
        `dedup: 50 parallel identical events via 2 instances → ${outcomes.filter((o) => o === 'CREATED').length} created, ${outcomes.filter((o) => o === 'DUPLICATE').length} duplicates, ${stored} stored`,
      );
      expect(outcomes.filter((outcome) => outcome === 'CREATED')).toHaveLength(1);
      expect(ids.size).toBe(1);
      expect(stored).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('should never create a second notification for a key, however late, even after the first was deleted', async () => {
    const user = await shared.newUser();
    const input = {
      type: 'system.warning',
      data: { message: 'Once' },
      recipients: [user.userId],
      idempotencyKey: 'warn-1',
    };
    const first = await published(input);
    const { deleteNotification } = await user.data(
      (await import('../generated/graphql.js')).DeleteNotificationDocument,
      {
        id: first.results[0]!.notification!.id,
      },
    );
    expect(deleteNotification.deletedId).toBeTruthy();
    const late = await published(input);
    expect(late.results[0]).toMatchObject({ outcome: 'DUPLICATE', notification: null });
    expect((await user.data(CountsDocument, {})).counts.total).toBe(0);
  });
});

describe('collapse', () => {
  it('should turn "started" into "completed" as an update of the same notification, not a second one', async () => {
    const user = await shared.newUser();
    const session = { sessionId: 'c-1', sessionTitle: 'Standup' };
    const started = await published({ type: 'transcription.started', data: session, recipients: [user.userId] });
    const completed = await published({
      type: 'transcription.completed',
      data: { ...session, durationSeconds: 600, segmentsCount: 80 },
      recipients: [user.userId],
    });
    expect(completed.results[0]).toMatchObject({ outcome: 'UPDATED' });
    expect(completed.results[0]!.notification!.id).toBe(started.results[0]!.notification!.id);
    expect(completed.results[0]!.notification).toMatchObject({ title: 'Transcription ready', type: 'SUCCESS' });

    // A late retry of "started" finds its key; a "started" that comes late for the first time is stale.
    const retry = await published({ type: 'transcription.started', data: session, recipients: [user.userId] });
    expect(retry.results[0]).toMatchObject({ outcome: 'DUPLICATE', notification: { title: 'Transcription ready' } });
    const stale = await published({
      type: 'transcription.started',
      data: session,
      recipients: [user.userId],
      idempotencyKey: 'another',
    });
    expect(stale.results[0]).toMatchObject({ outcome: 'STALE', notification: { title: 'Transcription ready' } });

    const list = await user.data(NotificationsDocument, {});
    expect(list.notifications.totalCount).toBe(1);
    const log = (await user.data(NotificationChangesDocument, { after: '0' })).notificationChanges.events;
    expect(log.map((event) => event.kind)).toEqual(['ADDED', 'UPDATED']);
  });
});

describe('preferences', () => {
  it('should start with everything on, skip a muted category, and still deliver a critical event', async () => {
    const user = await shared.newUser();
    const defaults = (await user.data(NotificationPreferencesDocument)).notificationPreferences.categories;
    expect(defaults.every((category) => category.inApp)).toBe(true);
    const updated = await user.data(UpdateNotificationPreferencesDocument, {
      input: {
        categories: [
          { category: 'system', inApp: false },
          { category: 'account', inApp: false },
        ],
      },
    });
    expect(updated.updateNotificationPreferences.categories.filter((c) => !c.inApp).map((c) => c.category)).toEqual([
      'system',
      'account',
    ]);

    const muted = await published({ type: 'system.warning', data: { message: 'Muted' }, recipients: [user.userId] });
    expect(muted.results[0]).toMatchObject({ outcome: 'MUTED', notification: null });
    const critical = await published({
      type: 'user.security_alert',
      data: { event: 'Password changed' },
      recipients: [user.userId],
    });
    expect(critical.results[0]).toMatchObject({ outcome: 'CREATED' });
    expect((await user.data(CountsDocument, {})).counts.total).toBe(1);
  });

  it('should refuse turning off the critical category, or an unknown one, with BAD_USER_INPUT', async () => {
    const user = await shared.newUser();
    const security = await user.execute(UpdateNotificationPreferencesDocument, {
      input: { categories: [{ category: 'security', inApp: false }] },
    });
    expect(expectError(security, 'BAD_USER_INPUT').extensions?.field).toBe('categories.0.inApp');
    const unknown = await user.execute(UpdateNotificationPreferencesDocument, {
      input: { categories: [{ category: 'gossip', inApp: false }] },
    });
    expect(expectError(unknown, 'BAD_USER_INPUT').extensions?.field).toBe('categories.0.category');
  });
});

describe('bad input writes nothing', () => {
  it.each([
    ['an unknown event type', { type: 'transcription.exploded', data: {} }, 'type'],
    [
      'missing template data',
      { type: 'transcription.completed', data: { sessionId: 's', sessionTitle: 't' } },
      'data.durationSeconds',
    ],
    ['data of the wrong type', { type: 'user.quota_warning', data: { usedPercent: 'ninety' } }, 'data.usedPercent'],
    [
      'an empty idempotency key',
      { type: 'system.warning', data: { message: 'x' }, idempotencyKey: '' },
      'idempotencyKey',
    ],
    [
      'an idempotency key with a control character',
      { type: 'system.warning', data: { message: 'x' }, idempotencyKey: 'a\nb' },
      'idempotencyKey',
    ],
    [
      'an idempotency key of 256 characters',
      { type: 'system.warning', data: { message: 'x' }, idempotencyKey: 'k'.repeat(256) },
      'idempotencyKey',
    ],
    [
      'an expiry in the past',
      { type: 'system.warning', data: { message: 'x' }, expiresAt: '2020-01-01T00:00:00Z' },
      'expiresAt',
    ],
  ] as const)('should refuse %s with BAD_USER_INPUT', async (_name, input, field) => {
    const user = await shared.newUser();
    const response = await publish({ ...input, recipients: [user.userId] } as PublishEventInput);
    expect(expectError(response, 'BAD_USER_INPUT').extensions?.field).toBe(field);
    expect((await user.data(CountsDocument, {})).counts.total).toBe(0);
  });

  it('should refuse 10,001 recipients, and none at all', async () => {
    const recipients = Array.from({ length: 10_001 }, (_, i) => `too-many-${i}`);
    const response = await publish({ type: 'system.warning', data: { message: 'x' }, recipients });
    expect(expectError(response, 'BAD_USER_INPUT').extensions?.field).toBe('recipients');
    expect(await shared.app.services.db.notification.count({ where: { userId: { startsWith: 'too-many-' } } })).toBe(0);
    expect(
      expectError(await publish({ type: 'system.warning', data: { message: 'x' }, recipients: [] }), 'BAD_USER_INPUT')
        .extensions?.field,
    ).toBe('recipients');
  });

  it('should refuse user tokens with FORBIDDEN', async () => {
    const user = await shared.newUser();
    const response = await user.execute(PublishEventDocument, {
      input: { type: 'system.warning', data: { message: 'x' }, recipients: [user.userId] },
    });
    expectError(response, 'FORBIDDEN');
  });
});
