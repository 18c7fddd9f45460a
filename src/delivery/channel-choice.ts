// Whether a user gets an event by email: critical events always; otherwise the user's choice for the
// category, or the event type's default when they made none.
import type { EventType } from '../producers/event-types.js';

export interface EmailChoices {
  emailOn: readonly string[];
  emailOff: readonly string[];
}

export function wantsEmail(
  eventType: Pick<EventType, 'critical' | 'emailByDefault'> | undefined,
  category: string | null,
  choices: EmailChoices | null,
): boolean {
  if (eventType?.critical) return true;
  if (category && choices?.emailOff.includes(category)) return false;
  if (category && choices?.emailOn.includes(category)) return true;
  return eventType?.emailByDefault ?? true;
}
