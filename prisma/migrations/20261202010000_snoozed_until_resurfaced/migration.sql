-- Hand-written: notification_create counts the default view as src/notifications/filter.ts now has it: a
-- snoozed notification stays out of it until the wake-up job resurfaces it (clearing snoozed_until in the
-- transaction that logs its RESURFACED change), not merely until its time has passed. Otherwise the counts
-- of an ADDED change could include it, read and seen, before it was announced.
-- As in 20261122043000_create_in_one_round_trip, each semicolon of the body is written as the octal escape
-- 073: the offline migration runner splits a script at every semicolon.
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

  SELECT count(*)::int, count(*) FILTER (WHERE n.read_at IS NULL)::int, count(*) FILTER (WHERE n.seen_at IS NULL)::int
  INTO v_total, v_unread, v_unseen
  FROM notifications AS n
  WHERE n.user_id = p_user_id AND n.status <> \'ARCHIVED\'
    AND n.snoozed_until IS NULL
    AND (n.expires_at IS NULL OR n.expires_at > now())\073

  INSERT INTO notification_changes (user_id, position, kind, notification_id, count, total_count, unread_count, unseen_count)
  VALUES (p_user_id, v_position, \'ADDED\', p_id, 1, v_total, v_unread, v_unseen)
  RETURNING created_at INTO v_logged\073

  RETURN QUERY SELECT v_created, v_updated, v_position, v_total, v_unread, v_unseen, v_logged\073
END\073
';
