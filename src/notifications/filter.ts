// One filter for every view of the inbox: the list, the counts, the bulk actions and the streams.
// It reads the same in SQL (through Prisma) and in memory (for events), and a test holds the two together.
import { isDeepStrictEqual } from 'node:util';
import { badUserInput } from '../errors.js';
import { type Notification, Prisma } from '../generated/prisma/client.js';
import type { NotificationPriority, NotificationStatus, NotificationType } from '../generated/prisma/enums.js';

export interface MetadataCondition {
  key: string;
  /** Any JSON but null (checkFilter refuses null). */
  value?: unknown;
}

export interface NotificationFilter {
  status?: NotificationStatus | null;
  statuses?: NotificationStatus[] | null;
  types?: NotificationType[] | null;
  priorities?: NotificationPriority[] | null;
  /** true: only seen ones; false: only unseen ones. */
  seen?: boolean | null;
  /** true: only archived ones. By default archived ones are left out, unless a status asks for them. */
  archived?: boolean | null;
  /** true: only snoozed ones (until they resurface). By default snoozed ones are left out until they resurface. */
  snoozed?: boolean | null;
  relatedSessionId?: string | null;
  category?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  /** Every condition must hold: the metadata's top-level `key` equals `value`. */
  metadata?: MetadataCondition[] | null;
}

const MAX_METADATA_CONDITIONS = 10;

/** The filter, checked; a BAD_USER_INPUT error naming the offending part otherwise. */
export function checkFilter(filter: NotificationFilter | null | undefined, field = 'filter'): NotificationFilter {
  if (!filter) return {};
  if (filter.status && filter.statuses) throw badUserInput(`${field}.statuses`, 'cannot be combined with status');
  if (filter.createdAfter && filter.createdBefore && filter.createdAfter >= filter.createdBefore) {
    throw badUserInput(`${field}.createdBefore`, 'must be later than createdAfter');
  }
  const metadata = filter.metadata ?? [];
  if (metadata.length > MAX_METADATA_CONDITIONS) {
    throw badUserInput(`${field}.metadata`, `takes at most ${MAX_METADATA_CONDITIONS} conditions`);
  }
  for (const [i, condition] of metadata.entries()) {
    if (!condition.key || condition.key.length > 255) {
      throw badUserInput(`${field}.metadata.${i}.key`, 'must be 1 to 255 characters');
    }
    if (condition.value === null || condition.value === undefined) {
      throw badUserInput(`${field}.metadata.${i}.value`, 'must not be null');
    }
  }
  return filter;
}

const statusesOf = (filter: NotificationFilter): NotificationStatus[] | undefined =>
  filter.status ? [filter.status] : (filter.statuses ?? undefined);

/** Whether archived ones are in view: asked for outright, or through a status. */
function archivedInView(filter: NotificationFilter): boolean | undefined {
  if (filter.archived != null) return filter.archived;
  return statusesOf(filter)?.includes('ARCHIVED') ? undefined : false;
}

/** A boolean of the filter as an SQL literal (null: either), so that the plan is made knowing it. */
const flag = (value: boolean | undefined) => Prisma.raw(value === undefined ? 'NULL' : String(value));

/**
 * The filter as an SQL condition on `notifications AS n` for the user (or these users, or the user an SQL
 * expression names), as of `now`. Where a notification stands (expired, snoozed, archived) is decided by the
 * database's `notification_in_view`, the rule notification_create counts by (see its migration). Raw SQL
 * rather than a Prisma `where`: the inbox's hottest queries cost a third as much without Prisma's query
 * compiler.
 */
export function filterSql(
  userId: string | readonly string[] | Prisma.Sql,
  filter: NotificationFilter,
  now: Date,
): Prisma.Sql {
  const statuses = statusesOf(filter);
  const conditions: Prisma.Sql[] = [
    Array.isArray(userId)
      ? Prisma.sql`n.user_id = ANY(${[...userId]}::varchar[])`
      : Prisma.sql`n.user_id = ${userId as string | Prisma.Sql}`,
    Prisma.sql`notification_in_view(n, ${now}::timestamptz, ${flag(Boolean(filter.snoozed))}, ${flag(archivedInView(filter))})`,
  ];
  if (statuses) conditions.push(Prisma.sql`n.status = ANY(${statuses}::"NotificationStatus"[])`);
  if (filter.types) conditions.push(Prisma.sql`n.type = ANY(${filter.types}::"NotificationType"[])`);
  if (filter.priorities) conditions.push(Prisma.sql`n.priority = ANY(${filter.priorities}::"NotificationPriority"[])`);
  if (filter.seen != null)
    conditions.push(filter.seen ? Prisma.sql`n.seen_at IS NOT NULL` : Prisma.sql`n.seen_at IS NULL`);
  if (filter.relatedSessionId != null) conditions.push(Prisma.sql`n.related_session_id = ${filter.relatedSessionId}`);
  if (filter.category != null) conditions.push(Prisma.sql`n.category = ${filter.category}`);
  if (filter.createdAfter) conditions.push(Prisma.sql`n.created_at > ${filter.createdAfter}::timestamptz`);
  if (filter.createdBefore) conditions.push(Prisma.sql`n.created_at < ${filter.createdBefore}::timestamptz`);
  for (const { key, value } of filter.metadata ?? []) {
    conditions.push(Prisma.sql`n.metadata -> ${key} = ${JSON.stringify(value)}::jsonb`);
  }
  return Prisma.join(conditions, ' AND ');
}

/**
 * The same filter, for one notification in memory (events on their way to a stream); its states part is
 * `notification_in_view` written again, and test/notifications/view-rule.test.ts holds the two together. With `states: false`
 * only what the notification is counts (types, category, session, metadata, creation time), not where it
 * stands (status, seen, archived, snoozed, expired): a view that follows changes wants every change of its
 * notifications, including those that move them out of it.
 */
export function matchesFilter(
  notification: Notification,
  filter: NotificationFilter,
  now: Date,
  { states = true }: { states?: boolean } = {},
): boolean {
  const metadata = (notification.metadata ?? {}) as Record<string, unknown>;
  const identity =
    (!filter.types || filter.types.includes(notification.type)) &&
    (!filter.priorities || filter.priorities.includes(notification.priority)) &&
    (filter.relatedSessionId == null || filter.relatedSessionId === notification.relatedSessionId) &&
    (filter.category == null || filter.category === notification.category) &&
    (!filter.createdAfter || notification.createdAt > filter.createdAfter) &&
    (!filter.createdBefore || notification.createdAt < filter.createdBefore) &&
    (filter.metadata ?? []).every(
      ({ key, value }) => Object.hasOwn(metadata, key) && isDeepStrictEqual(metadata[key], value),
    );
  if (!identity || !states) return identity;
  const statuses = statusesOf(filter);
  const archived = archivedInView(filter);
  return (
    (notification.expiresAt === null || notification.expiresAt > now) &&
    (notification.snoozedUntil !== null) === Boolean(filter.snoozed) &&
    (!statuses || statuses.includes(notification.status)) &&
    (archived === undefined || archived === (notification.status === 'ARCHIVED')) &&
    (filter.seen == null || filter.seen === (notification.seenAt !== null))
  );
}
