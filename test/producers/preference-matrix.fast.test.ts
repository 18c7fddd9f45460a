// The preferences API as a matrix of categories × channels: what a user reads back after each change, the
// defaults of each event type, the critical category that cannot be turned off anywhere, and the old
// per-category mute (inApp alone) that keeps working as it did.
import { describe, expect, it } from 'vitest';
import {
  EventTypeDefaultsDocument,
  NotificationPreferencesDocument,
  PreferenceMatrixDocument,
  UpdateNotificationPreferencesDocument,
  UpdatePreferenceMatrixDocument,
} from '../generated/graphql.js';
import { useTestApp } from '../helpers/app.js';
import { expectError } from '../helpers/graphql.js';

const shared = useTestApp();

const CHANNELS = ['inApp', 'email', 'push'] as const;

describe('the preferences matrix', () => {
  it("should give each event type's channels for a user who chose nothing", async () => {
    const user = await shared.newUser();
    const { notificationEventTypes } = await user.data(EventTypeDefaultsDocument);
    const defaults = Object.fromEntries(notificationEventTypes.map((t) => [t.name, t.defaults]));
    expect(defaults['transcription.completed']).toEqual({ inApp: true, email: false, push: true });
    expect(defaults['transcription.started']).toEqual({ inApp: true, email: true, push: false });
    expect(defaults['system.update']).toEqual({ inApp: true, email: true, push: false });
    expect(defaults['user.security_alert']).toEqual({ inApp: true, email: true, push: true });
    // A fresh user's matrix is those defaults, and says they are defaults (null).
    const { categories } = (await user.data(PreferenceMatrixDocument)).notificationPreferences;
    for (const category of categories.filter((c) => !c.critical)) {
      expect(category).toMatchObject({ inApp: true, email: null, push: null });
    }
    const effective = Object.fromEntries(
      categories.flatMap((c) => c.eventTypes.map(({ eventType, ...channels }) => [eventType, channels])),
    );
    expect(effective).toEqual(defaults);
  });

  it.each(['transcription', 'system', 'account'].flatMap((category) => CHANNELS.map((channel) => [category, channel])))(
    'should turn %s off and on again for %s alone, every event type of it following',
    async (category, channel) => {
      const user = await shared.newUser();
      const set = async (on: boolean) =>
        (await user.data(UpdatePreferenceMatrixDocument, { input: { categories: [{ category, [channel]: on }] } }))
          .updateNotificationPreferences.categories;
      const off = (await set(false)).find((c) => c.category === category)!;
      expect(off[channel as (typeof CHANNELS)[number]]).toBe(false);
      const { categories } = (await user.data(PreferenceMatrixDocument)).notificationPreferences;
      const read = categories.find((c) => c.category === category)!;
      for (const eventType of read.eventTypes) {
        expect(eventType[channel as (typeof CHANNELS)[number]]).toBe(false);
        // In the app off: no notification, so nothing anywhere; otherwise the other channels are untouched.
        if (channel === 'inApp') expect(eventType).toMatchObject({ email: false, push: false });
      }
      for (const other of categories.filter((c) => c.category !== category)) {
        expect(other).toMatchObject({
          inApp: true,
          email: other.critical ? true : null,
          push: other.critical ? true : null,
        });
      }
      const on = (await set(true)).find((c) => c.category === category)!;
      expect(on[channel as (typeof CHANNELS)[number]]).toBe(true);
      const again = (await user.data(PreferenceMatrixDocument)).notificationPreferences.categories;
      for (const eventType of again.find((c) => c.category === category)!.eventTypes) {
        expect(eventType[channel as (typeof CHANNELS)[number]]).toBe(true);
      }
    },
  );

  it.each(CHANNELS)('should refuse turning %s off for the critical category, and change nothing', async (channel) => {
    const user = await shared.newUser();
    const response = await user.execute(UpdatePreferenceMatrixDocument, {
      input: {
        categories: [
          { category: 'system', push: false },
          { category: 'security', [channel]: false },
        ],
      },
    });
    expect(expectError(response, 'BAD_USER_INPUT').extensions?.field).toBe(`categories.1.${channel}`);
    const { categories } = (await user.data(PreferenceMatrixDocument)).notificationPreferences;
    expect(categories.find((c) => c.category === 'system')).toMatchObject({ push: null });
    expect(categories.find((c) => c.category === 'security')).toMatchObject({
      critical: true,
      inApp: true,
      email: true,
      push: true,
    });
  });

  it('should keep the old per-category mute working, leaving email and push choices as they were', async () => {
    const user = await shared.newUser();
    await user.data(UpdatePreferenceMatrixDocument, { input: { categories: [{ category: 'account', push: false }] } });
    const muted = await user.data(UpdateNotificationPreferencesDocument, {
      input: { categories: [{ category: 'account', inApp: false }] },
    });
    expect(muted.updateNotificationPreferences.categories.find((c) => c.category === 'account')?.inApp).toBe(false);
    await user.data(UpdateNotificationPreferencesDocument, {
      input: { categories: [{ category: 'account', inApp: true }] },
    });
    const { categories } = (await user.data(NotificationPreferencesDocument)).notificationPreferences;
    expect(categories.find((c) => c.category === 'account')?.inApp).toBe(true);
    const matrix = (await user.data(PreferenceMatrixDocument)).notificationPreferences.categories;
    expect(matrix.find((c) => c.category === 'account')).toMatchObject({ inApp: true, email: null, push: false });
  });
});
