import type { NotificationFilter } from '../notifications/filter.js';
import { builder } from './builder.js';
import { NotificationPriorityEnum, NotificationStatusEnum, NotificationTypeEnum } from './notification-enums.js';

const MetadataConditionInput = builder.inputType('MetadataCondition', {
  description: "The metadata's top-level `key` equals `value` (compared as JSON).",
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.field({ type: 'JSON', required: true }),
  }),
});

export const NotificationFilterInput = builder.inputType('NotificationFilter', {
  description:
    'Which notifications a list, a count, a bulk action or a stream is about. Every field given must hold. ' +
    'Without `archived` or a status that asks for them, archived notifications are left out; snoozed ones ' +
    'are left out until they resurface unless `snoozed: true`; expired ones are always left out.',
  fields: (t) => ({
    status: t.field({ type: NotificationStatusEnum }),
    statuses: t.field({ type: [NotificationStatusEnum] }),
    types: t.field({ type: [NotificationTypeEnum] }),
    priorities: t.field({ type: [NotificationPriorityEnum], description: 'Only those of these priorities.' }),
    seen: t.boolean({ description: 'true: only seen ones; false: only unseen ones (what the badge counts).' }),
    archived: t.boolean(),
    snoozed: t.boolean({ description: 'true: only those snoozed right now.' }),
    relatedSessionId: t.string(),
    category: t.string(),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
    metadata: t.field({ type: [MetadataConditionInput] }),
  }),
});

/** The GraphQL input as the domain's filter. */
export const toFilter = (input: typeof NotificationFilterInput.$inferInput | null | undefined): NotificationFilter =>
  input ?? {};
