-- Hand-written: the rule of which notifications a view shows, and the counts of the default view, defined
-- once here for the queries of src/notifications (filter.ts, changelog.ts) and for notification_create.
-- Each function is a single SQL expression or query that PostgreSQL inlines into the query calling it, so
-- the calling query plans as if the condition were written out in it (same indexes, same estimates). They
-- are declared PARALLEL SAFE because the planner decides on parallel plans before it inlines them.
-- The offline migration runner splits a script at every semicolon, quoted or not: these bodies have none,
-- and notification_create writes each of its own as the octal escape 073.

-- Whether where a notification stands puts it in a view, as of `at`. An expired one is in no view, even
-- before the expiry job deletes it. A snoozed one is only in snoozed views, until the wake-up job
-- resurfaces it (clearing snoozed_until in the transaction that logs its RESURFACED change), not merely
-- until its time: in between it would show in its old state, unannounced. An archived one is in a view
-- when `archived` is true or null (true: only archived ones, false: none, null: either).
-- What it is (type, category, metadata...) is the rest of the filter, in src/notifications/filter.ts.
CREATE FUNCTION notification_in_view(n notifications, at timestamptz, snoozed boolean, archived boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (n.expires_at IS NULL OR n.expires_at > at)
    AND (n.snoozed_until IS NOT NULL) = snoozed
    AND (archived IS NULL OR (n.status = 'ARCHIVED') = archived)
$$;

-- The inbox as it opens: neither archived, snoozed nor expired.
CREATE FUNCTION notification_in_default_view(n notifications, at timestamptz)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT notification_in_view(n, at, false, false)
$$;

-- The counts of the default view as of `at` of each of these users, as every change-log entry carries
-- them: total, unread (read_at is null) and unseen (seen_at is null, what the badge shows). A row for each
-- user given, with zeros for one who has none. One scan for all of them, however many: a broadcast counts
-- a thousand recipients in one go.
CREATE FUNCTION notification_counts(user_ids varchar[], at timestamptz)
RETURNS TABLE (user_id varchar, total integer, unread integer, unseen integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT u.user_id, coalesce(c.total, 0), coalesce(c.unread, 0), coalesce(c.unseen, 0)
  FROM unnest(user_ids) AS u (user_id) LEFT JOIN (
    SELECT n.user_id, count(*)::int AS total, count(*) FILTER (WHERE n.read_at IS NULL)::int AS unread,
      count(*) FILTER (WHERE n.seen_at IS NULL)::int AS unseen
    FROM notifications AS n
    WHERE n.user_id = ANY(user_ids) AND notification_in_default_view(n, at)
    GROUP BY n.user_id
  ) AS c USING (user_id)
$$;

-- notification_create as in 20261202010000_snoozed_until_resurfaced, but counting through notification_counts.
CREATE OR REPLACE FUNCTION notification_create(
  p_id uuid, p_user_id varchar, p_title varchar, p_message varchar, p_type "NotificationType", p_metadata jsonb,
  p_related_session_id varchar, p_idempotency_key varchar, p_category varchar, p_event_type varchar,
  p_expires_at timestamptz
) RETURNS TABLE (
  "createdAt" timestamptz, "updatedAt" timestamptz, "addedAt" bigint,
  total integer, unread integer, unseen integer, "loggedAt" timestamptz
) LANGUAGE plpgsql AS E'
DECLARE
  v_position bigint\073
  v_created timestamptz\073
  v_updated timestamptz\073
  v_total integer\073
  v_unread integer\073
  v_unseen integer\073
  v_logged timestamptz\073
BEGIN
  IF p_idempotency_key IS NOT NULL THEN
    INSERT INTO notification_keys (user_id, key, notification_id) VALUES (p_user_id, p_idempotency_key, p_id)
    ON CONFLICT (user_id, key) DO NOTHING\073
    IF NOT FOUND THEN
      RETURN\073
    END IF\073
  END IF\073

  INSERT INTO notification_streams AS s (user_id, position) VALUES (p_user_id, 1)
  ON CONFLICT (user_id) DO UPDATE SET position = s.position + 1
  RETURNING s.position INTO v_position\073

  INSERT INTO notifications (id, user_id, title, message, type, metadata, related_session_id, idempotency_key,
    category, event_type, expires_at, position, updated_at)
  VALUES (p_id, p_user_id, p_title, p_message, p_type, p_metadata, p_related_session_id, p_idempotency_key,
    p_category, p_event_type, p_expires_at, v_position, now())
  RETURNING created_at, updated_at INTO v_created, v_updated\073

  SELECT c.total, c.unread, c.unseen INTO v_total, v_unread, v_unseen FROM notification_counts(ARRAY[p_user_id], now()) AS c\073

  INSERT INTO notification_changes (user_id, position, kind, notification_id, count, total_count, unread_count, unseen_count)
  VALUES (p_user_id, v_position, \'ADDED\', p_id, 1, v_total, v_unread, v_unseen)
  RETURNING created_at INTO v_logged\073

  RETURN QUERY SELECT v_created, v_updated, v_position, v_total, v_unread, v_unseen, v_logged\073
END\073
';
