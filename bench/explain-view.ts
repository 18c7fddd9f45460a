// EXPLAIN (ANALYZE, BUFFERS) of the list page, the counts and the change log's counts, built by the app's own
// code (filterSql, COUNT_COLUMNS, notification_counts), each run RUNS times (median time, last plan).
// Usage, on a loaded scratch database (bench/explain-1m.sql loads one):
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/scratch npx tsx bench/explain-view.ts [user-4242]
import pg from 'pg';
import { Prisma } from '../src/generated/prisma/client.js';
import { COUNT_COLUMNS } from '../src/notifications/counts.js';
import { filterSql, type NotificationFilter } from '../src/notifications/filter.js';
import { NOTIFICATION_COLUMNS } from '../src/notifications/rows.js';

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
const now = new Date();
const user = process.argv[2] ?? 'user-4242';
const listSql = (filter: NotificationFilter) => Prisma.sql`
  SELECT p.* FROM (SELECT ${user}::varchar AS id OFFSET 0) AS viewer, LATERAL (
    SELECT ${NOTIFICATION_COLUMNS} FROM notifications AS n
    WHERE ${filterSql(Prisma.sql`viewer.id`, filter, now)}
    ORDER BY n.id DESC LIMIT ${21}
  ) AS p ORDER BY p.id DESC`;
const countSql = (filter: NotificationFilter) =>
  Prisma.sql`SELECT ${COUNT_COLUMNS} FROM notifications AS n WHERE ${filterSql(user, filter, now)}`;
const queries: Array<[string, Prisma.Sql]> = [
  ['list, default view', listSql({})],
  ['list, status READ', listSql({ status: 'READ' })],
  ['list, archived', listSql({ archived: true })],
  ['counts, default view', countSql({})],
  ['counts, unseen INFO', countSql({ seen: false, types: ['INFO'] })],
  [
    'unreadCount',
    Prisma.sql`SELECT count(*)::int AS count, max(created_at) AS last FROM notifications AS n
      WHERE ${filterSql(user, {}, now)} AND n.read_at IS NULL`,
  ],
  [
    'change log counts (3 users)',
    Prisma.sql`SELECT * FROM notification_counts(${[user, 'user-1', 'user-2']}::varchar[], ${now}::timestamptz)`,
  ],
  [
    'change log counts (1 user)',
    Prisma.sql`SELECT * FROM notification_counts(${[user]}::varchar[], ${now}::timestamptz)`,
  ],
  [
    'notification_create counts',
    Prisma.sql`SELECT c.total, c.unread, c.unseen FROM notification_counts(ARRAY[${user}]::varchar[], now()) AS c`,
  ],
];
const runs = Number(process.env.RUNS ?? 5);
for (const [name, sql] of queries) {
  let plan = '';
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql.text}`, sql.values);
    plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    times.push(Number(/Execution Time: ([\d.]+)/.exec(plan)![1]));
  }
  times.sort((a, b) => a - b);
  console.log(`\n--- ${name}: median ${times[Math.floor(runs / 2)]} ms over ${runs}\n${plan}`);
}
await client.end();
