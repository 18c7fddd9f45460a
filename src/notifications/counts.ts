// Counts of a view of the inbox, in one query. Read state is `readAt` (set by markRead, cleared by
// markUnread and resurfacing), seen state is `seenAt`, so one pass answers all three.
import { Prisma } from '../generated/prisma/client.js';
import { queryRows } from './sql.js';

export interface NotificationCounts {
  total: number;
  unread: number;
  /** What the badge shows. */
  unseen: number;
}

type Reader = Pick<Prisma.TransactionClient, '$queryRaw'>;

/**
 * total, unread and unseen over any view of `notifications AS n`. The change log's counts, those of the
 * default view, come from the database's `notification_counts`, which counts alike (a test holds the two
 * together).
 */
export const COUNT_COLUMNS = Prisma.raw(
  'count(*)::int AS total, count(*) FILTER (WHERE n.read_at IS NULL)::int AS unread, ' +
    'count(*) FILTER (WHERE n.seen_at IS NULL)::int AS unseen',
);

/** The counts of the notifications `condition` (on `notifications AS n`, see filterSql) selects. */
export async function countView(db: Reader, condition: Prisma.Sql): Promise<NotificationCounts> {
  const [counts] = await queryRows<NotificationCounts>(
    db,
    Prisma.sql`SELECT ${COUNT_COLUMNS} FROM notifications AS n WHERE ${condition}`,
  );
  return counts!;
}
