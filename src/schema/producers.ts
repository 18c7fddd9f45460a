// What backend services call: domain events in, notifications out. Service tokens only.
import { eventTypes } from '../producers/event-types.js';
import { channelDefaults } from '../producers/preferences.js';
import {
  PUBLISH_OUTCOMES,
  type PublishReport,
  type RecipientError,
  type RecipientResult,
} from '../producers/publishing.js';
import { builder } from './builder.js';
import { NotificationNode } from './notification.js';
import { NotificationPriorityEnum, NotificationTypeEnum } from './notification-enums.js';
import { ChannelSwitchesRef } from './preferences.js';

const PublishOutcomeEnum = builder.enumType('PublishOutcome', {
  description:
    "CREATED: a new notification. UPDATED: the subject's earlier notification (same collapse key) now says this. " +
    "DUPLICATE: the idempotency key was used before; nothing new. STALE: the subject already has a later event's " +
    'notification; nothing changed. MUTED: the user turned this category off. RATE_LIMITED: the user had too many this hour.',
  values: PUBLISH_OUTCOMES,
});

const PublishError = builder.objectRef<RecipientError>('PublishError').implement({
  description: 'Why a recipient got nothing; the other recipients are not affected.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'RATE_LIMITED' }),
    message: t.exposeString('message'),
    retryAfter: t.exposeInt('retryAfter', { description: 'Seconds until this recipient can be notified again.' }),
  }),
});

const PublishResultRef = builder.objectRef<RecipientResult>('PublishResult').implement({
  fields: (t) => ({
    userId: t.exposeString('userId'),
    outcome: t.field({ type: PublishOutcomeEnum, resolve: (result) => result.outcome }),
    notification: t.field({
      type: NotificationNode,
      nullable: true,
      description: 'The notification the event created, updated or found; null when muted, refused or since deleted.',
      resolve: (result) => result.notification,
    }),
    error: t.field({ type: PublishError, nullable: true, resolve: (result) => result.error }),
  }),
});

const Tally = builder.objectRef<PublishReport['tally']>('PublishTally').implement({
  description: 'How many recipients had each outcome.',
  fields: (t) => ({
    created: t.int({ resolve: (tally) => tally.CREATED }),
    updated: t.int({ resolve: (tally) => tally.UPDATED }),
    duplicate: t.int({ resolve: (tally) => tally.DUPLICATE }),
    stale: t.int({ resolve: (tally) => tally.STALE }),
    muted: t.int({ resolve: (tally) => tally.MUTED }),
    rateLimited: t.int({ resolve: (tally) => tally.RATE_LIMITED }),
  }),
});

const PublishEventInput = builder.inputType('PublishEventInput', {
  fields: (t) => ({
    type: t.string({
      required: true,
      description: 'The event type, e.g. "transcription.completed" (see notificationEventTypes).',
    }),
    data: t.field({ type: 'JSON', description: "What the event type's template needs." }),
    recipients: t.stringList({ required: true, description: '1 to 10,000 user ids.' }),
    idempotencyKey: t.string({
      description:
        'The same key for the same recipient never creates a second notification. Transcription events default to type + session id.',
    }),
    collapseKey: t.string({
      description:
        'Names the subject: a later event with the same key replaces the earlier notification. Transcription events default to the session.',
    }),
    expiresAt: t.field({ type: 'DateTime' }),
    priority: t.field({
      type: NotificationPriorityEnum,
      description: "The event type's when left out: URGENT for critical types, NORMAL otherwise.",
    }),
    sendAt: t.field({
      type: 'DateTime',
      description:
        'Send it then (within a year), not now: until then the recipients see nothing of it and nothing is sent ' +
        '(cancelScheduled takes it back). A scheduled notification does not collapse onto an earlier one.',
    }),
  }),
});

const BroadcastInput = builder.inputType('BroadcastInput', {
  fields: (t) => ({
    type: t.string({ required: true }),
    data: t.field({ type: 'JSON' }),
    idempotencyKey: t.string(),
    expiresAt: t.field({ type: 'DateTime' }),
    priority: t.field({ type: NotificationPriorityEnum }),
  }),
});

const EventTypeInfo = builder.objectRef<ReturnType<typeof eventTypes>[number]>('NotificationEventType').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    category: t.exposeString('category'),
    type: t.field({ type: NotificationTypeEnum, resolve: (eventType) => eventType.type }),
    critical: t.exposeBoolean('critical', { description: 'Delivered even to users who muted its category.' }),
    defaults: t.field({
      type: ChannelSwitchesRef,
      description: 'Where it reaches a user who made no choice for its category.',
      resolve: (eventType) => channelDefaults(eventType),
    }),
  }),
});

builder.queryField('notificationEventTypes', (t) =>
  t.field({
    type: [EventTypeInfo],
    description: 'The domain events publishEvent understands.',
    resolve: () => [...eventTypes()],
  }),
);

builder.mutationFields((t) => ({
  publishEvent: t.field({
    type: builder.simpleObject('PublishEventPayload', {
      fields: (f) => ({
        results: f.field({ type: [PublishResultRef], description: 'One per recipient, in the order given.' }),
        tally: f.field({ type: Tally }),
      }),
    }),
    description:
      'Turns a domain event into a notification for each recipient (service tokens only). Fire and forget: ' +
      'retries with the same idempotency key are harmless. A refused recipient gets an error in its result, the others their notification.',
    authScopes: { service: true },
    args: { input: t.arg({ type: PublishEventInput, required: true }) },
    resolve: (_root, { input }, { services }) => services.publishing.publish(input),
  }),
  broadcast: t.field({
    type: builder.simpleObject('BroadcastPayload', {
      fields: (f) => ({
        recipients: f.int({ description: 'How many known users the event went to.' }),
        tally: f.field({ type: Tally }),
      }),
    }),
    description: 'Publishes an event (e.g. system.maintenance) to every known user, in batches. Service tokens only.',
    authScopes: { service: true },
    args: { input: t.arg({ type: BroadcastInput, required: true }) },
    resolve: async (_root, { input }, { services }) => {
      const { recipients, ...tally } = await services.publishing.broadcast(input);
      return { recipients, tally };
    },
  }),
}));
