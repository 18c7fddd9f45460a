// Whether a user gets an event on a channel outside the app (email, push): critical events always; otherwise
// the user's choice for the category on that channel, or the event type's default when they made none. The
// app itself (inApp) is the category's mute, applied before anything is created (src/producers/).
import type { EventType } from '../producers/event-types.js';

/** The channels outside the app a user chooses per category. */
export type ChoosableChannel = 'email' | 'push';

/** A user's choices per category, as notification_preferences holds them (on/off lists per channel). */
export interface ChannelChoices {
  emailOn: readonly string[];
  emailOff: readonly string[];
  pushOn: readonly string[];
  pushOff: readonly string[];
}

type Defaults = Pick<EventType, 'critical' | 'emailByDefault' | 'pushByDefault'>;

/** Whether the event type goes to a user on `channel` when they chose nothing for its category. */
export function channelDefault(eventType: Defaults | undefined, channel: ChoosableChannel): boolean {
  if (eventType?.critical) return true;
  return (channel === 'email' ? eventType?.emailByDefault : eventType?.pushByDefault) ?? true;
}

/** The user's own choice for the category on the channel: true, false, or null when they made none. */
export function chosen(choices: ChannelChoices | null, channel: ChoosableChannel, category: string): boolean | null {
  if (!choices) return null;
  const [on, off] = channel === 'email' ? [choices.emailOn, choices.emailOff] : [choices.pushOn, choices.pushOff];
  return off.includes(category) ? false : on.includes(category) ? true : null;
}

export function wantsChannel(
  channel: ChoosableChannel,
  eventType: Defaults | undefined,
  category: string | null,
  choices: ChannelChoices | null,
): boolean {
  if (eventType?.critical) return true;
  return (category ? chosen(choices, channel, category) : null) ?? channelDefault(eventType, channel);
}
