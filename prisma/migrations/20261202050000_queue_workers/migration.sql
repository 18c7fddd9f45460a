-- CreateTable
CREATE TABLE "queue_workers" (
    "pool_id" VARCHAR(64) NOT NULL,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "queue_workers_pkey" PRIMARY KEY ("pool_id")
);
