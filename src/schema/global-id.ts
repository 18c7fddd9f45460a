import { decodeGlobalID } from '@pothos/plugin-relay';
import { badUserInput, notFound } from '../errors.js';
import { isUuid, parseNotificationId } from '../notifications/ids.js';

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

/** A global id's parts, or no type at all for one that does not decode (which resolves to nothing). */
export function decodeAnyGlobalId(globalId: string): { typename: string; id: string } {
  try {
    return decodeGlobalID(globalId);
  } catch {
    return { typename: '', id: '' };
  }
}

/**
 * Query.node's lookup. Notifications are the only nodes a client can fetch: any other id, whatever type it
 * names, is answered as a missing notification, so that ids cannot be used to enumerate the schema's types.
 */
export function resolveNotificationNode(
  globalId: { typename: string; id: string },
  resolveNode: (globalId: { typename: string; id: string }) => unknown,
): unknown {
  if (globalId.typename !== 'Notification' || !isUuid(globalId.id)) throw notFound();
  return resolveNode(globalId);
}
