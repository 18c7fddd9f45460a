-- CreateEnum
CREATE TYPE "NotificationPriority" AS ENUM ('LOW', 'NORMAL', 'HIGH', 'URGENT');

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "priority" "NotificationPriority" NOT NULL DEFAULT 'NORMAL';

-- Hand-written: notification_create as in 20261202020000_view_rule_in_sql, with the notification's priority (NORMAL when left out).
DROP FUNCTION notification_create(uuid, varchar, varchar, varchar, "NotificationType", jsonb, varchar, varchar, varchar, varchar, timestamptz);

CREATE FUNCTION notification_create(
  p_id uuid, p_user_id varchar, p_title varchar, p_message varchar, p_type "NotificationType", p_metadata jsonb,
  p_related_session_id varchar, p_idempotency_key varchar, p_category varchar, p_event_type varchar,
  p_expires_at timestamptz, p_priority "NotificationPriority" DEFAULT 'NORMAL'
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
    category, event_type, expires_at, priority, position, updated_at)
  VALUES (p_id, p_user_id, p_title, p_message, p_type, p_metadata, p_related_session_id, p_idempotency_key,
    p_category, p_event_type, p_expires_at, p_priority, v_position, now())
  RETURNING created_at, updated_at INTO v_created, v_updated\073

  SELECT c.total, c.unread, c.unseen INTO v_total, v_unread, v_unseen FROM notification_counts(ARRAY[p_user_id], now()) AS c\073

  INSERT INTO notification_changes (user_id, position, kind, notification_id, count, total_count, unread_count, unseen_count)
  VALUES (p_user_id, v_position, \'ADDED\', p_id, 1, v_total, v_unread, v_unseen)
  RETURNING created_at INTO v_logged\073

  RETURN QUERY SELECT v_created, v_updated, v_position, v_total, v_unread, v_unseen, v_logged\073
END\073
';
