import { decodeGlobalID } from '@pothos/plugin-relay';
import { badUserInput } from '../errors.js';
import { parseNotificationId } from '../notifications/ids.js';

/** The notification id inside a Relay global id; a BAD_USER_INPUT error naming `field` for anything else. */
export function parseNotificationGlobalId(globalId: string, field = 'id'): string {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    throw badUserInput(field, 'is not a valid notification id');
  }
  if (decoded.typename !== 'Notification') throw badUserInput(field, 'is not a valid notification id');
  return parseNotificationId(decoded.id, field);
}
