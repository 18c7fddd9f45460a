import { encodeGlobalID } from '@pothos/plugin-relay';
import { NotificationStatus, NotificationType } from '../generated/prisma/enums.js';
import { parseNotificationId } from '../notifications/ids.js';
import { builder } from './builder.js';
import { parseNotificationGlobalId } from './global-id.js';

export const NotificationTypeEnum = builder.enumType(NotificationType, {
  name: 'NotificationType',
  description: 'How the notification should look: its tone.',
});

export const NotificationStatusEnum = builder.enumType(NotificationStatus, {
  name: 'NotificationStatus',
  description:
    'Where the notification is in its life: UNREAD until acted on, then READ; ARCHIVED ones leave the default list.',
});

export const NotificationNode = builder.prismaNode('Notification', {
  description: 'Something a user was told. Title and message are plain text: render them as text, never as HTML.',
  id: { field: 'id' },
  // The owner is part of the lookup, so someone else's id reads exactly as a missing one.
  findUnique: (id, context) => ({ id: parseNotificationId(id), userId: context.viewer.userId }),
  fields: (t) => ({
    title: t.exposeString('title'),
    message: t.exposeString('message'),
    type: t.expose('type', { type: NotificationTypeEnum }),
    status: t.expose('status', { type: NotificationStatusEnum }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'A JSON object of extra data from the producer.' }),
    relatedSessionId: t.exposeString('relatedSessionId', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const CreateNotificationInput = builder.inputType('CreateNotificationInput', {
  fields: (t) => ({
    userId: t.string({ required: true, description: 'The recipient: the `sub` of their token.' }),
    title: t.string({ required: true, description: '1 to 255 characters of plain text.' }),
    message: t.string({ required: true, description: '1 to 1000 characters of plain text.' }),
    type: t.field({ type: NotificationTypeEnum, required: true }),
    metadata: t.field({ type: 'JSON', description: 'A JSON object (at most 16 KiB); {} when left out.' }),
    relatedSessionId: t.string(),
    idempotencyKey: t.string({ description: 'Retries with the same key for the same user create nothing new.' }),
  }),
});

builder.queryField('notifications', (t) =>
  t.connection(
    {
      type: NotificationNode,
      description:
        "The caller's notifications, newest first. Pages of 20 by default, at most 100. Without `status`, UNREAD and READ ones.",
      args: {
        status: t.arg({ type: NotificationStatusEnum }),
        type: t.arg({ type: NotificationTypeEnum }),
      },
      resolve: async (_root, args, { viewer, services }) => {
        const page = await services.notifications.list(viewer.userId, {
          ...args,
          after: args.after != null ? parseNotificationGlobalId(args.after, 'after') : undefined,
          before: args.before != null ? parseNotificationGlobalId(args.before, 'before') : undefined,
        });
        // A cursor is the node's own global id: one less thing to keep, and what resuming a stream takes.
        const edges = page.nodes.map((node) => ({ cursor: encodeGlobalID('Notification', node.id), node }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: page.hasPreviousPage,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
          totalCount: page.totalCount,
        };
      },
    },
    { name: 'NotificationConnection', description: 'A page of notifications.' },
    { name: 'NotificationEdge' },
  ),
);

builder.mutationFields((t) => ({
  markRead: t.field({
    type: NotificationNode,
    description: 'Marks a notification read. Marking it again changes nothing.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { viewer, services }) =>
      services.notifications.markRead(viewer.userId, parseNotificationGlobalId(String(id))),
  }),
  markAllRead: t.field({
    type: builder.simpleObject('MarkAllReadPayload', {
      fields: (f) => ({ count: f.int({ description: 'How many notifications changed from UNREAD to READ.' }) }),
    }),
    description: 'Marks every unread notification of the caller read.',
    resolve: async (_root, _args, { viewer, services }) => ({
      count: await services.notifications.markAllRead(viewer.userId),
    }),
  }),
  deleteNotification: t.field({
    type: builder.simpleObject('DeleteNotificationPayload', {
      fields: (f) => ({ deletedId: f.id({ description: 'The global id of the deleted notification.' }) }),
    }),
    description: "Deletes one of the caller's notifications for good.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { viewer, services }) => {
      const deletedId = await services.notifications.delete(viewer.userId, parseNotificationGlobalId(String(id)));
      return { deletedId: encodeGlobalID('Notification', deletedId) };
    },
  }),
  createNotification: t.field({
    type: NotificationNode,
    description:
      'Creates a notification for any user and pushes it live. Needs a service token. With an idempotencyKey ' +
      'already used for that user, creates nothing and returns the first notification made with it.',
    authScopes: { service: true },
    args: { input: t.arg({ type: CreateNotificationInput, required: true }) },
    resolve: async (_root, { input }, { services }) => (await services.notifications.create(input)).notification,
  }),
}));
