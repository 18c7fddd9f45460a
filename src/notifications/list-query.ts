// The SQL of a page of the inbox and of the view it is a page of: what NotificationService.list runs, and
// what compiled reads (src/compiled-reads/) build their JSON from, so that both read the very same rows.
import { badUserInput } from '../errors.js';
import { Prisma } from '../generated/prisma/client.js';
import type { NotificationStatus, NotificationType } from '../generated/prisma/enums.js';
import { checkFilter, filterSql, type NotificationFilter } from './filter.js';
import { type Page, type PageRequest, parsePageRequest } from './pagination.js';
import { NOTIFICATION_COLUMNS } from './rows.js';

export interface ListFilter {
  status?: NotificationStatus | null;
  type?: NotificationType | null;
  filter?: NotificationFilter | null;
}

export interface ListQuery {
  page: Page;
  /** The view the page is read from, on `notifications AS n`: what totalCount counts. */
  view: Prisma.Sql;
  /** The page's rows (NOTIFICATION_COLUMNS), one more than its size, in reading order (oldest first backwards). */
  rows: Prisma.Sql;
}

/** The `status` and `type` arguments of the connection, folded into its filter. */
function withLegacyArguments({ status, type, filter }: ListFilter): NotificationFilter {
  const checked = checkFilter(filter);
  if (status && (checked.status || checked.statuses))
    throw badUserInput('status', 'use either status or filter.status');
  if (type && checked.types) throw badUserInput('type', 'use either type or filter.types');
  return { ...checked, ...(status ? { status } : {}), ...(type ? { types: [type] } : {}) };
}

/** Throws BAD_USER_INPUT for arguments that make no page. */
export function listQuery(userId: string, request: PageRequest & ListFilter, now: Date): ListQuery {
  const page = parsePageRequest(request);
  const filter = withLegacyArguments(request);
  const bounds = [
    ...(page.after ? [Prisma.sql`n.id < ${page.after}::uuid`] : []),
    ...(page.before ? [Prisma.sql`n.id > ${page.before}::uuid`] : []),
  ];
  const direction = page.backwards ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  // The user comes in through a fenced subquery (OFFSET 0), so the planner cannot see which user it is.
  // Seeing it, for a user with most of the table, it would walk the primary key from the cursor and filter
  // by user: the last page of such a user read every older row of everyone (seconds). Not seeing it, it
  // always takes (user_id, id): every page costs the same.
  const rows = Prisma.sql`
    SELECT p.* FROM (SELECT ${userId}::varchar AS id OFFSET 0) AS viewer, LATERAL (
      SELECT ${NOTIFICATION_COLUMNS} FROM notifications AS n
      WHERE ${Prisma.join([filterSql(Prisma.sql`viewer.id`, filter, now), ...bounds], ' AND ')}
      ORDER BY n.id ${direction} LIMIT ${page.size + 1}
    ) AS p
    ORDER BY p.id ${direction}`;
  return { page, view: filterSql(userId, filter, now), rows };
}
