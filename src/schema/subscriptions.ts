import type { UserEvent } from '../notifications/events.js';
import { filterIterator } from '../streams/filter-iterator.js';
import { builder } from './builder.js';
import { NotificationNode } from './notification.js';

builder.subscriptionField('notificationAdded', (t) =>
  t.field({
    type: NotificationNode,
    description: 'Every notification created for the caller from now on, as it is created.',
    subscribe: async (_root, _args, { viewer, services }) =>
      filterIterator(
        await services.events.listen(viewer.userId),
        (event): event is Extract<UserEvent, { kind: 'added' }> => event.kind === 'added',
      ),
    resolve: (event) => event.notification,
  }),
);
