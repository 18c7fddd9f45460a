// The dataset: notifications spread over users, plus one "deep" user with a long history, streamed into
// PostgreSQL with COPY, with the change log (one ADDED change per notification, positions 1..n per user)
// and each user's stream position filled consistently, since the app reads both.
// Indexes are dropped for the load and rebuilt from their own definitions afterwards: faster than
// maintaining them row by row, and whatever the migrations define is what gets rebuilt.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { benchDependency, type PgCopyStreams } from './deps.js';
import { DEEP_USER, userIdOf } from './tokens.js';

export interface DatasetSize {
  users: number;
  /** Notifications over `users`, round-robin: each user gets rows / users. */
  rows: number;
  /** Notifications of DEEP_USER, all listed (UNREAD or READ), for the deep-page benchmark. */
  deepRows: number;
}

export interface LoadTimes {
  copyMs: number;
  indexMs: number;
  analyzeMs: number;
  rows: number;
}

const TABLES = ['notifications', 'notification_changes', 'notification_streams'];
const TYPES = ['SUCCESS', 'ERROR', 'INFO', 'WARNING'] as const;
const EVENTS = [
  ['transcription.completed', 'transcription'],
  ['transcription.failed', 'transcription'],
  ['comment.mention', 'collaboration'],
  ['system.warning', 'system'],
] as const;
const CHUNK_ROWS = 5_000;
const DAY = 24 * 3600 * 1000;

