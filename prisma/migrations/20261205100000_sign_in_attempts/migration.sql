-- Sign-in attempts, per account and client address, for throttling guessing (kept 24 h).
CREATE TABLE "sign_in_attempt" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "account" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,

    CONSTRAINT "sign_in_attempt_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "sign_in_attempt_account_at_idx" ON "sign_in_attempt"("account", "at");
CREATE INDEX "sign_in_attempt_address_at_idx" ON "sign_in_attempt"("address", "at");
