// A read plan as one SQL statement that builds the response's `data` in PostgreSQL, as PostGraphile does: the
// rows are those NotificationService reads (the same SQL, src/notifications/list-query.ts), and each value is
// what the schema's resolvers and scalars make of them (a global id, an ISO 8601 instant in UTC, a JSON
// object). Arguments are coerced and checked by the same functions as Yoga's path: any that would be refused
// throws, and the request is left to Yoga, which refuses it with its own error.
import { getArgumentValues } from 'graphql';
import { Prisma } from '../generated/prisma/client.js';
import { COUNT_COLUMNS } from '../notifications/counts.js';
import { checkFilter, filterSql } from '../notifications/filter.js';
import { listQuery } from '../notifications/list-query.js';
import { toFilter } from '../schema/filter.js';
import { parseNotificationGlobalId } from '../schema/global-id.js';
import { checkStorableArguments } from '../validation/storable-arguments.js';
import { NOTIFICATION_FIELDS, type NotificationField } from './fields.js';
import type { ReadPlan, RootRead, Selected } from './plan.js';

type Variables = Record<string, unknown>;

/** A GraphQL name as an SQL literal: names are letters, digits and underscores, so it needs no escaping. */
const literal = (name: string) => Prisma.raw(`'${name}'`);

/** A key and its value, as json_build_object takes them. */
const pair = (key: string, value: Prisma.Sql) => Prisma.sql`${literal(key)}, ${value}`;

const object = (pairs: Prisma.Sql[]) =>
  pairs.length ? Prisma.sql`json_build_object(${Prisma.join(pairs, ', ')})` : Prisma.sql`'{}'::json`;

/** Pothos's encodeGlobalID: base64 of `Notification:<id>` (base64 lines break at 76 characters; ids never reach it). */
const GLOBAL_ID = Prisma.raw(`encode(convert_to('Notification:' || p.id::text, 'UTF8'), 'base64')`);

/** graphql-scalars' DateTime of a timestamptz(3): toISOString(). */
const instant = (column: string) =>
  Prisma.raw(`to_char(p."${column}" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

function notificationField({ name }: Selected): Prisma.Sql {
  const kind = NOTIFICATION_FIELDS[name as NotificationField];
  if (kind === 'globalId') return GLOBAL_ID;
  if (kind === 'instant') return instant(name);
  // Columns as NOTIFICATION_COLUMNS names them: strings, enums (their names) and metadata (jsonb).
  return Prisma.raw(`p."${name}"`);
}

const typename = (name: string) => Prisma.sql`${literal(name)}::text`;

function nodeOf(selections: Selected[]): Prisma.Sql {
  return object(
    selections.map((field) =>
      pair(field.key, field.name === '__typename' ? typename('Notification') : notificationField(field)),
    ),
  );
}

/** The field's arguments as its resolver gets them, checked as the storableArguments plugin checks them. */
function argumentsOf(root: RootRead, variables: Variables) {
  const args = getArgumentValues(root.definition!, root.node, variables);
  checkStorableArguments(root.definition!, args);
  return args;
}

function connection(userId: string, root: RootRead, variables: Variables, now: Date): Prisma.Sql {
  const args = argumentsOf(root, variables) as Record<string, never>;
  const { page, view, rows } = listQuery(
    userId,
    {
      ...args,
      filter: toFilter(args.filter),
      after: args.after != null ? parseNotificationGlobalId(args.after, 'after') : undefined,
      before: args.before != null ? parseNotificationGlobalId(args.before, 'before') : undefined,
    },
    now,
  );
  const inPage = Prisma.sql`p.rn <= ${page.size}`;
  const hasMore = Prisma.sql`count(*) > ${page.size}`;
  const flag = (value: boolean) => Prisma.raw(String(value));
  const cursorAt = (order: 'ASC' | 'DESC') =>
    Prisma.sql`(array_agg(${GLOBAL_ID} ORDER BY p.id ${Prisma.raw(order)}) FILTER (WHERE ${inPage}))[1]`;
  const pageInfoField = ({ key, name }: Selected): Prisma.Sql => {
    switch (name) {
      case 'hasNextPage':
        return pair(key, page.backwards ? flag(page.before !== undefined) : hasMore);
      case 'hasPreviousPage':
        return pair(key, page.backwards ? hasMore : flag(page.after !== undefined));
      case 'startCursor':
        return pair(key, cursorAt('DESC'));
      case 'endCursor':
        return pair(key, cursorAt('ASC'));
      default:
        return pair(key, typename('PageInfo'));
    }
  };
  const edgeField = ({ key, name, selections }: Selected): Prisma.Sql => {
    if (name === 'cursor') return pair(key, GLOBAL_ID);
    if (name === 'node') return pair(key, nodeOf(selections));
    return pair(key, typename('NotificationEdge'));
  };
  const field = ({ key, name, selections }: Selected): Prisma.Sql => {
    switch (name) {
      case 'totalCount':
        return pair(key, Prisma.sql`(SELECT count(*)::int FROM notifications AS n WHERE ${view})`);
      case 'edges':
        return pair(
          key,
          Prisma.sql`coalesce(json_agg(${object(selections.map(edgeField))} ORDER BY p.id DESC) FILTER (WHERE ${inPage}), '[]'::json)`,
        );
      case 'pageInfo':
        return pair(key, object(selections.map(pageInfoField)));
      default:
        return pair(key, typename('NotificationConnection'));
    }
  };
  // The page's rows numbered in reading order: the first `size` are the page, one more says there is more.
  return Prisma.sql`(SELECT ${object(root.selections.map(field))} FROM (
    SELECT rows.*, row_number() OVER (ORDER BY rows.id ${Prisma.raw(page.backwards ? 'ASC' : 'DESC')}) AS rn
    FROM (${rows}) AS rows) AS p)`;
}

function counts(userId: string, root: RootRead, variables: Variables, now: Date): Prisma.Sql {
  const args = argumentsOf(root, variables) as { filter?: never };
  const view = filterSql(userId, checkFilter(toFilter(args.filter), 'filter'), now);
  const fields = root.selections.map(({ key, name }) =>
    pair(key, name === '__typename' ? typename('NotificationCounts') : Prisma.raw(`c.${name}`)),
  );
  return Prisma.sql`(SELECT ${object(fields)} FROM (SELECT ${COUNT_COLUMNS} FROM notifications AS n WHERE ${view}) AS c)`;
}

/**
 * The statement answering `plan` for the user, whose one row's `data` is the response's data as JSON text.
 * Throws what Yoga's path would refuse the arguments with.
 */
export function readStatement(plan: ReadPlan, userId: string, variables: Variables, now = new Date()): Prisma.Sql {
  const roots = plan.roots.map((root) => {
    if (root.kind === 'notifications') return pair(root.key, connection(userId, root, variables, now));
    if (root.kind === 'counts') return pair(root.key, counts(userId, root, variables, now));
    return pair(root.key, typename('Query'));
  });
  return Prisma.sql`SELECT ${object(roots)}::text AS data`;
}
