// `after` of the streams and the delta query: a change-log position ("42"), or a cursor (the global id)
// of a notification from the notifications connection, standing for the position at which it was added.
import { badUserInput } from '../errors.js';
import { type ChangeLog, resyncRequired } from '../notifications/changelog.js';
import { parseNotificationGlobalId } from './global-id.js';

const POSITION = /^\d{1,15}$/;

export async function resolveAfter(
  after: string | null | undefined,
  userId: string,
  changeLog: ChangeLog,
): Promise<number | undefined> {
  if (after == null) return undefined;
  if (POSITION.test(after)) return Number(after);
  const notificationId = parseNotificationGlobalId(after, 'after');
  const position = await changeLog.positionOfAdded(userId, notificationId);
  if (position !== undefined) return position;
  // Someone else's notification reads exactly as one that never existed.
  if (await changeLog.ownsNotification(userId, notificationId)) throw resyncRequired();
  throw badUserInput('after', 'is neither a position nor a cursor of yours');
}
