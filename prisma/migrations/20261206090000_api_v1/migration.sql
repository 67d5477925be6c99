-- API v1: token identities and limits, idempotent run creation, commit and notes on runs,
-- emergency contacts per service, a metric source (Prometheus) per environment.
ALTER TABLE "service" ADD COLUMN "contacts" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "environment" ADD COLUMN "metricSource" JSONB;
ALTER TABLE "release_run" ADD COLUMN "commitSha" TEXT,
    ADD COLUMN "commitAt" TIMESTAMP(3),
    ADD COLUMN "releaseNotes" TEXT NOT NULL DEFAULT '',
    ADD COLUMN "links" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "api_token" ADD COLUMN "userId" TEXT,
    ADD COLUMN "services" TEXT[] DEFAULT ARRAY[]::TEXT[],
    ADD COLUMN "environments" TEXT[] DEFAULT ARRAY[]::TEXT[];

CREATE TABLE "idempotency_key" (
    "id" TEXT NOT NULL,
    "caller" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_key_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "idempotency_key_caller_key_key" ON "idempotency_key"("caller", "key");
