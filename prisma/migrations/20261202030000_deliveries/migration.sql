-- CreateEnum
CREATE TYPE "DeliveryChannel" AS ENUM ('EMAIL');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('QUEUED', 'SENT', 'FAILED', 'SKIPPED');

-- AlterTable
ALTER TABLE "notification_preferences" ADD COLUMN     "email_off" VARCHAR(64)[] DEFAULT ARRAY[]::VARCHAR(64)[],
ADD COLUMN     "email_on" VARCHAR(64)[] DEFAULT ARRAY[]::VARCHAR(64)[];

-- CreateTable
CREATE TABLE "recipients" (
    "user_id" VARCHAR(255) NOT NULL,
    "email" VARCHAR(254),
    "locale" VARCHAR(35),
    "time_zone" VARCHAR(64),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "recipients_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" UUID NOT NULL,
    "notification_id" UUID NOT NULL,
    "channel" "DeliveryChannel" NOT NULL,
    "status" "DeliveryStatus" NOT NULL,
    "reason" VARCHAR(64),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" VARCHAR(300),
    "data" JSONB NOT NULL DEFAULT '{}',
    "message_id" VARCHAR(255),
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "deliveries_notification_id_idx" ON "deliveries"("notification_id");

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: queues the deliveries of notifications in the caller's transaction, so that a notification
-- and its deliveries commit or roll back together. One row per (notification, channel): reason null queues it
-- (a job of graphile-worker, whose schema the worker installs at start, resolved only when this runs), a
-- reason (NO_ADDRESS, MUTED) records it as SKIPPED. Returns how many were queued. The offline migration
-- runner splits scripts at every semicolon: the body writes each of its own as the octal escape 073.
CREATE FUNCTION delivery_enqueue(p_notification_ids uuid[], p_channels varchar[], p_reasons varchar[], p_data jsonb)
RETURNS integer LANGUAGE plpgsql AS E'
DECLARE
  v_queued integer\073
BEGIN
  WITH inserted AS (
    INSERT INTO deliveries (id, notification_id, channel, status, reason, data, updated_at)
    SELECT gen_random_uuid(), d.notification_id, d.channel::"DeliveryChannel",
      (CASE WHEN d.reason IS NULL THEN \'QUEUED\' ELSE \'SKIPPED\' END)::"DeliveryStatus", d.reason, p_data, now()
    FROM unnest(p_notification_ids, p_channels, p_reasons) AS d (notification_id, channel, reason)
    RETURNING id, channel, status
  )
  SELECT count((graphile_worker.add_job(\'deliver_\' || lower(i.channel::text),
      json_build_object(\'id\', i.id, \'attempt\', 0), max_attempts => 10)).id)::integer
  INTO v_queued FROM inserted AS i WHERE i.status = \'QUEUED\'\073
  RETURN v_queued\073
END\073
';
