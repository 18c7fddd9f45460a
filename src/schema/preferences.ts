import type { CategoryPreference, ChannelSwitches, EventTypePreference } from '../producers/preferences.js';
import { builder } from './builder.js';

/** Whether something reaches the user on each channel. */
export const ChannelSwitchesRef = builder.objectRef<ChannelSwitches>('ChannelSwitches').implement({
  description: 'Whether it reaches the user on each channel.',
  fields: (t) => ({
    inApp: t.exposeBoolean('inApp', { description: 'In the inbox and its live stream.' }),
    email: t.exposeBoolean('email'),
    push: t.exposeBoolean('push', { description: 'To every device the user registered (registerPushSubscription).' }),
  }),
});

const EventTypePreferenceRef = builder.objectRef<EventTypePreference>('EventTypePreference').implement({
  description: "What the user's choices (or the defaults) mean for one event type: where it reaches them.",
  fields: (t) => ({
    eventType: t.exposeString('eventType', { description: 'e.g. "transcription.completed".' }),
    inApp: t.exposeBoolean('inApp'),
    email: t.exposeBoolean('email'),
    push: t.exposeBoolean('push'),
  }),
});

const CategoryPreferenceRef = builder.objectRef<CategoryPreference>('CategoryPreference').implement({
  fields: (t) => ({
    category: t.exposeString('category'),
    inApp: t.exposeBoolean('inApp', { description: 'Whether its notifications are created for this user.' }),
    critical: t.exposeBoolean('critical', { description: 'Its events come regardless; it cannot be turned off.' }),
    email: t.exposeBoolean('email', {
      nullable: true,
      description: 'Whether its events are emailed; null: as each event type has it by default.',
    }),
    push: t.exposeBoolean('push', {
      nullable: true,
      description: "Whether its events are pushed to the user's devices; null: as each event type has it by default.",
    }),
    eventTypes: t.field({
      type: [EventTypePreferenceRef],
      description: 'Where each of its event types reaches the user, these choices and the defaults taken together.',
      resolve: (preference) => preference.eventTypes,
    }),
  }),
});

const NotificationPreferences = builder.simpleObject('NotificationPreferences', {
  fields: (t) => ({ categories: t.field({ type: [CategoryPreferenceRef] }) }),
});

const CategoryPreferenceInput = builder.inputType('CategoryPreferenceInput', {
  fields: (t) => ({
    category: t.string({ required: true }),
    inApp: t.boolean({ description: 'Absent: unchanged.' }),
    email: t.boolean({ description: 'Absent: unchanged.' }),
    push: t.boolean({ description: 'Absent: unchanged.' }),
  }),
});

builder.queryField('notificationPreferences', (t) =>
  t.field({
    type: NotificationPreferences,
    description:
      "The caller's categories and where each reaches them: in the app (all are, until turned off), by email and by push.",
    resolve: async (_root, _args, { viewer, services }) => ({
      categories: await services.preferences.get(viewer.userId),
    }),
  }),
);

builder.mutationField('updateNotificationPreferences', (t) =>
  t.field({
    type: NotificationPreferences,
    description:
      'Turns categories on or off for the caller, per channel; the ones and channels not mentioned stay as they are.',
    args: {
      input: t.arg({
        type: builder.inputType('UpdateNotificationPreferencesInput', {
          fields: (f) => ({ categories: f.field({ type: [CategoryPreferenceInput], required: true }) }),
        }),
        required: true,
      }),
    },
    resolve: async (_root, { input }, { viewer, services }) => ({
      categories: await services.preferences.update(viewer.userId, input.categories),
    }),
  }),
);
