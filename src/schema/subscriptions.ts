// The live streams: replay from the change log after `after`, then live. A stream that must end (token
// expired, server stopping, consumer too slow) sends one last result whose error says why, then completes.

import type { Context } from '../context.js';
import type { ChangeEvent } from '../notifications/changelog.js';
import { checkFilter, matchesFilter, type NotificationFilter } from '../notifications/filter.js';
import type { StreamItem } from '../notifications/live-streams.js';
import { builder } from './builder.js';
import { NotificationFilterInput, toFilter } from './filter.js';
import { NotificationNode } from './notification.js';
import { NotificationEventRef } from './notification-event.js';
import { resolveAfter } from './positions.js';

async function openStream(
  context: Context,
  after: string | null | undefined,
  include: (event: ChangeEvent) => boolean,
) {
  const { viewer, services, streamSignal } = context;
  return services.liveStreams.open(viewer.userId, {
    after: await resolveAfter(after, viewer.userId, services.changeLog),
    endsAt: viewer.expiresAt,
    include,
    signal: streamSignal,
  });
}

/** Which changes notificationAdded yields for this view: those that add one of its notifications. */
export const addedTo =
  (view: NotificationFilter) =>
  (event: ChangeEvent): boolean =>
    event.kind === 'ADDED' && event.notification !== null && matchesFilter(event.notification, view, new Date());

/**
 * Whether an event concerns a followed view: changes to many always do (the counts moved); a change to one
 * does when the notification is one of the view's, whatever state the change moved it to.
 */
export const concerns = (event: ChangeEvent, filter: NotificationFilter) =>
  event.notification === null || matchesFilter(event.notification, filter, new Date(), { states: false });

function eventOf(item: StreamItem): ChangeEvent {
  if (item.type === 'end') throw item.error;
  return item.event;
}

const AFTER =
  'Replay first every change after this position (or after this notification of the connection), then go live.';
const FILTER = 'Only notifications in this view.';
const streamArgs = builder.args((t) => ({
  after: t.string({ description: AFTER }),
  filter: t.field({ type: NotificationFilterInput, description: FILTER }),
}));

builder.subscriptionFields((t) => ({
  notificationAdded: t.field({
    type: NotificationNode,
    description:
      'Every notification created for the caller: with `after`, first those created after it (replayed from the log, ' +
      'in order, none twice), then live. Without `after`, from now on.',
    args: streamArgs,
    subscribe: (_root, { after, filter }, context) => {
      const view = checkFilter(toFilter(filter));
      return openStream(context, after, addedTo(view));
    },
    resolve: (item: StreamItem) => eventOf(item).notification!,
  }),
  notificationEvents: t.field({
    type: NotificationEventRef,
    description:
      "Every change to the caller's notifications, each with its position and the counts after it, so every " +
      'tab and device stays in sync. Same resume semantics as notificationAdded; RESYNC_REQUIRED when the log no ' +
      'longer reaches back to `after`. With `filter`, only changes to the notifications the filter selects by what ' +
      'they are (types, category, session, metadata, creation time) come, whatever state they move to; changes to ' +
      'many at once always come.',
    args: streamArgs,
    subscribe: (_root, { after, filter }, context) => {
      const view = checkFilter(toFilter(filter));
      return openStream(context, after, (event) => concerns(event, view));
    },
    resolve: (item: StreamItem) => eventOf(item),
  }),
}));
