// The raw baseline of the list: node:http and pg, the same auth (jose HS256), the same rows and
// totalCount as the app's `notifications(first: 20)`, as JSON. What the engines allow without a framework.
import { createServer } from 'node:http';
import { jwtVerify } from 'jose';
import pg from 'pg';

const { DATABASE_URL, PORT, JWT_SECRET, DATABASE_POOL_SIZE } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: Number(DATABASE_POOL_SIZE ?? 10) });
const secret = new TextEncoder().encode(JWT_SECRET);

const ROWS = `SELECT id, title, message, type, status, created_at FROM notifications
  WHERE user_id = $1 AND status IN ('UNREAD', 'READ') ORDER BY id DESC LIMIT $2`;
const COUNT = `SELECT count(*)::int AS count FROM notifications WHERE user_id = $1 AND status IN ('UNREAD', 'READ')`;

interface Row {
  id: string;
  title: string;
  message: string;
  type: string;
  status: string;
  created_at: Date;
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
    const first = 20;
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
    const body = JSON.stringify({ data: { notifications: { totalCount: count.rows[0]!.count, edges } } });
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
