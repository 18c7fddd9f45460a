// `after` of the streams and the delta query: a change-log position ("42"), or a cursor (the global id)
// of a notification from the notifications connection, standing for the position at which it was added.
import { badUserInput } from '../errors.js';
import type { ChangeLog } from '../notifications/changelog.js';
import { parseNotificationGlobalId } from './global-id.js';

const POSITION = /^\d{1,15}$/;

/** The position at which the caller's notification with this cursor was added; someone else's reads as missing. */
async function positionOfCursor(cursor: string, field: string, userId: string, changeLog: ChangeLog): Promise<number> {
  const position = await changeLog.positionOfAdded(userId, parseNotificationGlobalId(cursor, field));
  if (position === undefined) throw badUserInput(field, 'is neither a position nor a cursor of yours');
  return position;
}

export async function resolveAfter(
  after: string | null | undefined,
  userId: string,
  changeLog: ChangeLog,
): Promise<number | undefined> {
  if (after == null) return undefined;
  if (POSITION.test(after)) return Number(after);
  return positionOfCursor(after, 'after', userId, changeLog);
}

/**
 * `upTo` of the bulk actions: the newest thing the client saw, as a position or a cursor. Unlike `after`,
 * a position the caller's log never reached, or someone else's cursor, is a mistake: BAD_USER_INPUT.
 */
export async function resolveUpTo(
  upTo: string | null | undefined,
  userId: string,
  changeLog: ChangeLog,
): Promise<number | undefined> {
  if (upTo == null) return undefined;
  if (POSITION.test(upTo)) {
    const position = Number(upTo);
    if (position > (await changeLog.currentPosition(userId))) throw badUserInput('upTo', 'is ahead of your change log');
    return position;
  }
  return positionOfCursor(upTo, 'upTo', userId, changeLog);
}
