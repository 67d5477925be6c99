-- The change detectors' input, stored with each evaluation so every figure replays exactly.
ALTER TABLE "analysis_evaluation" ADD COLUMN "batches" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "analysis_evaluation" ADD COLUMN "stepStartedAt" TIMESTAMP(3);
