-- Issue 14: several instances on one database (analysis leases, a metric inbox, instances).
-- Issue 15: feature-flag runs (served over OFREP) and region-by-region runs.
ALTER TABLE "release_run" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'version',
ADD COLUMN "flagKey" TEXT,
ADD COLUMN "flagVariant" TEXT,
ADD COLUMN "flagBaselineVariant" TEXT,
ADD COLUMN "regionPlan" JSONB;

ALTER TABLE "environment" ADD COLUMN "regionPolicy" JSONB;
ALTER TABLE "rollout_step" ADD COLUMN "region" TEXT;
ALTER TABLE "decision" ADD COLUMN "region" TEXT;
ALTER TABLE "metric_window" ADD COLUMN "region" TEXT;
ALTER TABLE "analysis_evaluation" ADD COLUMN "region" TEXT;

CREATE TABLE "analysis_lease" (
    "runId" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "acquiredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "analysis_lease_pkey" PRIMARY KEY ("runId")
);
CREATE INDEX "analysis_lease_expiresAt_idx" ON "analysis_lease"("expiresAt");

CREATE TABLE "metric_inbox" (
    "id" BIGSERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "metric_inbox_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "metric_inbox_runId_id_idx" ON "metric_inbox"("runId", "id");

CREATE TABLE "server_instance" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "address" TEXT NOT NULL DEFAULT '',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "server_instance_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "feature_flag" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "variants" JSONB NOT NULL,
    "defaultVariant" TEXT NOT NULL,
    "rolloutRunId" TEXT,
    "rolloutVariant" TEXT,
    "rolloutPercent" INTEGER NOT NULL DEFAULT 0,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "feature_flag_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "feature_flag_environmentId_key_key" ON "feature_flag"("environmentId", "key");
ALTER TABLE "feature_flag" ADD CONSTRAINT "feature_flag_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "region" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "wave" INTEGER NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "window" JSONB,
    "router" TEXT NOT NULL DEFAULT 'manual',
    "routerConfig" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "region_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "region_environmentId_name_key" ON "region"("environmentId", "name");
ALTER TABLE "region" ADD CONSTRAINT "region_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
