import { encodeGlobalID } from '@pothos/plugin-relay';
import { badUserInput } from '../errors.js';
import { ChangeKind } from '../generated/prisma/enums.js';
import type { ChangeEvent } from '../notifications/changelog.js';
import { builder } from './builder.js';
import { NotificationCountsRef } from './counts.js';
import { NotificationNode } from './notification.js';
import { resolveAfter } from './positions.js';

export const NotificationEventKindEnum = builder.enumType(ChangeKind, {
  name: 'NotificationEventKind',
  description:
    'What changed. One notification: ADDED, READ, UNREAD, SEEN (also for markSeen of several), ARCHIVED, ' +
    'UNARCHIVED, SNOOZED, RESURFACED (a snoozed one came back, unread and unseen), EXPIRED (gone at its expiry), ' +
    'DELETED. Many at once: ALL_READ, ALL_SEEN, ALL_ARCHIVED, ALL_DELETED.',
});

export const NotificationEventRef = builder.objectRef<ChangeEvent>('NotificationEvent').implement({
  description: "One change to the caller's notifications, at its place in their change log.",
  fields: (t) => ({
    position: t.string({
      description: "Where the change stands in the caller's change log: resume from here with `after`.",
      resolve: (event) => String(event.position),
    }),
    kind: t.expose('kind', { type: NotificationEventKindEnum }),
    notificationId: t.id({
      nullable: true,
      description: 'The global id of the notification changed; null when the change touched many.',
      resolve: (event) => (event.notificationId ? encodeGlobalID('Notification', event.notificationId) : null),
    }),
    notificationIds: t.idList({
      description: 'The global ids of every notification changed.',
      resolve: (event) => event.notificationIds.map((id) => encodeGlobalID('Notification', id)),
    }),
    notification: t.field({
      type: NotificationNode,
      nullable: true,
      description: 'The notification as it is now; null when deleted, or when the change touched many.',
      resolve: (event) => event.notification,
    }),
    count: t.exposeInt('count', { description: 'How many notifications the change touched.' }),
    unreadCount: t.int({
      description: "The caller's unread count right after the change.",
      resolve: (event) => event.counts.unread,
    }),
    counts: t.field({
      type: NotificationCountsRef,
      description: "The caller's counts right after the change (the default view): the badge is `unseen`.",
      resolve: (event) => event.counts,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const MAX_CHANGES = 500;

builder.queryField('notificationChanges', (t) =>
  t.field({
    type: builder.simpleObject('NotificationChanges', {
      fields: (f) => ({
        events: f.field({ type: [NotificationEventRef] }),
        position: f.string({ description: 'Ask from here next time (`after`).' }),
        hasMore: f.boolean({ description: 'More changes are waiting after `position`: ask again right away.' }),
      }),
    }),
    description:
      `The caller's changes after \`after\` (a position, or a cursor of the notifications connection), oldest first, ` +
      `at most \`first\` (default 100, at most ${MAX_CHANGES}). Without \`after\`: no events, and the current position to poll from. ` +
      'RESYNC_REQUIRED when the log no longer reaches back that far.',
    args: { after: t.arg.string(), first: t.arg.int() },
    resolve: async (_root, args, { viewer, services }) => {
      const first = args.first ?? 100;
      if (first < 1 || first > MAX_CHANGES) throw badUserInput('first', `must be between 1 and ${MAX_CHANGES}`);
      const after = await resolveAfter(args.after, viewer.userId, services.changeLog);
      if (after === undefined) {
        return {
          events: [],
          position: String(await services.changeLog.currentPosition(viewer.userId)),
          hasMore: false,
        };
      }
      await services.changeLog.assertResumable(viewer.userId, after);
      const events = await services.changeLog.after(viewer.userId, after, first + 1);
      const page = events.slice(0, first);
      return { events: page, position: String(page.at(-1)?.position ?? after), hasMore: events.length > first };
    },
  }),
);
