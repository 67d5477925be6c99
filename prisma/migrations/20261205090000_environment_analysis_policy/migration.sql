-- AlterTable
ALTER TABLE "environment" ADD COLUMN     "analysisPolicy" JSONB;
