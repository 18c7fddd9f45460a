// The bulk actions' one way in: the view (`filter`) and its bound (`upTo`, a cursor or position the client
// saw), resolved for the caller, then the service's action.
import type { Context } from '../context.js';
import type { BulkRequest } from '../notifications/service.js';
import { toFilter } from './filter.js';
import { resolveUpTo } from './positions.js';

export type BulkAction = 'markAllRead' | 'markAllSeen' | 'archiveAll' | 'deleteAll';

/** A bulk action of the caller's, on the view `filter` up to `upTo`. */
export async function bulk(action: BulkAction, context: Context, args: { filter?: unknown; upTo?: string | null }) {
  const { viewer, services } = context;
  const request: BulkRequest = {
    filter: toFilter(args.filter as Parameters<typeof toFilter>[0]),
    upTo: await resolveUpTo(args.upTo, viewer.userId, services.changeLog),
  };
  return services.notifications[action](viewer.userId, request);
}
