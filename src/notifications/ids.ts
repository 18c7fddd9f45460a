import { v7 as uuidv7 } from 'uuid';
import { badUserInput } from '../errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * A new notification id: time-ordered, so that id order is creation order. A scheduled one's is made for the
 * instant it will be sent, so that it takes its place in the list when it appears.
 */
export const newNotificationId = (at?: Date): string => (at ? uuidv7({ msecs: at.getTime() }) : uuidv7());

/** `id` itself when it could be a notification id; a BAD_USER_INPUT error naming `field` otherwise. */
export function parseNotificationId(id: string, field = 'id'): string {
  if (!isUuid(id)) throw badUserInput(field, 'is not a valid notification id');
  return id.toLowerCase();
}
