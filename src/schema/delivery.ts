// Where each notification went outside the app, and how it went.
import { notFound } from '../errors.js';
import { builder } from './builder.js';
import { parseNotificationGlobalId } from './global-id.js';

export const DeliveryChannelEnum = builder.enumType('DeliveryChannel', { values: ['EMAIL', 'PUSH'] as const });
const DeliveryStatusEnum = builder.enumType('DeliveryStatus', {
  description:
    'QUEUED: waiting for its first or next attempt. SENT: handed to the mail server, or taken by the push service ' +
    'of at least one of the user’s devices. FAILED: refused, or every attempt failed (see reason and lastError). ' +
    'SKIPPED: not attempted (see reason: NO_ADDRESS, NO_SUBSCRIPTION, MUTED, READ). HELD: waiting on a policy of ' +
    "the user's (reason DELAYED: read-before-send, DIGEST: the digest window, QUIET_HOURS: until they end). " +
    "SCHEDULED: waiting for its notification's sendAt.",
  values: ['QUEUED', 'SENT', 'FAILED', 'SKIPPED', 'HELD', 'SCHEDULED'] as const,
});

const DeliveryNode = builder.prismaObject('Delivery', {
  fields: (t) => ({
    channel: t.field({ type: DeliveryChannelEnum, resolve: (delivery) => delivery.channel }),
    status: t.field({ type: DeliveryStatusEnum, resolve: (delivery) => delivery.status }),
    reason: t.exposeString('reason', {
      nullable: true,
      description:
        'Why it was skipped, failed or held: NO_ADDRESS, NO_SUBSCRIPTION, MUTED, READ (read or archived in the app ' +
        'before a held delivery went), DELAYED, DIGEST (SENT: in a digest), QUIET_HOURS, REJECTED (a permanent refusal), ' +
        'SUBSCRIPTION_GONE (the push service no longer knows the devices; they were forgotten), RETRIES_EXHAUSTED.',
    }),
    attempts: t.exposeInt('attempts', { description: 'Sends tried so far.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The last failure, short.' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.prismaObjectField('Notification', 'deliveries', (t) =>
  t.relation('deliveries', {
    type: DeliveryNode,
    description: 'Its deliveries outside the app (email, push), oldest first.',
    query: { orderBy: { createdAt: 'asc' } },
  }),
);

builder.queryField('notificationDeliveries', (t) =>
  t.prismaField({
    type: [DeliveryNode],
    description:
      'How a notification went out, by its id, whoever it is for (service tokens only: a service asking after what it published). Users read their own through Notification.deliveries.',
    authScopes: { service: true },
    args: { notificationId: t.arg.id({ required: true }) },
    resolve: async (query, _root, { notificationId }, { services }) => {
      const id = parseNotificationGlobalId(String(notificationId), 'notificationId');
      const notification = await services.db.notification.findUnique({
        where: { id },
        select: { deliveries: { ...query, orderBy: { createdAt: 'asc' } } },
      });
      if (!notification) throw notFound();
      return notification.deliveries;
    },
  }),
);
