-- CreateTable
CREATE TABLE "metric_window" (
    "id" BIGSERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "windowMs" INTEGER NOT NULL,
    "requests" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "latencySketch" BYTEA NOT NULL,
    "p50" DOUBLE PRECISION,
    "p95" DOUBLE PRECISION,
    "p99" DOUBLE PRECISION,
    "cpuPercent" DOUBLE PRECISION,
    "memoryPercent" DOUBLE PRECISION,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "conversions" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "metric_window_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "analysis_evaluation" (
    "id" BIGSERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "stepIndex" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verdict" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "requestsNeeded" INTEGER NOT NULL,
    "evaluations" JSONB NOT NULL,

    CONSTRAINT "analysis_evaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_token" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "scopes" TEXT[],
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "metric_window_runId_windowStart_idx" ON "metric_window"("runId", "windowStart");

-- CreateIndex
CREATE INDEX "analysis_evaluation_runId_at_idx" ON "analysis_evaluation"("runId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_tokenHash_key" ON "api_token"("tokenHash");