/** A UUIDv7-shaped id whose time part is `millis`: id order is creation order, as the app's ids are. */
function uuidv7(millis: number, sequence: number): string {
  const time = millis.toString(16).padStart(12, '0');
  const tail = sequence.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7000-8000-${tail}`;
}

/** A fraction in [0, 1) that depends only on `g` and `salt`: the dataset is the same on every run. */
function hash(g: number, salt: number): number {
  let x = Math.imul(g ^ Math.imul(salt, 0x9e3779b1), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

interface Row {
  id: string;
  userId: string;
  status: 'UNREAD' | 'READ' | 'ARCHIVED';
  type: string;
  event: (typeof EVENTS)[number];
  createdAt: string;
  readAt: string | null;
  seenAt: string | null;
  archivedAt: string | null;
  snoozedUntil: string | null;
  expiresAt: string | null;
  position: number;
  /** The user's counts of the default view right after this row was added, as the change log keeps them. */
  counts: { total: number; unread: number; unseen: number };
}

/**
 * Every row in creation order: first the spread rows, then the deep user's. The spread users' rows look like
 * an inbox in use: of each user's history the older part is mostly read and seen, the newest fifth half
 * unread; 15 % archived, 3 % snoozed (until days from now), 10 % expiring (in 30 days: the expiry job deletes
 * past ones within a second, so a live table holds next to none), metadata as producers send it. The deep
 * user's rows are all in the default view (the deep-page benchmark walks all of them), half read.
 */
function* rows({ users, rows: spread, deepRows }: DatasetSize, startMillis: number, now: number): Generator<Row> {
  const counts = new Map<string, { total: number; unread: number; unseen: number }>();
  const perUser = Math.max(1, Math.floor(spread / users));
  const total = spread + deepRows;
  const iso = (millis: number) => new Date(millis).toISOString();
  for (let g = 0; g < total; g++) {
    const deep = g >= spread;
    const userId = deep ? DEEP_USER : userIdOf(g % users);
    const millis = startMillis + g;
    const age = deep ? 0 : Math.floor(g / users) / perUser; // 0 the oldest of the user's rows, → 1 the newest
    const state = hash(g, 1);
    let status: Row['status'];
    let snoozed = false;
    if (deep) status = Math.floor(g / 7) % 2 ? 'READ' : 'UNREAD';
    else if (state < 0.15) status = 'ARCHIVED';
    else {
      snoozed = state < 0.18;
      status = hash(g, 2) < (age > 0.8 ? 0.5 : 0.1) ? 'UNREAD' : 'READ';
    }
    const read = status !== 'UNREAD';
    const seen = read || hash(g, 3) < 0.6;
    const expiring = !deep && hash(g, 4) < 0.1;
    const inView = status !== 'ARCHIVED' && !snoozed;
    const user = counts.get(userId) ?? { total: 0, unread: 0, unseen: 0 };
    if (inView) {
      user.total++;
      if (!read) user.unread++;
      if (!seen) user.unseen++;
    }
    counts.set(userId, user);
    yield {
      id: uuidv7(millis, g),
      userId,
      status,
      type: TYPES[g % 4]!,
      event: EVENTS[g % 4]!,
      createdAt: iso(millis),
      readAt: read ? iso(millis + 60_000) : null,
      seenAt: seen ? iso(millis + 30_000) : null,
      archivedAt: status === 'ARCHIVED' ? iso(millis + 90_000) : null,
      snoozedUntil: snoozed ? iso(now + (1 + Math.floor(hash(g, 5) * 30)) * DAY) : null,
      expiresAt: expiring ? iso(now + 30 * DAY) : null,
      position: deep ? g - spread + 1 : Math.floor(g / users) + 1,
      counts: { ...user },
    };
  }
}

const nullable = (value: string | null) => value ?? '\\N';

/** The notification as a line of COPY text. */
function notificationLine(row: Row): string {
  const session = `session-${row.position}`;
  const metadata = JSON.stringify({
    sessionId: session,
    sessionTitle: `Weekly sync ${row.position}`,
    durationSeconds: 1800 + (row.position % 600),
    segmentsCount: 40 + (row.position % 20),
    actionUrl: `/sessions/${row.position}`,
  });
  return `${[
    row.id,
    row.userId,
    `Transcription ready ${row.position}`,
    `Your transcription 'Weekly sync ${row.position}' is ready to view`,
    row.type,
    row.status,
    metadata,
    session,
    row.event[1],
    row.event[0],
    row.position,
    row.createdAt,
    nullable(row.readAt),
    nullable(row.seenAt),
    nullable(row.archivedAt),
    nullable(row.snoozedUntil),
    nullable(row.expiresAt),
    row.createdAt,
  ].join('\t')}\n`;
}

function copyText(source: Generator<Row>, line: (row: Row) => string): Readable {
  return Readable.from(
    (function* () {
      let chunk: string[] = [];
      for (const row of source) {
        chunk.push(line(row));
        if (chunk.length === CHUNK_ROWS) {
          yield chunk.join('');
          chunk = [];
        }
      }
      if (chunk.length) yield chunk.join('');
    })(),
    { objectMode: false },
  );
}

async function copy(url: string, sql: string, text: Readable): Promise<void> {
  const copyStreams = benchDependency<PgCopyStreams>('pg-copy-streams');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Truncated in the same transaction, so COPY can write the rows frozen (no later hint-bit rewrite).
    await client.query(`TRUNCATE ${sql.slice(0, sql.indexOf(' '))}`);
    const sink = copyStreams.from(`COPY ${sql} FROM STDIN WITH (FREEZE)`);
    await pipeline(text, client.query(sink as never) as unknown as Writable);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

export async function loadDataset(url: string, size: DatasetSize): Promise<LoadTimes> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows: indexes } = await admin.query<{
      table: string;
      name: string;
      definition: string;
      constraint: string | null;
    }>(
      `SELECT t.relname AS table, i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition,
              (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                 WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype <> 'f') AS constraint
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY($1)`,
      [TABLES],
    );
    // Other tables' foreign keys into these (deliveries → notifications) hold their keys and forbid the
    // TRUNCATE: dropped for the load, added back after it.
    const { rows: foreignKeys } = await admin.query<{ table: string; name: string; definition: string }>(
      `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c
        WHERE c.contype = 'f' AND c.confrelid = ANY(SELECT oid FROM pg_class WHERE relname = ANY($1))`,
      [TABLES],
    );
    for (const key of foreignKeys) await admin.query(`ALTER TABLE ${key.table} DROP CONSTRAINT "${key.name}"`);
    for (const index of indexes) {
      await admin.query(
        index.constraint
          ? `ALTER TABLE "${index.table}" DROP CONSTRAINT "${index.name}"`
          : `DROP INDEX "${index.name}"`,
      );
    }

    const now = Date.now();
    const startMillis = now - (size.rows + size.deepRows) - 3_600_000;
    const copyStarted = performance.now();
    const lastPosition = new Map<string, number>();
    await Promise.all([
      copy(
        url,
        'notifications (id, user_id, title, message, type, status, metadata, related_session_id, category, event_type, position, created_at, read_at, seen_at, archived_at, snoozed_until, expires_at, updated_at)',
        copyText(rows(size, startMillis, now), notificationLine),
      ),
      copy(
        url,
        'notification_changes (user_id, position, kind, notification_id, count, total_count, unread_count, unseen_count, created_at)',
        copyText(rows(size, startMillis, now), (row) => {
          lastPosition.set(row.userId, row.position);
          const { total, unread, unseen } = row.counts;
          return `${row.userId}\t${row.position}\tADDED\t${row.id}\t1\t${total}\t${unread}\t${unseen}\t${row.createdAt}\n`;
        }),
      ),
    ]);
    await copy(
      url,
      'notification_streams (user_id, position)',
      Readable.from([[...lastPosition].map(([userId, position]) => `${userId}\t${position}\n`).join('')]),
    );
    const copyMs = performance.now() - copyStarted;

    const indexStarted = performance.now();
    // Two connections, one per core: each table's indexes are built by one of them.
    const byTable = groupBy(indexes);
    const builders = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    await Promise.all(builders.map((client) => client.connect()));
    const queues = [
      [...(byTable.get('notifications') ?? [])],
      [...(byTable.get('notification_changes') ?? []), ...(byTable.get('notification_streams') ?? [])],
    ];
    await Promise.all(
      builders.map(async (client, i) => {
        await client.query("SET maintenance_work_mem = '512MB'");
        for (const index of queues[i]!) {
          await client.query(
            index.constraint
              ? `ALTER TABLE "${index.table}" ADD CONSTRAINT "${index.name}" ${index.constraint}`
              : index.definition,
          );
        }
        await client.end();
      }),
    );
    for (const key of foreignKeys) {
      await admin.query(`ALTER TABLE ${key.table} ADD CONSTRAINT "${key.name}" ${key.definition}`);
    }
    const indexMs = performance.now() - indexStarted;
    const analyzeStarted = performance.now();
    await admin.query(`VACUUM ANALYZE ${TABLES.join(', ')}`);
    return { copyMs, indexMs, analyzeMs: performance.now() - analyzeStarted, rows: size.rows + size.deepRows };
  } finally {
    await admin.end();
  }
}

function groupBy<T extends { table: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.table, [...(groups.get(item.table) ?? []), item]);
  return groups;
}
