-- DropIndex
DROP INDEX "notifications_default_view_idx";

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "send_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "notifications_default_view_idx" ON "notifications"("user_id", "id" DESC, "expires_at", "read_at", "seen_at") WHERE (status <> 'ARCHIVED' AND snoozed_until IS NULL AND send_at IS NULL);

-- CreateIndex
CREATE INDEX "notifications_send_at_idx" ON "notifications"("send_at") WHERE (send_at IS NOT NULL);

-- CreateIndex
CREATE INDEX "deliveries_held_idx" ON "deliveries"("channel") WHERE (status = 'HELD');

-- Hand-written: the view rule as in 20261202020000_view_rule_in_sql, and a notification scheduled for later
-- (send_at set until it is sent) in no view at all. notification_in_default_view and notification_counts,
-- which call it, follow. The default view's index above leaves scheduled rows out too, so its counts stay
-- index-only.
CREATE OR REPLACE FUNCTION notification_in_view(n notifications, at timestamptz, snoozed boolean, archived boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (n.expires_at IS NULL OR n.expires_at > at)
    AND (n.snoozed_until IS NOT NULL) = snoozed
    AND (archived IS NULL OR (n.status = 'ARCHIVED') = archived)
    AND n.send_at IS NULL
$$;
