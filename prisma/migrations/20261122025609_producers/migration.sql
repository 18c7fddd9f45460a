-- AlterEnum
ALTER TYPE "ChangeKind" ADD VALUE 'UPDATED';

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "collapse_key" VARCHAR(255),
ADD COLUMN     "event_type" VARCHAR(64);

-- CreateTable
CREATE TABLE "notification_keys" (
    "user_id" VARCHAR(255) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "notification_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_keys_pkey" PRIMARY KEY ("user_id","key")
);

-- CreateTable
CREATE TABLE "notification_preferences" (
    "user_id" VARCHAR(255) NOT NULL,
    "muted_categories" VARCHAR(64)[] DEFAULT ARRAY[]::VARCHAR(64)[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_preferences_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notifications_user_id_collapse_key_key" ON "notifications"("user_id", "collapse_key");

-- Backfill (hand-written): the keys of notifications made before keys had a table of their own.
INSERT INTO "notification_keys" ("user_id", "key", "notification_id", "created_at")
SELECT "user_id", "idempotency_key", "id", "created_at" FROM "notifications" WHERE "idempotency_key" IS NOT NULL
ON CONFLICT DO NOTHING;
