// What a user does in their inbox beyond reading: unread, seen, archive, snooze, and the bulk actions.
// Each returns the changed node(s) or ids and the caller's counts after, for a normalized client cache.
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { BulkResult, ChangeResult } from '../notifications/service.js';
import { builder } from './builder.js';
import { type BulkAction, bulk } from './bulk-actions.js';
import { NotificationCountsRef } from './counts.js';
import { NotificationFilterInput } from './filter.js';
import { parseNotificationGlobalId } from './global-id.js';
import { NotificationNode } from './notification.js';

const NotificationChangePayload = builder.objectRef<ChangeResult>('NotificationChangePayload').implement({
  fields: (t) => ({
    notification: t.field({ type: NotificationNode, resolve: (result) => result.notification }),
    counts: t.field({ type: NotificationCountsRef, resolve: (result) => result.counts }),
  }),
});

const BulkChangePayload = builder.objectRef<BulkResult>('BulkChangePayload').implement({
  fields: (t) => ({
    count: t.exposeInt('count', { description: 'How many notifications changed.' }),
    notificationIds: t.idList({
      description: 'The global ids of those that changed.',
      resolve: (result) => result.notificationIds.map((id) => encodeGlobalID('Notification', id)),
    }),
    counts: t.field({ type: NotificationCountsRef, resolve: (result) => result.counts }),
  }),
});

const BULK =
  ' in the view (`filter`), added at or before `upTo` (a cursor or position the client saw): one arriving meanwhile is left alone.';

builder.mutationFields((t) => {
  const one = (action: 'markUnread' | 'archive' | 'unarchive', description: string) =>
    t.field({
      type: NotificationChangePayload,
      description,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, { viewer, services }) =>
        services.notifications[action](viewer.userId, parseNotificationGlobalId(String(id))),
    });
  const many = (action: BulkAction, description: string) =>
    t.field({
      type: BulkChangePayload,
      description: description + BULK,
      args: { filter: t.arg({ type: NotificationFilterInput }), upTo: t.arg.string() },
      resolve: (_root, args, context) => bulk(action, context, args),
    });
  return {
    markUnread: one('markUnread', 'Marks a read notification unread again.'),
    archive: one(
      'archive',
      'Takes a notification out of the default list and counts; `filter: { archived: true }` still finds it.',
    ),
    unarchive: one('unarchive', 'Brings an archived notification back, read or unread as it was.'),
    snooze: t.field({
      type: NotificationChangePayload,
      description:
        'Hides a notification from lists and counts until `until` (in the future, within a year); then it resurfaces unread and unseen.',
      args: { id: t.arg.id({ required: true }), until: t.arg({ type: 'DateTime', required: true }) },
      resolve: (_root, { id, until }, { viewer, services }) =>
        services.notifications.snooze(viewer.userId, parseNotificationGlobalId(String(id)), until),
    }),
    markSeen: t.field({
      type: BulkChangePayload,
      description: 'Marks these notifications seen (shown to the user: the bell was opened). 1 to 100 ids.',
      args: { ids: t.arg.idList({ required: true }) },
      resolve: (_root, { ids }, { viewer, services }) =>
        services.notifications.markSeen(
          viewer.userId,
          ids.map((id) => parseNotificationGlobalId(String(id), 'ids')),
        ),
    }),
    markAllSeen: many('markAllSeen', 'Marks seen every unseen notification'),
    archiveAll: many('archiveAll', 'Archives every notification'),
    deleteAll: many('deleteAll', 'Deletes every notification'),
  };
});
