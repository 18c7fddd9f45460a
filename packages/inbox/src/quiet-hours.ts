// The quiet-hours form of <notification-preferences>: what it edits (a draft of the API's quietHours and
// timeZone) and the time zones it offers. The browser's own zone is the default until the user has one.
import type { DeliveryChannel, UpdateNotificationPreferencesInput } from '@notification-api/client';

export interface QuietHoursDraft {
  on: boolean;
  start: string;
  end: string;
  /** DeliveryChannel values: EMAIL, PUSH… */
  channels: string[];
  timeZone: string;
}

export interface SavedQuietHours {
  quietHours: { start: string; end: string; channels: readonly string[] } | null;
  timeZone: string | null;
}

/** The browser's IANA time zone, e.g. "Europe/Paris". */
export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** A draft of what is saved; when off, the night of 22:00 to 07:00 on every channel is offered. */
export function draftOf(saved: SavedQuietHours, channels: readonly string[]): QuietHoursDraft {
  const quiet = saved.quietHours;
  return {
    on: quiet !== null,
    // An <input type="time"> shows seconds only when there are some.
    start: (quiet?.start ?? '22:00').replace(/^(\d\d:\d\d):00$/, '$1'),
    end: (quiet?.end ?? '07:00').replace(/^(\d\d:\d\d):00$/, '$1'),
    channels: quiet ? [...quiet.channels] : [...channels],
    timeZone: saved.timeZone ?? browserTimeZone(),
  };
}

/** The input of updateNotificationPreferences for a draft. */
export function inputOf(draft: QuietHoursDraft): UpdateNotificationPreferencesInput {
  return {
    categories: [],
    quietHours: draft.on ? { start: draft.start, end: draft.end, channels: draft.channels as DeliveryChannel[] } : null,
    timeZone: draft.timeZone,
  };
}

let zones: string[] | undefined;

/** Every time zone the browser knows, with `current` among them. */
export function timeZones(current: string): string[] {
  zones ??= typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const all = zones.includes('UTC') ? zones : [...zones, 'UTC'];
  return all.includes(current) ? all : [current, ...all];
}
