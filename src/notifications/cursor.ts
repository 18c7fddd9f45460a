// Connection cursors: opaque to clients, a notification id to us. Ids are UUIDv7, so id order is creation order.
import { badUserInput } from '../errors.js';
import { isUuid } from './ids.js';

const PREFIX = 'n:';

export function encodeCursor(id: string): string {
  return Buffer.from(PREFIX + id).toString('base64url');
}

/** The notification id a cursor stands for; a BAD_USER_INPUT error naming `field` when it is not a cursor of ours. */
export function decodeCursor(cursor: string, field: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.slice(PREFIX.length);
  if (!decoded.startsWith(PREFIX) || !isUuid(id)) throw badUserInput(field, 'is not a valid cursor');
  return id;
}
