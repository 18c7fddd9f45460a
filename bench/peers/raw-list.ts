// The raw baselines of the reads: node:http and pg, the same auth (jose HS256), the same rows, totalCount and
// counts as the app's `notifications(first: 20)` and `counts { unread unseen }` (the default view: neither
// archived, snoozed, scheduled nor expired), as JSON. What the engines allow without a framework:
// - GET /notifications?first=20: the page and its count as two parallel queries, the JSON built in Node;
// - GET /notifications.json?first=20: one statement that builds the whole response body in PostgreSQL
//   (json_build_object of the count and a json_agg of the rows), which Node passes through: the physical limit;
// - GET /counts: unread and unseen in one statement, JSON built in PostgreSQL.
import { createServer } from 'node:http';
import { jwtVerify } from 'jose';
import pg from 'pg';

const { DATABASE_URL, PORT, JWT_SECRET, DATABASE_POOL_SIZE } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: Number(DATABASE_POOL_SIZE ?? 10) });
const secret = new TextEncoder().encode(JWT_SECRET);

// The app's default view, predicate for predicate, so that the partial index notifications_default_view_idx
// answers it as it answers the app's (without `send_at IS NULL`, PostgreSQL cannot use it: every count read the table).
const VIEW = `user_id = $1 AND status <> 'ARCHIVED' AND snoozed_until IS NULL AND send_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;
const ROWS = `SELECT id, title, message, type, status, created_at FROM notifications WHERE ${VIEW} ORDER BY id DESC LIMIT $2`;
const COUNT = `SELECT count(*)::int AS count FROM notifications WHERE ${VIEW}`;
const CURSOR = `encode(convert_to('Notification:' || p.id, 'UTF8'), 'base64')`;
const JSON_PAGE = `SELECT json_build_object('data', json_build_object('notifications', json_build_object(
    'totalCount', (SELECT count(*) FROM notifications WHERE ${VIEW}),
    'edges', coalesce((SELECT json_agg(json_build_object('cursor', ${CURSOR}, 'node', json_build_object(
        'id', ${CURSOR}, 'title', p.title, 'message', p.message, 'type', p.type, 'status', p.status,
        'createdAt', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      )) ORDER BY p.id DESC) FROM (${ROWS}) AS p), '[]'::json)
  )))::text AS body`;
const COUNTS = `SELECT json_build_object('data', json_build_object('counts', json_build_object(
    'unread', count(*) FILTER (WHERE read_at IS NULL), 'unseen', count(*) FILTER (WHERE seen_at IS NULL)
  )))::text AS body FROM notifications WHERE ${VIEW}`;

interface Row {
  id: string;
  title: string;
  message: string;
  type: string;
  status: string;
  created_at: Date;
}

async function twoQueries(userId: string, first: number): Promise<string> {
  const [rows, count] = await Promise.all([
    pool.query<Row>(ROWS, [userId, first + 1]),
    pool.query<{ count: number }>(COUNT, [userId]),
  ]);
  const edges = rows.rows.slice(0, first).map((row) => ({
    cursor: Buffer.from(`Notification:${row.id}`).toString('base64'),
    node: {
      id: Buffer.from(`Notification:${row.id}`).toString('base64'),
      title: row.title,
      message: row.message,
      type: row.type,
      status: row.status,
      createdAt: row.created_at.toISOString(),
    },
  }));
  return JSON.stringify({ data: { notifications: { totalCount: count.rows[0]!.count, edges } } });
}

const server = createServer(async (request, response) => {
  try {
    if (request.url === '/health') return void response.end('ok');
    const token = request.headers.authorization?.slice('Bearer '.length) ?? '';
    let userId: string;
    try {
      userId = (await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] })).payload.sub!;
    } catch {
      response.writeHead(401).end();
      return;
    }
    const path = request.url?.split('?')[0];
    const body =
      path === '/notifications.json'
        ? (await pool.query<{ body: string }>({ name: 'page', text: JSON_PAGE, values: [userId, 20] })).rows[0]!.body
        : path === '/counts'
          ? (await pool.query<{ body: string }>({ name: 'counts', text: COUNTS, values: [userId] })).rows[0]!.body
          : await twoQueries(userId, 20);
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  } catch (error) {
    response.writeHead(500).end(String(error));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void pool.end().then(() => process.exit(0));
});
