// Priority: a field of every notification (LOW, NORMAL, HIGH, URGENT), URGENT by default for critical event types,
// and a part of NotificationFilter like the rest: the list, the counts, countsBy and the bulk actions take it.
import { describe, expect, it } from 'vitest';
import {
  CountsByDocument,
  CountsDocument,
  CreateNotificationDocument,
  MarkAllReadDocument,
  NotificationsDocument,
  PublishEventDocument,
  type PublishEventInput,
} from '../generated/graphql.js';
import { useTestApp } from '../helpers/app.js';
import { execute, expectData, expectError } from '../helpers/graphql.js';
import { serviceToken } from '../helpers/tokens.js';

const app = useTestApp();

async function publish(input: PublishEventInput) {
  return expectData(await execute(app, PublishEventDocument, { input }, { token: await serviceToken() })).publishEvent;
}

describe('priority', () => {
  it('should be NORMAL by default, URGENT for critical types, and what the producer says otherwise', async () => {
    const user = await app.newUser();
    const warning = await publish({ type: 'system.warning', data: { message: 'disk' }, recipients: [user.userId] });
    const alert = await publish({ type: 'user.security_alert', data: { event: 'login' }, recipients: [user.userId] });
    const low = await publish({
      type: 'system.warning',
      data: { message: 'fyi' },
      recipients: [user.userId],
      priority: 'LOW',
    });
    expect(warning.results[0]!.notification!.priority).toBe('NORMAL');
    expect(alert.results[0]!.notification!.priority).toBe('URGENT');
    expect(low.results[0]!.notification!.priority).toBe('LOW');

    const { createNotification } = expectData(
      await execute(
        app,
        CreateNotificationDocument,
        { input: { userId: user.userId, title: 'Hi', message: 'There', type: 'INFO', priority: 'HIGH' } },
        { token: await serviceToken() },
      ),
    );
    expect(createNotification.priority).toBe('HIGH');
    const { notifications } = await user.data(NotificationsDocument, {});
    expect(notifications.edges.map((e) => e.node.priority)).toEqual(['HIGH', 'LOW', 'URGENT', 'NORMAL']);
  });

  it('should filter the list, the counts, countsBy and the bulk actions by priority', async () => {
    const user = await app.newUser();
    for (const priority of ['LOW', 'HIGH', 'HIGH', 'URGENT'] as const) {
      await publish({ type: 'system.warning', data: { message: priority }, recipients: [user.userId], priority });
    }
    const high = { priorities: ['HIGH' as const, 'URGENT' as const] };
    const { notifications } = await user.data(NotificationsDocument, { filter: high });
    expect(notifications.totalCount).toBe(3);
    expect(notifications.edges.map((e) => e.node.message)).toEqual(['URGENT', 'HIGH', 'HIGH']);
    expect((await user.data(CountsDocument, { filter: high })).counts).toMatchObject({ total: 3, unread: 3 });
    const { countsBy } = await user.data(CountsByDocument, {
      filters: [
        { key: 'low', filter: { priorities: ['LOW'] } },
        { key: 'normal', filter: { priorities: ['NORMAL'] } },
      ],
    });
    expect(countsBy.map((c) => [c.key, c.counts.total])).toEqual([
      ['low', 1],
      ['normal', 0],
    ]);
    const { markAllRead } = await user.data(MarkAllReadDocument, { filter: { priorities: ['HIGH'] } });
    expect(markAllRead.count).toBe(2);
    expect((await user.data(CountsDocument, {})).counts).toMatchObject({ total: 4, unread: 2 });
  });

  it('should refuse an unknown priority', async () => {
    const user = await app.newUser();
    const response = await execute(
      app,
      PublishEventDocument,
      // biome-ignore lint/suspicious/noExplicitAny: a value the schema refuses
      { input: { type: 'system.warning', data: { message: 'x' }, recipients: [user.userId], priority: 'SOON' as any } },
      { token: await serviceToken() },
    );
    expect(expectError(response, 'BAD_USER_INPUT').message).toMatch(/SOON/);
  });
});
