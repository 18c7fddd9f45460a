import type { CategoryPreference } from '../producers/preferences.js';
import { builder } from './builder.js';

const CategoryPreferenceRef = builder.objectRef<CategoryPreference>('CategoryPreference').implement({
  fields: (t) => ({
    category: t.exposeString('category'),
    inApp: t.exposeBoolean('inApp', { description: 'Whether its notifications are created for this user.' }),
    critical: t.exposeBoolean('critical', { description: 'Its events come regardless; it cannot be turned off.' }),
    email: t.exposeBoolean('email', {
      nullable: true,
      description: 'Whether its events are emailed; null: as each event type has it by default.',
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
  }),
});

builder.queryField('notificationPreferences', (t) =>
  t.field({
    type: NotificationPreferences,
    description: "The caller's categories and whether each is on (all are, until turned off).",
    resolve: async (_root, _args, { viewer, services }) => ({
      categories: await services.preferences.get(viewer.userId),
    }),
  }),
);

builder.mutationField('updateNotificationPreferences', (t) =>
  t.field({
    type: NotificationPreferences,
    description: 'Turns categories on or off for the caller; the ones not mentioned stay as they are.',
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
