-- Read-only share links for stakeholders, and change freezes per environment.
CREATE TABLE "share_link" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "runId" TEXT,
    "serviceId" TEXT,
    "label" TEXT NOT NULL DEFAULT '',
    "createdBy" TEXT NOT NULL,
    "createdByName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "lastViewedAt" TIMESTAMP(3),
    "views" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "share_link_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "share_link_tokenHash_key" ON "share_link"("tokenHash");
CREATE INDEX "share_link_runId_idx" ON "share_link"("runId");

CREATE TABLE "change_freeze" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdByName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelledAt" TIMESTAMP(3),

    CONSTRAINT "change_freeze_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "change_freeze_environmentId_endsAt_idx" ON "change_freeze"("environmentId", "endsAt");
