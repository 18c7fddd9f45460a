import { builder } from './builder.js';

const UnreadCount = builder.simpleObject('UnreadCount', {
  description: 'What a notification bell shows.',
  fields: (t) => ({
    count: t.int({ description: "How many of the caller's notifications are UNREAD." }),
    lastNotificationAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the newest unread notification was created; null when none is unread.',
    }),
  }),
});

builder.queryField('unreadCount', (t) =>
  t.field({
    type: UnreadCount,
    resolve: (_root, _args, { viewer, services }) => services.notifications.unreadCount(viewer.userId),
  }),
);
