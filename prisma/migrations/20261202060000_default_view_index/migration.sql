-- CreateIndex
CREATE INDEX "notifications_default_view_idx" ON "notifications"("user_id", "id" DESC, "expires_at", "read_at", "seen_at") WHERE (status <> 'ARCHIVED' AND snoozed_until IS NULL);
