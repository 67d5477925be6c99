-- AlterTable
ALTER TABLE "environment" ADD COLUMN     "blockingSeverity" TEXT;
