// What a channel's task decides before it sends, from the user's policies, as of now: a held delivery whose
// notification was read or archived in the app meanwhile is not sent (SKIPPED: READ, one deleted took its
// delivery with it), one that falls in the user's quiet hours on its channel waits for their end (HELD:
// QUIET_HOURS), unless it is URGENT; otherwise it goes now.
import type { DeliveryChannel } from '../generated/prisma/enums.js';
import type { LoadedDelivery } from './deliveries.js';
import { quietUntil } from './quiet-hours.js';

export type GateDecision =
  | { action: 'send' }
  | { action: 'skip'; reason: 'READ' }
  | { action: 'hold'; until: Date; reason: 'QUIET_HOURS' };

type Preference = LoadedDelivery['preference'];

/** The user's time zone for quiet hours: their own choice, else their recipient profile's, else UTC. */
export const timeZoneOf = (preference: Preference, profileTimeZone: string | null | undefined): string =>
  preference?.timeZone ?? profileTimeZone ?? 'UTC';

/** When the user's quiet hours on `channel` end, if `now` falls in them. */
export function quietHoursEnd(
  preference: Preference,
  profileTimeZone: string | null | undefined,
  channel: DeliveryChannel,
  now = new Date(),
): Date | null {
  if (!preference || preference.quietStart == null || preference.quietEnd == null) return null;
  if (!preference.quietChannels.includes(channel)) return null;
  return quietUntil(
    now,
    { start: preference.quietStart, end: preference.quietEnd },
    timeZoneOf(preference, profileTimeZone),
  );
}

export function gate(
  { delivery, notification, preference, recipient }: LoadedDelivery,
  now = new Date(),
): GateDecision {
  if (delivery.status === 'HELD' && (notification.readAt !== null || notification.status === 'ARCHIVED'))
    return { action: 'skip', reason: 'READ' };
  if (notification.priority !== 'URGENT') {
    const until = quietHoursEnd(preference, recipient?.timeZone, delivery.channel, now);
    if (until) return { action: 'hold', until, reason: 'QUIET_HOURS' };
  }
  return { action: 'send' };
}
