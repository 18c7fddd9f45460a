-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "ChangeKind" ADD VALUE 'UNREAD';
ALTER TYPE "ChangeKind" ADD VALUE 'SEEN';
ALTER TYPE "ChangeKind" ADD VALUE 'ARCHIVED';
ALTER TYPE "ChangeKind" ADD VALUE 'UNARCHIVED';
ALTER TYPE "ChangeKind" ADD VALUE 'SNOOZED';
ALTER TYPE "ChangeKind" ADD VALUE 'RESURFACED';
ALTER TYPE "ChangeKind" ADD VALUE 'EXPIRED';
ALTER TYPE "ChangeKind" ADD VALUE 'ALL_SEEN';
ALTER TYPE "ChangeKind" ADD VALUE 'ALL_ARCHIVED';
ALTER TYPE "ChangeKind" ADD VALUE 'ALL_DELETED';

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "archived_at" TIMESTAMPTZ(3),
ADD COLUMN     "category" VARCHAR(64),
ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "position" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "seen_at" TIMESTAMPTZ(3),
ADD COLUMN     "snoozed_until" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "notification_changes" ADD COLUMN     "notification_ids" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN     "total_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "unseen_count" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "notifications_snoozed_until_idx" ON "notifications"("snoozed_until");

-- CreateIndex
CREATE INDEX "notifications_expires_at_idx" ON "notifications"("expires_at");

-- Backfill (hand-written): each existing notification's ADDED position, where the change log still has it.
UPDATE "notifications" AS n SET "position" = c."position"
FROM "notification_changes" AS c
WHERE c."user_id" = n."user_id" AND c."notification_id" = n."id" AND c."kind" = 'ADDED';
