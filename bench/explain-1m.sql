-- 1,000,000 notifications over 10,000 users, then the plans of the queries the API runs.
-- Usage (on a scratch database): DATABASE_URL=postgresql://postgres@127.0.0.1:5432/scratch npm run db:migrate
--                                psql postgresql://postgres@127.0.0.1:5432/scratch -f bench/explain-1m.sql
TRUNCATE notifications;
INSERT INTO notifications (id, user_id, title, message, type, status, metadata, created_at, updated_at)
SELECT
  -- UUIDv7-shaped ids in creation order: 48-bit milliseconds, version 7, variant 8.
  (lpad(to_hex(1700000000000 + g), 12, '0') || '7000' || '8000' || lpad(to_hex(g), 12, '0'))::uuid,
  'user-' || (g % 10000),
  'Transcription ready ' || g,
  'Your transcription is ready to view',
  (ARRAY['SUCCESS', 'ERROR', 'INFO', 'WARNING'])[1 + g % 4]::"NotificationType",
  (ARRAY['UNREAD', 'READ', 'READ', 'ARCHIVED'])[1 + (g / 7) % 4]::"NotificationStatus",
  '{}', now() - make_interval(secs => 1000000 - g), now()
FROM generate_series(1, 1000000) AS g;
VACUUM ANALYZE notifications;

\echo '--- notifications(first: 20): the first page'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM notifications WHERE user_id = 'user-4242' AND status IN ('UNREAD', 'READ') ORDER BY id DESC LIMIT 21;
\echo '--- notifications(first: 20, after: cursor): a later page'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM notifications
WHERE user_id = 'user-4242' AND status IN ('UNREAD', 'READ')
  AND id < (SELECT id FROM notifications WHERE user_id = 'user-4242' ORDER BY id LIMIT 1 OFFSET 5)
ORDER BY id DESC LIMIT 21;
\echo '--- totalCount'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*) FROM notifications WHERE user_id = 'user-4242' AND status IN ('UNREAD', 'READ');
\echo '--- unreadCount'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT count(*), max(created_at) FROM notifications WHERE user_id = 'user-4242' AND status = 'UNREAD';
\echo '--- markAllRead'
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF)
UPDATE notifications SET status = 'READ', read_at = now() WHERE user_id = 'user-4242' AND status = 'UNREAD';
ROLLBACK;
\echo '--- idempotency key lookup'
EXPLAIN (ANALYZE, COSTS OFF)
SELECT * FROM notifications WHERE user_id = 'user-4242' AND idempotency_key = 'k';
