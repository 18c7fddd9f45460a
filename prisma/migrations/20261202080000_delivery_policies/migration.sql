-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "DeliveryStatus" ADD VALUE 'HELD';
ALTER TYPE "DeliveryStatus" ADD VALUE 'SCHEDULED';

-- AlterTable
ALTER TABLE "notification_preferences" ADD COLUMN     "channel_policies" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "quiet_channels" "DeliveryChannel"[] DEFAULT ARRAY[]::"DeliveryChannel"[],
ADD COLUMN     "quiet_end" INTEGER,
ADD COLUMN     "quiet_start" INTEGER,
ADD COLUMN     "time_zone" VARCHAR(64);

-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "delay_ms" INTEGER,
ADD COLUMN     "digest_ms" INTEGER;

-- Hand-written: the jobs of deliveries just written or released (delivery_enqueue, and a scheduled notification
-- when its time comes): QUEUED ones at once, HELD ones per their reason: DELAYED (read-before-send) after
-- delay_ms, DIGEST through one job per user, category and channel at the end of the window its first item
-- opened (the job key keeps the first run_at, so later items join that window). plpgsql so that
-- graphile_worker.add_job is resolved when it runs, not here, each semicolon of the body is written 073.
CREATE FUNCTION delivery_jobs(p_delivery_ids uuid[])
RETURNS integer LANGUAGE plpgsql AS E'
DECLARE
  v_queued integer\073
BEGIN
  SELECT count(CASE WHEN d.status = \'HELD\' AND d.reason = \'DIGEST\' THEN
      (graphile_worker.add_job(\'deliver_digest\',
        json_build_object(\'userId\', n.user_id, \'category\', n.category, \'channel\', d.channel),
        run_at => now() + d.digest_ms * interval \'1 millisecond\',
        job_key => \'digest:\' || d.channel || \':\' || coalesce(n.category, \'\') || \':\' || n.user_id,
        job_key_mode => \'preserve_run_at\', max_attempts => 10)).id
    ELSE
      (graphile_worker.add_job(\'deliver_\' || lower(d.channel::text), json_build_object(\'id\', d.id, \'attempt\', d.attempts),
        run_at => now() + coalesce(d.delay_ms, 0) * interval \'1 millisecond\', max_attempts => 10)).id
    END)::integer
  INTO v_queued
  FROM deliveries AS d JOIN notifications AS n ON n.id = d.notification_id
  WHERE d.id = ANY(p_delivery_ids) AND d.status IN (\'QUEUED\', \'HELD\')\073
  RETURN v_queued\073
END\073
';

-- delivery_enqueue as in 20261202030000_deliveries, with the user's policies: a delivery with a digest window is
-- HELD (DIGEST), one with a delay HELD (DELAYED), one of a scheduled notification SCHEDULED (no job until
-- its time), the rest QUEUED, the jobs through delivery_jobs.
DROP FUNCTION delivery_enqueue(uuid[], varchar[], varchar[], jsonb);

CREATE FUNCTION delivery_enqueue(p_notification_ids uuid[], p_channels varchar[], p_reasons varchar[], p_data jsonb,
  p_delays_ms integer[] DEFAULT NULL, p_digests_ms integer[] DEFAULT NULL, p_scheduled boolean DEFAULT false)
RETURNS integer LANGUAGE plpgsql AS E'
DECLARE
  v_ids uuid[]\073
BEGIN
  WITH inserted AS (
    INSERT INTO deliveries (id, notification_id, channel, status, reason, data, delay_ms, digest_ms, updated_at)
    SELECT gen_random_uuid(), d.notification_id, d.channel::"DeliveryChannel",
      (CASE WHEN d.reason IS NOT NULL THEN \'SKIPPED\' WHEN p_scheduled THEN \'SCHEDULED\'
        WHEN d.digest_ms > 0 OR d.delay_ms > 0 THEN \'HELD\' ELSE \'QUEUED\' END)::"DeliveryStatus",
      coalesce(d.reason, CASE WHEN d.digest_ms > 0 THEN \'DIGEST\' WHEN d.delay_ms > 0 THEN \'DELAYED\' END),
      p_data, nullif(d.delay_ms, 0), nullif(d.digest_ms, 0), now()
    FROM unnest(p_notification_ids, p_channels, p_reasons,
      coalesce(p_delays_ms, array_fill(0, ARRAY[cardinality(p_notification_ids)])),
      coalesce(p_digests_ms, array_fill(0, ARRAY[cardinality(p_notification_ids)])))
      AS d (notification_id, channel, reason, delay_ms, digest_ms)
    RETURNING id, status
  )
  SELECT array_agg(i.id) INTO v_ids FROM inserted AS i WHERE i.status IN (\'QUEUED\', \'HELD\')\073
  RETURN coalesce(delivery_jobs(v_ids), 0)\073
END\073
';
