// A service asks, later, how the notifications it published went out: the deliveries of any notification by
// its id, without the recipient's token. Users read their own through Notification.deliveries.
import { randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { DeliveryStatusDocument, PublishEventDocument, UpsertRecipientDocument } from '../generated/graphql.js';
import { useTestApp } from '../helpers/app.js';
import { expectData, expectError } from '../helpers/graphql.js';
import { newUserId, serviceToken, tokenFor } from '../helpers/tokens.js';

// SMTP is configured, so email deliveries are planned; nothing works on the queue in this tier, so they wait.
const app = useTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:9', EMAIL_FROM: 'notify@example.test' } });

async function asService<TData, TVariables>(
  document: Parameters<typeof app.execute<TData, TVariables>>[0],
  variables: TVariables,
) {
  return app.execute(document, variables, { token: await serviceToken() });
}

async function published(userId: string): Promise<string> {
  const { publishEvent } = expectData(
    await asService(PublishEventDocument, {
      input: { type: 'system.warning', data: { message: 'Disk almost full' }, recipients: [userId] },
    }),
  );
  return publishEvent.results[0]!.notification!.id;
}

describe('the delivery status a service asks for', () => {
  it('should show each channel of a notification the service published, queued or skipped with its reason', async () => {
    const [reachable, unreachable] = [newUserId(), newUserId()];
    expectData(await asService(UpsertRecipientDocument, { input: { userId: reachable, email: 'ada@example.test' } }));

    const queued = expectData(await asService(DeliveryStatusDocument, { notificationId: await published(reachable) }));
    expect(queued.notificationDeliveries).toEqual([
      { channel: 'EMAIL', status: 'QUEUED', reason: null, attempts: 0, sentAt: null },
    ]);
    const skipped = expectData(
      await asService(DeliveryStatusDocument, { notificationId: await published(unreachable) }),
    );
    expect(skipped.notificationDeliveries).toEqual([
      { channel: 'EMAIL', status: 'SKIPPED', reason: 'NO_ADDRESS', attempts: 0, sentAt: null },
    ]);
  });

  it('should be for services only: a user, even the recipient, is refused', async () => {
    const userId = newUserId();
    const id = await published(userId);
    const asRecipient = await app.execute(
      DeliveryStatusDocument,
      { notificationId: id },
      { token: await tokenFor(userId) },
    );
    expectError(asRecipient, 'FORBIDDEN');
    expect(asRecipient.body.data).toBeNull();
  });

  it('should answer NOT_FOUND for a notification that does not exist and BAD_USER_INPUT for what is no id', async () => {
    const gone = encodeGlobalID('Notification', randomUUID());
    expectError(await asService(DeliveryStatusDocument, { notificationId: gone }), 'NOT_FOUND');
    expectError(await asService(DeliveryStatusDocument, { notificationId: 'not-an-id' }), 'BAD_USER_INPUT');
  });
});
