import { badUserInput } from '../errors.js';
import { fieldCost } from '../limits/operation-cost.js';
import type { NotificationCounts } from '../notifications/counts.js';
import { builder } from './builder.js';
import { NotificationFilterInput, toFilter } from './filter.js';

export const NotificationCountsRef = builder.objectRef<NotificationCounts>('NotificationCounts').implement({
  description: 'How many notifications a view holds.',
  fields: (t) => ({
    total: t.exposeInt('total'),
    unread: t.exposeInt('unread'),
    unseen: t.exposeInt('unseen', { description: 'What the badge shows: not yet shown to the user.' }),
  }),
});

const KeyedFilterInput = builder.inputType('KeyedNotificationFilter', {
  fields: (t) => ({
    key: t.string({
      required: true,
      description: "Any name of the client's, e.g. a tab: it comes back with the counts.",
    }),
    filter: t.field({ type: NotificationFilterInput }),
  }),
});

const KeyedCounts = builder
  .objectRef<{ key: string; counts: NotificationCounts }>('KeyedNotificationCounts')
  .implement({
    fields: (t) => ({
      key: t.exposeString('key'),
      counts: t.field({ type: NotificationCountsRef, resolve: (keyed) => keyed.counts }),
    }),
  });

const MAX_KEYED_FILTERS = 20;
/** A count reads the index entries of a whole view: it weighs about what a row with every field does. */
const COUNT_COST = 50;

builder.queryFields((t) => ({
  counts: t.field({
    type: NotificationCountsRef,
    description: "Total, unread and unseen for a view of the caller's inbox (the default view without a filter).",
    args: { filter: t.arg({ type: NotificationFilterInput }) },
    extensions: fieldCost({ weight: COUNT_COST }),
    resolve: (_root, { filter }, { viewer, services }) =>
      services.notifications.counts(viewer.userId, toFilter(filter)),
  }),
  countsBy: t.field({
    type: [KeyedCounts],
    description: `The counts of several views at once (the tabs of an inbox), in the order asked; at most ${MAX_KEYED_FILTERS}.`,
    args: { filters: t.arg({ type: [KeyedFilterInput], required: true }) },
    extensions: fieldCost({ weight: COUNT_COST, fanOut: 'filters' }),
    resolve: async (_root, { filters }, { viewer, services }) => {
      if (filters.length > MAX_KEYED_FILTERS)
        throw badUserInput('filters', `takes at most ${MAX_KEYED_FILTERS} filters`);
      return Promise.all(
        filters.map(async ({ key, filter }, i) => ({
          key,
          counts: await services.notifications.counts(viewer.userId, toFilter(filter), `filters.${i}.filter`),
        })),
      );
    },
  }),
}));
