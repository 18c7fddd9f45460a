import { encodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLResolveInfo } from 'graphql';
import { parseNotificationId } from '../notifications/ids.js';
import { builder } from './builder.js';
import { bulk } from './bulk-actions.js';
import { NotificationCountsRef } from './counts.js';
import { NotificationFilterInput, toFilter } from './filter.js';
import { parseNotificationGlobalId } from './global-id.js';
import { NotificationPriorityEnum, NotificationStatusEnum, NotificationTypeEnum } from './notification-enums.js';

export const NotificationNode = builder.prismaNode('Notification', {
  description: 'Something a user was told. Title and message are plain text: render them as text, never as HTML.',
  id: { field: 'id' },
  // The owner is part of the lookup, so someone else's id reads exactly as a missing one; so does an expired one.
  findUnique: (id, context) => ({
    id: parseNotificationId(id),
    userId: context.viewer.userId,
    sendAt: null,
    OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
  }),
  fields: (t) => ({
    title: t.exposeString('title'),
    message: t.exposeString('message'),
    type: t.expose('type', { type: NotificationTypeEnum }),
    status: t.expose('status', { type: NotificationStatusEnum }),
    priority: t.expose('priority', { type: NotificationPriorityEnum }),
    category: t.exposeString('category', { nullable: true, description: 'What it is about, e.g. "transcription".' }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'A JSON object of extra data from the producer.' }),
    relatedSessionId: t.exposeString('relatedSessionId', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    readAt: t.expose('readAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was read; null while unread.',
    }),
    seenAt: t.expose('seenAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was shown to the user (the bell was opened); null while unseen.',
    }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
    snoozedUntil: t.expose('snoozedUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'Hidden from lists and counts until then; it then resurfaces unread and unseen.',
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'Gone for good from then on.' }),
    sendAt: t.expose('sendAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'A scheduled send not sent yet (what its producer sees): the user sees nothing of it until then. Null once sent.',
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const CreateNotificationInput = builder.inputType('CreateNotificationInput', {
  fields: (t) => ({
    userId: t.string({ required: true, description: 'The recipient: the `sub` of their token.' }),
    title: t.string({ required: true, description: '1 to 255 characters of plain text.' }),
    message: t.string({ required: true, description: '1 to 1000 characters of plain text.' }),
    type: t.field({ type: NotificationTypeEnum, required: true }),
    priority: t.field({ type: NotificationPriorityEnum, description: 'NORMAL when left out.' }),
    metadata: t.field({ type: 'JSON', description: 'A JSON object (at most 16 KiB); {} when left out.' }),
    relatedSessionId: t.string(),
    idempotencyKey: t.string({ description: 'Retries with the same key for the same user create nothing new.' }),
    category: t.string({ description: 'What it is about: lowercase letters, digits, ".", "_" or "-", at most 64.' }),
    expiresAt: t.field({ type: 'DateTime', description: 'From then on it is gone from lists, counts and streams.' }),
    sendAt: t.field({
      type: 'DateTime',
      description:
        'Send it then (within a year), not now: until then the user sees nothing of it and nothing is sent; ' +
        'cancelScheduled takes it back.',
    }),
  }),
});

builder.queryField('notifications', (t) =>
  t.connection(
    {
      type: NotificationNode,
      description:
        "The caller's notifications, newest first. Pages of 20 by default, at most 100. Without `status` or a " +
        'filter, UNREAD and READ ones that are neither snoozed nor expired.',
      args: {
        status: t.arg({ type: NotificationStatusEnum }),
        type: t.arg({ type: NotificationTypeEnum }),
        filter: t.arg({ type: NotificationFilterInput }),
      },
      resolve: async (_root, args, { viewer, services }, info) => {
        const page = await services.notifications.list(viewer.userId, {
          ...args,
          countNow: asksFor(info, 'totalCount'),
          filter: toFilter(args.filter),
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

/** Whether the query selects `field` directly on this field's result (fragments are not looked into). */
const asksFor = (info: GraphQLResolveInfo, field: string) =>
  info.fieldNodes.some((node) =>
    node.selectionSet?.selections.some((selection) => selection.kind === 'Field' && selection.name.value === field),
  );

const globalIds = (ids: string[]) => ids.map((id) => encodeGlobalID('Notification', id));

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
      fields: (f) => ({
        count: f.int({ description: 'How many notifications changed from unread to read.' }),
        notificationIds: f.idList({ description: 'The global ids of those that changed.' }),
        counts: f.field({ type: NotificationCountsRef, description: "The caller's counts after the change." }),
      }),
    }),
    description:
      'Marks read every unread notification in the view (`filter`), added at or before `upTo` (a cursor or position ' +
      'the client saw), so that one arriving meanwhile stays unread. Without either: every unread one.',
    args: { filter: t.arg({ type: NotificationFilterInput }), upTo: t.arg.string() },
    resolve: async (_root, args, context) => {
      const result = await bulk('markAllRead', context, args);
      return { ...result, notificationIds: globalIds(result.notificationIds) };
    },
  }),
  deleteNotification: t.field({
    type: builder.simpleObject('DeleteNotificationPayload', {
      fields: (f) => ({
        deletedId: f.id({ description: 'The global id of the deleted notification.' }),
        counts: f.field({ type: NotificationCountsRef, description: "The caller's counts after the change." }),
      }),
    }),
    description: "Deletes one of the caller's notifications for good.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { viewer, services }) => {
      const { deletedId, counts } = await services.notifications.delete(
        viewer.userId,
        parseNotificationGlobalId(String(id)),
      );
      return { deletedId: encodeGlobalID('Notification', deletedId), counts };
    },
  }),
  cancelScheduled: t.field({
    type: builder.simpleObject('CancelScheduledPayload', {
      fields: (f) => ({ cancelledId: f.id({ description: 'The global id of the cancelled notification.' }) }),
    }),
    description:
      'Takes back a scheduled notification (sendAt) before it is sent: nothing of it reaches the user. Needs a ' +
      'service token. ALREADY_SENT once it was sent; NOT_FOUND for an unknown id.',
    authScopes: { service: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { services }) => ({
      cancelledId: encodeGlobalID(
        'Notification',
        await services.notifications.cancelScheduled(parseNotificationGlobalId(String(id))),
      ),
    }),
  }),
  createNotification: t.field({
    type: NotificationNode,
    description:
      'Creates a notification for any user and pushes it live. Needs a service token. With an idempotencyKey ' +
      'already used for that user, creates nothing and returns the first notification made with it.',
    authScopes: { service: true },
    args: { input: t.arg({ type: CreateNotificationInput, required: true }) },
    resolve: async (_root, { input }, { services, requestBudget }) =>
      (await services.publishing.create(input, requestBudget)).notification,
  }),
}));
