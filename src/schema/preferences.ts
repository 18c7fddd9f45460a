import {
  type CategoryPreference,
  type ChannelPolicyView,
  type ChannelSwitches,
  type EventTypePreference,
  MAX_HOLD_SECONDS,
  type QuietHoursView,
} from '../producers/preferences.js';
import { builder } from './builder.js';
import { DeliveryChannelEnum } from './delivery.js';

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

const ChannelPolicyRef = builder.objectRef<ChannelPolicyView>('ChannelPolicy').implement({
  description: "How a category's deliveries wait on a channel (0: not at all). URGENT notifications never wait.",
  fields: (t) => ({
    delaySeconds: t.exposeInt('delaySeconds', {
      description:
        'Read-before-send: sent this long after the notification, and not at all (SKIPPED: READ) if it was read, ' +
        'archived or deleted in the app by then.',
    }),
    digestSeconds: t.exposeInt('digestSeconds', {
      description:
        'A digest window: the first notification opens it, later ones join, and at its end one message lists those ' +
        'still unread (a digest of one is a normal message). Takes the place of the delay.',
    }),
  }),
});

const ChannelPolicyInput = builder.inputType('ChannelPolicyInput', {
  fields: (t) => ({
    delaySeconds: t.int({ description: `0 to ${MAX_HOLD_SECONDS}; 0: none. Absent: unchanged.` }),
    digestSeconds: t.int({ description: `0 to ${MAX_HOLD_SECONDS}; 0: none. Absent: unchanged.` }),
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
    emailPolicy: t.field({ type: ChannelPolicyRef, resolve: (preference) => preference.emailPolicy }),
    pushPolicy: t.field({ type: ChannelPolicyRef, resolve: (preference) => preference.pushPolicy }),
    eventTypes: t.field({
      type: [EventTypePreferenceRef],
      description: 'Where each of its event types reaches the user, these choices and the defaults taken together.',
      resolve: (preference) => preference.eventTypes,
    }),
  }),
});

const QuietHoursRef = builder.objectRef<QuietHoursView>('QuietHours').implement({
  description:
    "When nothing is sent on these channels, in the user's time zone; what falls in them waits for their end " +
    '(HELD: QUIET_HOURS). In the app everything still arrives, and URGENT notifications are never held.',
  fields: (t) => ({
    start: t.exposeString('start', { description: 'Local time, "22:00" (or "22:00:30").' }),
    end: t.exposeString('end', { description: 'Local time; earlier than start: over midnight.' }),
    channels: t.field({ type: [DeliveryChannelEnum], resolve: (hours) => hours.channels }),
  }),
});

const QuietHoursInput = builder.inputType('QuietHoursInput', {
  fields: (t) => ({
    start: t.string({ required: true, description: '"HH:MM" or "HH:MM:SS", local time.' }),
    end: t.string({ required: true, description: '"HH:MM" or "HH:MM:SS"; earlier than start: over midnight.' }),
    channels: t.field({ type: [DeliveryChannelEnum], required: true, description: 'Held on these channels.' }),
  }),
});

const NotificationPreferences = builder.simpleObject('NotificationPreferences', {
  fields: (t) => ({
    categories: t.field({ type: [CategoryPreferenceRef] }),
    quietHours: t.field({ type: QuietHoursRef, nullable: true, description: 'Null: none.' }),
    timeZone: t.string({
      nullable: true,
      description: "The user's own IANA time zone for quiet hours; null: their recipient profile's, else UTC.",
    }),
  }),
});

const CategoryPreferenceInput = builder.inputType('CategoryPreferenceInput', {
  fields: (t) => ({
    category: t.string({ required: true }),
    inApp: t.boolean({ description: 'Absent: unchanged.' }),
    email: t.boolean({ description: 'Absent: unchanged.' }),
    push: t.boolean({ description: 'Absent: unchanged.' }),
    emailPolicy: t.field({ type: ChannelPolicyInput, description: 'How its emails wait. Absent: unchanged.' }),
    pushPolicy: t.field({ type: ChannelPolicyInput, description: 'How its pushes wait. Absent: unchanged.' }),
  }),
});

builder.queryField('notificationPreferences', (t) =>
  t.field({
    type: NotificationPreferences,
    description:
      "The caller's categories and where each reaches them: in the app (all are, until turned off), by email and by push.",
    resolve: async (_root, _args, { viewer, services }) => ({
      categories: await services.preferences.get(viewer.userId),
      ...(await services.preferences.schedule(viewer.userId)),
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
          fields: (f) => ({
            categories: f.field({ type: [CategoryPreferenceInput], required: true }),
            quietHours: f.field({ type: QuietHoursInput, description: 'Absent: unchanged. null: none.' }),
            timeZone: f.string({
              description: "An IANA time zone for quiet hours. Absent: unchanged. null: the recipient profile's.",
            }),
          }),
        }),
        required: true,
      }),
    },
    resolve: async (_root, { input }, { viewer, services }) => {
      // Checked before anything is written: a bad time zone changes nothing.
      const schedule = services.preferences.checkSchedule(input);
      const categories = await services.preferences.update(viewer.userId, input.categories);
      await services.preferences.saveSchedule(viewer.userId, schedule);
      return { categories, ...(await services.preferences.schedule(viewer.userId)) };
    },
  }),
);
