-- CreateEnum
CREATE TYPE "ChangeKind" AS ENUM ('ADDED', 'READ', 'DELETED', 'ALL_READ');

-- CreateTable
CREATE TABLE "notification_streams" (
    "user_id" VARCHAR(255) NOT NULL,
    "position" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "notification_streams_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "notification_changes" (
    "user_id" VARCHAR(255) NOT NULL,
    "position" BIGINT NOT NULL,
    "kind" "ChangeKind" NOT NULL,
    "notification_id" UUID,
    "count" INTEGER NOT NULL DEFAULT 1,
    "unread_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_changes_pkey" PRIMARY KEY ("user_id","position")
);

-- CreateIndex
CREATE INDEX "notification_changes_user_id_notification_id_idx" ON "notification_changes"("user_id", "notification_id");

-- CreateIndex
CREATE INDEX "notification_changes_created_at_idx" ON "notification_changes"("created_at");
