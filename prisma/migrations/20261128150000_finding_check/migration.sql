-- AlterTable
ALTER TABLE "finding" ADD COLUMN     "check" TEXT;
